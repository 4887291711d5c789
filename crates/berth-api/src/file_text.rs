//! A file's text, as the Files tab shows it: the first mebibyte of a file in a container or a
//! volume, read from the engine's archive of that one file (the rest is never sent: the request
//! ends when the reading does), a link followed to its file, and a file that is not text told so.

use std::io::Read;

use serde::Serialize;
use ts_rs::TS;

use crate::files::read_tar;
use crate::{ApiError, Berth, Connection};

/// How much of a file is shown.
pub const TEXT_MAX: u64 = 1 << 20;
/// How many links are followed to the file.
const LINKS_MAX: usize = 8;

/// The start of a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FileText {
    /// The file's path, after the links to it.
    pub path: String,
    /// Its first [`TEXT_MAX`] bytes as text; empty when it is not text.
    pub text: String,
    #[ts(type = "number")]
    pub size: u64,
    /// `text` is only the start of the file.
    pub truncated: bool,
    /// The file is not text (a NUL byte, or bytes that are not UTF-8, in its start).
    pub binary: bool,
}

/// What the archive of one path held.
enum Read1 {
    Text(FileText),
    /// A link, to this target.
    Link(String),
}

impl Berth {
    /// The start of file `path` of container `id` (running or not).
    pub async fn container_text(
        &self,
        conn: &Connection,
        id: &str,
        path: &str,
    ) -> Result<FileText, ApiError> {
        let mut path = path.to_owned();
        for _ in 0..LINKS_MAX {
            let what = format!("{id}:{path}");
            let p = path.clone();
            match read_tar(conn.client.copy_from(id, &path), what, move |a| read1(a, p)).await? {
                Read1::Text(text) => return Ok(text),
                Read1::Link(target) => path = resolve(&path, &target),
            }
        }
        Err(ApiError::invalid(format!(
            "{id}:{path}: more than {LINKS_MAX} links in a row; open the file they lead to"
        )))
    }
}

/// The first file of an archive: its text, or where it links.
fn read1(archive: &mut tar::Archive<&mut dyn Read>, path: String) -> std::io::Result<Read1> {
    let mut entry = archive
        .entries()?
        .next()
        .ok_or_else(|| std::io::Error::other("the engine sent nothing"))??;
    let header = entry.header();
    match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => {}
        tar::EntryType::Symlink => {
            let target = entry
                .link_name()?
                .ok_or_else(|| std::io::Error::other("a link without a target"))?;
            return Ok(Read1::Link(target.to_string_lossy().into_owned()));
        }
        tar::EntryType::Directory => {
            return Err(std::io::Error::other("a folder: open it to see its files"));
        }
        _ => {
            return Err(std::io::Error::other(
                "not a file (a device or a pipe): nothing to show",
            ));
        }
    }
    let size = header.size()?;
    let mut bytes = Vec::new();
    (&mut entry).take(TEXT_MAX).read_to_end(&mut bytes)?;
    let truncated = size > bytes.len() as u64;
    let (text, binary) = text_of(&bytes, truncated);
    Ok(Read1::Text(FileText {
        path,
        text,
        size,
        truncated,
        binary,
    }))
}

/// The bytes as text, or that they are not: a NUL byte or bytes that are not UTF-8 (a character
/// cut off by the end of a `truncated` start is let go).
fn text_of(bytes: &[u8], truncated: bool) -> (String, bool) {
    if bytes.contains(&0) {
        return (String::new(), true);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), false),
        Err(e) if truncated && e.error_len().is_none() => (
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned(),
            false,
        ),
        Err(_) => (String::new(), true),
    }
}

/// Where a link at `path` to `target` leads (a relative target is from the link's folder).
fn resolve(path: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        parts.pop();
        parts
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_lead_from_their_folder() {
        assert_eq!(
            resolve("/etc/localtime", "/usr/share/zoneinfo/UTC"),
            "/usr/share/zoneinfo/UTC"
        );
        assert_eq!(
            resolve("/etc/alternatives/vi", "../../usr/bin/vim"),
            "/usr/bin/vim"
        );
        assert_eq!(resolve("/srv/a", "./b"), "/srv/b");
        assert_eq!(resolve("/a", "../../b"), "/b");
    }

    #[test]
    fn text_binary_and_a_cut_character() {
        assert_eq!(text_of(b"hello\n", false), ("hello\n".into(), false));
        assert_eq!(text_of(b"ELF\0\x01", false), (String::new(), true));
        assert_eq!(text_of(b"caf\xc3", false), (String::new(), true));
        // Cut inside "é" by the end of what is shown: the text up to it.
        assert_eq!(text_of(b"caf\xc3", true), ("caf".into(), false));
        assert_eq!(text_of(b"\xff\xfeabc", true), (String::new(), true));
    }
}
