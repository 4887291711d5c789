//! Small images `FROM scratch` with Debian's busybox-static; nothing is pulled.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::OnceLock;

use crate::{Engine, Scope};

/// The base image every test image builds on: busybox with its applets linked in /bin.
pub const BUSYBOX_IMAGE: &str = "berth-test/busybox:latest";

/// Writes a build context with `/bin/busybox` and the given Dockerfile and extra files.
pub fn write_busybox_context(dir: &Path, dockerfile: &str, files: &[(&str, &str, u32)]) {
    std::fs::create_dir_all(dir).expect("context dir");
    std::fs::copy("/bin/busybox", dir.join("busybox"))
        .expect("/bin/busybox from Debian's busybox-static (scripts/install-deps installs it)");
    std::fs::write(dir.join("Dockerfile"), dockerfile).expect("Dockerfile");
    for (name, text, mode) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("context subdir");
        }
        std::fs::write(&path, text).expect("context file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode)).expect("mode");
    }
}

/// Copies the host's `program` and the libraries it links (as `ldd` lists them) under `root`, each
/// at its own path: a dynamically linked program for an image (`COPY root/ /`).
pub fn copy_program(root: &Path, program: &str) {
    let listed = std::process::Command::new("ldd")
        .arg(program)
        .output()
        .expect("ldd");
    assert!(listed.status.success(), "ldd {program}: {listed:?}");
    let libraries = String::from_utf8_lossy(&listed.stdout)
        .lines()
        // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`, `/lib64/ld-linux-x86-64.so.2 (0x…)`
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with('/'))
                .map(str::to_owned)
        })
        .collect::<Vec<_>>();
    for path in std::iter::once(program.to_owned()).chain(libraries) {
        let to = root.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(to.parent().expect("a file's folder")).expect("folder");
        std::fs::copy(&path, &to).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}

fn base(engine: &'static Engine) {
    static BASE: OnceLock<()> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = engine.root.join("busybox-context");
        write_busybox_context(
            &dir,
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\nCMD [\"sh\"]\n",
            &[],
        );
        engine.docker_ok(&["build", "-q", "-t", BUSYBOX_IMAGE, &dir.display().to_string()]);
    });
}

/// Builds `tag` from `dockerfile_tail` on top of the busybox base, labelled with the scope.
/// Its first step names the scope too, so that no two tests share a cached step: one test's
/// `rmi` of its image would remove the untagged step image another's build is reusing, and
/// that build fails ("failed to get digest …").
pub fn busybox_image(engine: &'static Engine, scope: &Scope, tag: &str, dockerfile_tail: &str) {
    base(engine);
    let dir = engine
        .root
        .join(format!("ctx-{}", scope.name(&tag.replace(['/', ':'], "_"))));
    write_busybox_context(
        &dir,
        &format!(
            "FROM {BUSYBOX_IMAGE}\nLABEL berth.test.cache={}\n{dockerfile_tail}\n",
            scope.id
        ),
        &[],
    );
    build_context(engine, scope, tag, &dir);
}

/// Builds `tag` from the context in `dir`, labelled with the scope (so that the image goes when
/// the scope does), then removes `dir`.
pub fn build_context(engine: &'static Engine, scope: &Scope, tag: &str, dir: &Path) {
    engine.docker_ok(&[
        "build",
        "-q",
        "--label",
        &scope.label(),
        "-t",
        tag,
        &dir.display().to_string(),
    ]);
    let _ = std::fs::remove_dir_all(dir);
}
