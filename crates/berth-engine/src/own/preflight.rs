//! What must be on the machine before Berth's engine can start, checked up front so a missing
//! piece is reported as one line with the command that fixes it.

use std::path::{Path, PathBuf};

#[cfg(unix)]
use nix::unistd::{AccessFlags, access};
#[cfg(target_os = "linux")]
use nix::unistd::{Uid, User};

use super::EngineConfig;
#[cfg(target_os = "linux")]
use super::Mode;

/// Directories searched after `PATH`: Debian installs dockerd to /usr/sbin, which a normal
/// user's `PATH` often lacks.
const EXTRA_DIRS: [&str; 4] = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

/// Resolves a program given by path or by name.
pub fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(EXTRA_DIRS.iter().map(PathBuf::from))
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    path.is_file() && access(path, AccessFlags::X_OK).is_ok()
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// The programs the engine needs, resolved.
#[derive(Clone, Debug)]
pub struct Programs {
    pub dockerd: PathBuf,
    pub rootlesskit: Option<PathBuf>,
}

/// Checks everything the configured mode needs; the error is one line with the fix. On macOS
/// and Windows the engine's VM is not implemented yet, which is what the error says.
#[cfg(not(target_os = "linux"))]
pub fn check(_config: &EngineConfig) -> Result<Programs, String> {
    Err(super::vm::NOT_YET.to_owned())
}

/// Checks everything the configured mode needs; the error is one line with the fix.
#[cfg(target_os = "linux")]
pub fn check(config: &EngineConfig) -> Result<Programs, String> {
    let dockerd = find_program(&config.dockerd).ok_or_else(|| {
        format!(
            "{} is not installed: install the engine with `sudo apt-get install docker.io` (Debian/Ubuntu)",
            config.dockerd.display()
        )
    })?;
    let uid = nix::unistd::geteuid();
    match config.mode {
        Mode::Rootful if !uid.is_root() => Err(
            "the rootful engine needs root: run Berth as root, or use the rootless engine (the default for a normal user)"
                .to_owned(),
        ),
        Mode::Rootful => Ok(Programs { dockerd, rootlesskit: None }),
        Mode::Rootless => {
            let name = User::from_uid(uid).ok().flatten().map(|u| u.name).unwrap_or_else(|| uid.to_string());
            let rootlesskit =
                check_rootless(config, &name, uid, Path::new("/etc"), Path::new("/dev/net/tun"))?;
            Ok(Programs { dockerd, rootlesskit: Some(rootlesskit) })
        }
    }
}

/// The rootless prerequisites; `etc` and `tun` are parameters so tests can use their own.
#[cfg(target_os = "linux")]
pub fn check_rootless(
    config: &EngineConfig,
    name: &str,
    uid: Uid,
    etc: &Path,
    tun: &Path,
) -> Result<PathBuf, String> {
    let missing = |prog: &str, package: &str| {
        format!(
            "{prog} is missing, which the rootless engine needs: `sudo apt-get install {package}`"
        )
    };
    let rootlesskit =
        find_program(&config.rootlesskit).ok_or_else(|| missing("rootlesskit", "rootlesskit"))?;
    find_program(Path::new("slirp4netns")).ok_or_else(|| missing("slirp4netns", "slirp4netns"))?;
    for prog in ["newuidmap", "newgidmap"] {
        find_program(Path::new(prog)).ok_or_else(|| missing(prog, "uidmap"))?;
    }
    for file in ["subuid", "subgid"] {
        check_subid(&etc.join(file), name, uid)?;
    }
    if access(tun, AccessFlags::R_OK | AccessFlags::W_OK).is_err() {
        return Err(format!(
            "{} is not readable and writable for you, which slirp4netns needs: `sudo chmod 0666 {}` (or `sudo modprobe tun` if it does not exist)",
            tun.display(),
            tun.display()
        ));
    }
    Ok(rootlesskit)
}

