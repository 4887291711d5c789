//! Debian's `docker-registry` on a free loopback port, with or without htpasswd auth.

use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use crate::{free_port, guarded, http_get, run_ok, unique_id, wait_until};

/// A running registry.
pub struct Registry {
    /// `127.0.0.1:PORT`, which dockerd treats as an insecure (plain http) registry.
    pub addr: String,
    /// `(user, password)` when it requires a login.
    pub credentials: Option<(String, String)>,
    pub root: PathBuf,
    _guard: Mutex<crate::Guard>,
}

/// An open registry for this test process.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| start_with(None, "", None))
}

/// A registry behind htpasswd (user `berth`, a random password) for this test process.
pub fn auth_registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let credentials = ("berth".to_owned(), format!("pw-{}", unique_id()));
        let root = PathBuf::from(format!("/tmp/berth-registry-{}", unique_id()));
        std::fs::create_dir_all(&root).expect("registry root");
        let htpasswd = root.join("htpasswd");
        let line = run_ok(Command::new("htpasswd").args(["-Bbn", &credentials.0, &credentials.1]));
        std::fs::write(&htpasswd, line).expect("htpasswd file");
        let auth = format!(
            "auth:\n  htpasswd:\n    realm: berth-test\n    path: {}\n",
            htpasswd.display()
        );
        start_with(Some(credentials), &auth, Some(root))
    })
}

/// Starts a registry with `auth` (a YAML `auth:` section, or nothing) in `root` (a new one when
/// `None`); `root` is removed with the registry.
pub(crate) fn start_with(
    credentials: Option<(String, String)>,
    auth: &str,
    root: Option<PathBuf>,
) -> Registry {
    let root =
        root.unwrap_or_else(|| PathBuf::from(format!("/tmp/berth-registry-{}", unique_id())));
    std::fs::create_dir_all(root.join("data")).expect("registry root");
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
        data = root.join("data").display()
    );
    config += auth;
    let config_path = root.join("config.yml");
    std::fs::write(&config_path, config).expect("registry config");
    let cleanup = format!("rm -rf {}", root.display());
    let guard = guarded(
        &[
            "docker-registry",
            "serve",
            &config_path.display().to_string(),
        ],
        &root.join("registry.log"),
        &cleanup,
    );
    let registry = Registry {
        addr,
        credentials,
        root,
        _guard: Mutex::new(guard),
    };
    wait_until(30, "the test registry to answer", || {
        matches!(http_get(&registry.addr, "/v2/"), Some((200 | 401, _)))
    });
    registry
}

/// A registry index answering the v1 search API as Docker Hub does (`/v1/_ping`,
/// `/v1/search`), served by busybox httpd on a free loopback port: the engine searches it for a
/// term that starts with its address (`127.0.0.1:PORT/word`). It answers every query with the
/// same results. Stopped, and its files removed, when dropped.
pub struct SearchIndex {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    _guard: crate::Guard,
}

impl SearchIndex {
    /// Serves `results`, the `results` array of a v1 search answer (JSON).
    pub fn serving(results: &str) -> Self {
        let root = PathBuf::from(format!("/tmp/berth-search-{}", unique_id()));
        std::fs::create_dir_all(root.join("v1")).expect("search index root");
        std::fs::write(root.join("v1/_ping"), "{}").expect("ping file");
        let answer = format!(r#"{{"num_results":0,"query":"","results":{results}}}"#);
        std::fs::write(root.join("v1/search"), answer).expect("search file");
        let addr = format!("127.0.0.1:{}", free_port());
        let guard = guarded(
            &[
                "busybox",
                "httpd",
                "-f",
                "-p",
                &addr,
                "-h",
                &root.display().to_string(),
            ],
            &root.with_extension("log"),
            &format!("rm -rf {} {}.log", root.display(), root.display()),
        );
        wait_until(30, "the search index to answer", || {
            matches!(http_get(&addr, "/v1/_ping"), Some((200, _)))
        });
        Self {
            addr,
            _guard: guard,
        }
    }
}
