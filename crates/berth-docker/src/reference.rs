//! Image references (`[registry[:port]/]path[:tag][@sha256:…]`), parsed and checked the way the
//! engine's distribution/reference grammar does, with Docker Hub's defaults filled in.

use std::fmt;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `docker.io` when none was given.
    pub registry: String,
    /// The repository path, e.g. `library/busybox` or `user_name/admission_prediction`.
    pub path: String,
    /// `latest` when neither a tag nor a digest was given.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// A reference that is not valid; `reason` says which part and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference {input:?}: {reason}")]
pub struct ReferenceError {
    pub input: String,
    pub reason: String,
}

pub const DOCKER_HUB: &str = "docker.io";

impl Reference {
    pub fn parse(input: &str) -> Result<Self, ReferenceError> {
        let err = |reason: &str| ReferenceError {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(err("it is empty"));
        }
        if input.len() > 255 + 128 + 72 {
            return Err(err("it is too long"));
        }
        let (name_tag, digest) = match input.split_once('@') {
            Some((n, d)) => (n, Some(d)),
            None => (input, None),
        };
        if let Some(d) = digest {
            let hex = d
                .strip_prefix("sha256:")
                .ok_or_else(|| err("a digest starts with sha256:"))?;
            if hex.len() != 64
                || !hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(err("a sha256 digest is 64 lowercase hex characters"));
            }
        }
        // The tag is after the last colon that follows the last slash.
        let slash = name_tag.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match name_tag[slash..].rfind(':') {
            Some(i) => (&name_tag[..slash + i], Some(&name_tag[slash + i + 1..])),
            None => (name_tag, None),
        };
        if let Some(tag) = tag {
            let ok = !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                && tag
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c));
            if !ok {
                return Err(err(
                    "a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
                ));
            }
        }
        let mut parts: Vec<&str> = name.split('/').collect();
        let registry = match registry_of(name) {
            Some(host) => {
                parts.remove(0);
                host.to_owned()
            }
            None => DOCKER_HUB.to_owned(),
        };
        if parts.is_empty() || parts.iter().any(|p| p.is_empty()) {
            return Err(err("a repository path has no empty parts"));
        }
        for part in &parts {
            if part.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(err("repository names must be lowercase"));
            }
            if !valid_component(part) {
                return Err(err(
                    "a path component is lowercase letters and digits, separated by '.', '_', '__' or '-'",
                ));
            }
        }
        let mut path = parts.join("/");
        if registry == DOCKER_HUB && !path.contains('/') {
            path = format!("library/{path}");
        }
        let tag = match (tag, digest) {
            (None, None) => Some("latest".to_owned()),
            (t, _) => t.map(str::to_owned),
        };
        Ok(Self {
            registry,
            path,
            tag,
            digest: digest.map(str::to_owned),
        })
    }

    /// The repository as the engine names it: `busybox` for Docker Hub's library images,
    /// `registry:port/path` otherwise.
    pub fn repository(&self) -> String {
        if self.registry == DOCKER_HUB {
            self.path
                .strip_prefix("library/")
                .unwrap_or(&self.path)
                .to_owned()
        } else {
            format!("{}/{}", self.registry, self.path)
        }
    }

    /// The tag, or `latest`.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

fn valid_component(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        if alnum(bytes[i]) {
            i += 1;
            continue;
        }
        // A separator: '.', '_', '__' or one or more '-', between alphanumerics.
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|b| b == b'-');
        if !ok {
            return false;
        }
    }
    true
}

impl fmt::Display for Reference {
    /// The familiar form: `busybox:latest`, `127.0.0.1:5000/app:1.0`, `x@sha256:…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repository())?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// The registry a name starts with, as docker reads it: a first part (of two or more) with a
/// `.` or a `:`, or `localhost`; `None` for Docker Hub's names.
pub fn registry_of(name: &str) -> Option<&str> {
    let (first, _) = name.split_once('/')?;
    (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_defaults() {
        let r = Reference::parse("busybox").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.path.as_str(), r.tag.as_deref()),
            ("docker.io", "library/busybox", Some("latest"))
        );
        assert_eq!(r.to_string(), "busybox:latest");
        let r = Reference::parse("user_name/admission_prediction").unwrap();
        assert_eq!(r.to_string(), "user_name/admission_prediction:latest");
    }

    #[test]
    fn registries_with_ports_and_tags() {
        let r = Reference::parse("127.0.0.1:5000/user_name/app:1.0").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.path.as_str(), r.tag.as_deref()),
            ("127.0.0.1:5000", "user_name/app", Some("1.0"))
        );
        assert_eq!(r.repository(), "127.0.0.1:5000/user_name/app");
        let r = Reference::parse("localhost/app").unwrap();
        assert_eq!(r.registry, "localhost");
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = Reference::parse(&format!("ghcr.io/o/p@{digest}")).unwrap();
        assert_eq!((r.tag, r.digest.as_deref()), (None, Some(digest.as_str())));
    }

    #[test]
    fn bad_references_say_why() {
        for (input, why) in [
            ("", "empty"),
            ("User/App", "lowercase"),
            ("app:", "a tag is"),
            ("app:-x", "a tag is"),
            ("a//b", "no empty parts"),
            ("a/b_-c", "path component"),
            ("app@sha256:xyz", "64 lowercase hex"),
            ("app@md5:ab", "starts with sha256"),
        ] {
            let err = Reference::parse(input).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains(&format!("{input:?}")),
                "{input}: {err}"
            );
        }
    }
}
