//! Declares the app's own commands, so a window may call only those its capability grants.

fn main() {
    let commands = &[
        "engine_view",
        "engine_start",
        "engine_stop",
        "engine_restart",
    ];
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    tauri_build::try_build(attributes).expect("tauri build script");
}
