//! `berth`: Berth's command line. The same core as the desktop app (through `berth-api`), with
//! docker's verbs and table layouts, `--format json` for scripts, and one-line errors.

mod cli;
mod commands;
mod compose;
mod menu;
mod ops;
mod render;
mod template;
mod watch;

fn main() -> std::process::ExitCode {
    commands::run()
}
