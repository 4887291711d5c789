//! The compose loader on arbitrary input: the text up to a line `---env---` is `compose.yaml`,
//! the rest is `.env`. Any result is fine; a panic, a hang or a stack overflow is a bug.
#![no_main]

use std::cell::RefCell;
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (yaml, env) = text.split_once("\n---env---\n").unwrap_or((text, ""));
    let none = |_: &str| -> Option<String> { None };
    let _ = berth_compose::dotenv::parse(env, &none);
    let _ = berth_compose::interpolate::substitute(yaml, &none, &mut Vec::new());
    DIR.with(|dir| {
        let mut dir = dir.borrow_mut();
        let dir = dir.get_or_insert_with(|| tempfile::tempdir().expect("a temporary directory"));
        let root = dir.path().join("project");
        let _ = std::fs::create_dir_all(&root);
        std::fs::write(root.join("compose.yaml"), yaml).expect("write compose.yaml");
        std::fs::write(root.join(".env"), env).expect("write .env");
        let _ = berth_compose::load(&berth_compose::LoadOptions {
            working_dir: Some(root),
            environment: Some(HashMap::new()),
            ..Default::default()
        });
    });
});
