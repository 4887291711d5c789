//! A directory's entries read inside a running container, by its own `find` and `stat`: the
//! archive API tells them only by sending every file below the directory (listing `/` of a
//! container holding 1 GB read that gigabyte, 3.5 s here). Where the container cannot tell (not
//! running, no `find` or `stat`, a name with a newline in it), the caller reads the archive.

use crate::{Berth, Connection, VolumeEntry};

/// `stat`'s format: the raw mode in hex, the size, the path.
const FORMAT: &str = "%f %s %n";

impl Berth {
    /// The entries directly in `dir` (an absolute path) of running container `id`, or `None`
    /// when it cannot list them itself.
    pub(crate) async fn listed_inside(
        &self,
        conn: &Connection,
        id: &str,
        dir: &str,
    ) -> Option<Vec<VolumeEntry>> {
        // With its slash, a link to a folder (`/lib` → `usr/lib`) is followed.
        let dir = format!("{}/", dir.trim_end_matches('/'));
        let command = [
            "find",
            &dir,
            "-mindepth",
            "1",
            "-maxdepth",
            "1",
            "-exec",
            "stat",
            "-c",
            FORMAT,
            "--",
            "{}",
            "+",
        ]
        .map(String::from);
        match self.exec_output(conn, id, &command).await {
            Ok(out) if out.code == Some(0) => parse(&String::from_utf8_lossy(&out.stdout), &dir),
            Ok(out) => {
                tracing::debug!(container = id, dir, code = ?out.code, stderr = %String::from_utf8_lossy(&out.stderr), "no listing from inside");
                None
            }
            Err(e) => {
                tracing::debug!(container = id, dir, %e, "no listing from inside");
                None
            }
        }
    }
}

/// The entries of `stat -c FORMAT` lines for the paths in `dir` (given with its slash), by
/// name; `None` if a line is not one (a name with a newline splits its line).
fn parse(out: &str, prefix: &str) -> Option<Vec<VolumeEntry>> {
    out.lines()
        .map(|line| {
            let (mode, rest) = line.split_once(' ')?;
            let (size, path) = rest.split_once(' ')?;
            let mode = u32::from_str_radix(mode, 16).ok()?;
            let size: u64 = size.parse().ok()?;
            let name = path.strip_prefix(prefix)?;
            if name.is_empty() || name.contains('/') {
                return None;
            }
            let kind = match mode & 0o170_000 {
                0o040_000 => "dir",
                0o100_000 => "file",
                0o120_000 => "link",
                _ => "other",
            };
            Some(VolumeEntry {
                path: name.to_owned(),
                kind: kind.into(),
                // As an archive has them: only a file has a size.
                size: if kind == "file" { size } else { 0 },
                mode: mode & 0o7777,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: &str, size: u64, mode: u32) -> VolumeEntry {
        VolumeEntry {
            path: path.into(),
            kind: kind.into(),
            size,
            mode,
        }
    }

    #[test]
    fn stat_lines_become_entries() {
        let out = "41ed 4096 /etc/ssl\n81a4 1234 /etc/pass wd\na1ff 7 /etc/mtab\n2190 0 /etc/tty\n";
        assert_eq!(
            parse(out, "/etc/"),
            Some(vec![
                entry("ssl", "dir", 0, 0o755),
                entry("pass wd", "file", 1234, 0o644),
                entry("mtab", "link", 0, 0o777),
                entry("tty", "other", 0, 0o620),
            ])
        );
        assert_eq!(
            parse("41ed 4096 /bin\n", "/"),
            Some(vec![entry("bin", "dir", 0, 0o755)])
        );
        assert_eq!(parse("", "/empty/"), Some(vec![]));
    }

    #[test]
    fn a_name_with_a_newline_or_a_stray_line_gives_up() {
        assert_eq!(parse("81a4 0 /d/a\nb\n", "/d/"), None);
        assert_eq!(parse("81a4 0 /elsewhere/a\n", "/d/"), None);
        assert_eq!(parse("find: /d: Permission denied\n", "/d/"), None);
    }
}