/// Checks that `/etc/subuid` (or subgid) is well-formed and has a range for this user.
#[cfg(target_os = "linux")]
fn check_subid(path: &Path, name: &str, uid: Uid) -> Result<(), String> {
    let fix =
        format!("`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {name}`");
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {} ({e}): the rootless engine needs a range there: {fix}",
            path.display()
        )
    })?;
    let mut found = false;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split(':').collect();
        let valid = parts.len() == 3
            && parts[1].parse::<u64>().is_ok()
            && parts[2].parse::<u64>().is_ok_and(|n| n > 0);
        if !valid {
            return Err(format!(
                "line {} of {} is malformed ({line:?}); each line must be NAME:START:COUNT: correct or remove that line (as root)",
                i + 1,
                path.display()
            ));
        }
        if parts[0] == name || parts[0] == uid.to_string() {
            let count: u64 = parts[2].parse().unwrap_or(0);
            if count < 65536 {
                return Err(format!(
                    "{} gives {name} only {count} ids; the rootless engine needs 65536: {fix}",
                    path.display()
                ));
            }
            found = true;
        }
    }
    if found {
        Ok(())
    } else {
        Err(format!(
            "{} has no range for {name}, which the rootless engine needs: {fix}",
            path.display()
        ))
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use crate::context::Env;

    fn subid(text: &str) -> Result<(), String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("subuid");
        std::fs::write(&path, text).unwrap();
        check_subid(&path, "alice", Uid::from_raw(1000))
    }

    #[test]
    fn subid_accepts_name_or_uid() {
        assert_eq!(subid("bob:100000:65536\nalice:165536:65536\n"), Ok(()));
        assert_eq!(subid("1000:165536:65536\n"), Ok(()));
    }

    #[test]
    fn subid_missing_entry_names_the_fix() {
        let err = subid("bob:100000:65536\n").unwrap_err();
        assert!(
            err.contains("no range for alice") && err.contains("usermod --add-subuids"),
            "{err}"
        );
    }

    #[test]
    fn subid_malformed_line_is_named() {
        let err = subid("bob:100000:65536\nalice:oops\n").unwrap_err();
        assert!(err.contains("line 2") && err.contains("malformed"), "{err}");
    }

    #[test]
    fn subid_small_range_is_refused() {
        let err = subid("alice:100000:1000\n").unwrap_err();
        assert!(err.contains("only 1000 ids"), "{err}");
    }

    #[test]
    fn missing_dockerd_says_how_to_install() {
        let mut config = EngineConfig::for_env(&Env::default());
        config.dockerd = "/nonexistent/dockerd".into();
        let err = check(&config).unwrap_err();
        assert!(
            err.contains("/nonexistent/dockerd is not installed")
                && err.contains("apt-get install docker.io"),
            "{err}"
        );
    }

    #[test]
    fn missing_rootlesskit_says_how_to_install() {
        let mut config = EngineConfig::for_env(&Env::default());
        config.rootlesskit = "/nonexistent/rootlesskit".into();
        let dir = tempfile::tempdir().unwrap();
        let err = check_rootless(
            &config,
            "alice",
            Uid::from_raw(1000),
            dir.path(),
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "rootlesskit is missing, which the rootless engine needs: `sudo apt-get install rootlesskit`"
        );
    }

    #[test]
    fn tun_without_access_names_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["subuid", "subgid"] {
            std::fs::write(dir.path().join(f), "alice:100000:65536\n").unwrap();
        }
        let mut config = EngineConfig::for_env(&Env::default());
        config.rootlesskit = "/bin/true".into();
        let tun = dir.path().join("no-tun");
        // Needs slirp4netns and uidmap installed (scripts/install-deps does), else an earlier
        // check answers first.
        let err =
            check_rootless(&config, "alice", Uid::from_raw(1000), dir.path(), &tun).unwrap_err();
        assert!(
            err.contains("no-tun is not readable and writable") && err.contains("chmod 0666"),
            "{err}"
        );
    }
}
