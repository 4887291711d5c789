//! Build contexts a build fetches from a URL: the same files committed in a Git repository that
//! `git daemon` serves, and packed as a tar that busybox httpd serves, each on a free loopback
//! port, as `docker build URL` fetches them.

use std::path::PathBuf;
use std::process::Command;

use crate::{free_port, guarded, http_get, run_ok, unique_id, wait_until};

/// A Git repository and a tar archive of the same files, served on loopback; stopped, and their
/// files removed, when dropped.
pub struct FetchedContext {
    /// The repository's URL, `git://127.0.0.1:PORT/repo.git` (its one commit is tagged `v1`).
    pub git: String,
    /// The archive's URL, `http://127.0.0.1:PORT/context.tar`.
    pub tar: String,
    _git: crate::Guard,
    _http: crate::Guard,
}

impl FetchedContext {
    /// Serves `files` (a path under the context and its text).
    pub fn serving(files: &[(&str, &str)]) -> Self {
        let root = PathBuf::from(format!("/tmp/berth-fetched-{}", unique_id()));
        let work = root.join("work");
        for (path, text) in files {
            let path = work.join(path);
            std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("folder");
            std::fs::write(&path, text).expect("context file");
        }
        let git = |args: &[&str]| {
            run_ok(
                Command::new("git")
                    .args(["-c", "user.name=berth", "-c", "user.email=berth@test"])
                    .args(args)
                    .current_dir(&work),
            )
        };
        git(&["init", "-q"]);
        git(&["add", "-A"]);
        git(&["commit", "-q", "-m", "the context"]);
        git(&["tag", "v1"]);
        let bare = root.join("git").join("repo.git");
        git(&["clone", "-q", "--bare", ".", &bare.display().to_string()]);
        let www = root.join("www");
        std::fs::create_dir_all(&www).expect("www folder");
        run_ok(
            Command::new("tar")
                .arg("-C")
                .arg(&work)
                .arg("--exclude=.git")
                .arg("-cf")
                .arg(www.join("context.tar"))
                .arg("."),
        );
        // What is asked for to see the server up (the archive is not text).
        std::fs::write(www.join("ready"), "ready\n").expect("ready file");

        let cleanup = format!("rm -rf {}", root.display());
        let git_port = free_port();
        let git_guard = guarded(
            &[
                "git",
                "daemon",
                "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={git_port}"),
                &format!("--base-path={}", root.join("git").display()),
            ],
            &root.with_extension("git.log"),
            &format!("{cleanup} {}.git.log", root.display()),
        );
        let http_addr = format!("127.0.0.1:{}", free_port());
        let http_guard = guarded(
            &[
                "busybox",
                "httpd",
                "-f",
                "-p",
                &http_addr,
                "-h",
                &www.display().to_string(),
            ],
            &root.with_extension("http.log"),
            &format!("rm -f {}.http.log", root.display()),
        );
        wait_until(30, "git daemon to answer", || {
            std::net::TcpStream::connect(("127.0.0.1", git_port)).is_ok()
        });
        wait_until(30, "the archive's server to answer", || {
            matches!(http_get(&http_addr, "/ready"), Some((200, _)))
        });
        Self {
            git: format!("git://127.0.0.1:{git_port}/repo.git"),
            tar: format!("http://{http_addr}/context.tar"),
            _git: git_guard,
            _http: http_guard,
        }
    }
}
