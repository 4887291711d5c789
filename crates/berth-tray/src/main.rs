fn main() -> std::process::ExitCode {
    berth_tray::run()
}
