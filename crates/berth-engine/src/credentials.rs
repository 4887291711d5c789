//! Registry credentials where the Docker CLI keeps them (`$DOCKER_CONFIG/config.json`):
//! `credHelpers` per registry, else `credsStore`, each a `docker-credential-NAME` program
//! speaking the helpers' protocol (get, store, erase, list); plain `auths` only when the user
//! asks for it. Secrets are never logged or printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::context::Env;

/// Docker Hub's key in the credential store.
pub const DOCKER_HUB_SERVER: &str = "https://index.docker.io/v1/";

/// A username and its secret for one registry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    pub server: String,
    pub username: String,
    pub secret: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Credential {{ server: {:?}, username: {:?}, secret: <hidden> }}",
            self.server, self.username
        )
    }
}

/// Where a login was stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    Helper(String),
    /// The OS keychain (Secret Service on Linux, Keychain on macOS, Credential Manager on
    /// Windows).
    Keychain,
    PlainText(PathBuf),
}

/// The keychain's service name for Berth's registry logins (one entry per registry).
pub const KEYCHAIN_SERVICE: &str = "berth-registry";

/// What a keychain entry holds.
#[derive(Serialize, Deserialize)]
struct KeychainValue {
    username: String,
    secret: String,
}

fn keychain_entry(server: &str) -> Result<keyring::Entry, keyring::Error> {
    keyring::Entry::new(KEYCHAIN_SERVICE, server)
}

/// The keychain's login for `server`; none when the keychain has none or cannot be reached.
fn keychain_get(server: &str) -> Option<Credential> {
    let value = keychain_entry(server)
        .and_then(|e| e.get_password())
        .map_err(|e| {
            if !matches!(e, keyring::Error::NoEntry) {
                tracing::debug!("keychain lookup for {server}: {e}");
            }
        })
        .ok()?;
    let v: KeychainValue = serde_json::from_str(&value).ok()?;
    Some(Credential {
        server: server.to_owned(),
        username: v.username,
        secret: v.secret,
    })
}

fn keychain_reason(e: &keyring::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}

/// The helpers' JSON (their field is `ServerURL`, which PascalCase would not give).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperCredential {
    #[serde(rename = "ServerURL")]
    server_url: String,
    username: String,
    secret: String,
}

/// The credential store of one Docker config directory.
pub struct CredentialStore {
    dir: PathBuf,
    /// Use the OS keychain when no helper is configured (off in tests that must not touch
    /// the developer's keychain).
    keychain: bool,
}

/// The store key for a registry: Docker Hub's legacy URL, else `host[:port]`.
pub fn server_key(registry: &str) -> String {
    match registry {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB_SERVER.to_owned(),
        other => other
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned(),
    }
}

impl CredentialStore {
    pub fn new(env: &Env) -> Self {
        Self {
            dir: env.docker_config_dir(),
            keychain: true,
        }
    }

    /// The same store without the OS keychain.
    pub fn without_keychain(self) -> Self {
        Self {
            keychain: false,
            ..self
        }
    }

    fn config_path(&self) -> PathBuf {
        self.dir.join("config.json")
    }

    fn config(&self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        let path = self.config_path();
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(serde_json::Value::Object(map)) => Ok(map),
                _ => Err(Error::BadFile {
                    path,
                    detail: "is not a JSON object; fix or remove it".into(),
                }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
            Err(e) => Err(Error::io(format!("reading {}", path.display()))(e)),
        }
    }

    fn write_config(
        &self,
        config: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), Error> {
        std::fs::create_dir_all(&self.dir)
            .map_err(Error::io(format!("creating {}", self.dir.display())))?;
        let path = self.config_path();
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(config).expect("a JSON map serialises");
        std::fs::write(&tmp, text + "\n")
            .map_err(Error::io(format!("writing {}", tmp.display())))?;
        // The file may hold secrets: only its owner reads it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
        }
        std::fs::rename(&tmp, &path).map_err(Error::io(format!("writing {}", path.display())))
    }

    /// The helper for `server`: `credHelpers[server]`, else `credsStore`.
    fn helper(&self, server: &str) -> Result<Option<String>, Error> {
        let config = self.config()?;
        let per = config
            .get("credHelpers")
            .and_then(|h| h.get(server))
            .and_then(|h| h.as_str());
        let all = config.get("credsStore").and_then(|h| h.as_str());
        Ok(per.or(all).filter(|h| !h.is_empty()).map(str::to_owned))
    }

    /// The stored credential for `server`, if any.
    pub fn get(&self, server: &str) -> Result<Option<Credential>, Error> {
        if let Some(helper) = self.helper(server)? {
            return match run_helper(&helper, "get", server) {
                Ok(out) => {
                    let c: HelperCredential = serde_json::from_slice(&out).map_err(|e| Error::Credentials {
                        reason: format!("docker-credential-{helper} answered something that is not a credential: {e}"),
                    })?;
                    Ok(Some(Credential {
                        server: server.to_owned(),
                        username: c.username,
                        secret: c.secret,
                    }))
                }
                Err(HelperError::NotFound) => Ok(None),
                Err(HelperError::Failed(reason)) => Err(Error::Credentials { reason }),
            };
        }
        let config = self.config()?;
        let Some(auth) = config
            .get("auths")
            .and_then(|a| a.get(server))
            .and_then(|a| a.get("auth"))
            .and_then(|a| a.as_str())
        else {
            return Ok(if self.keychain {
                keychain_get(server)
            } else {
                None
            });
        };
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
        match decoded {
            Some((username, secret)) => Ok(Some(Credential {
                server: server.to_owned(),
                username,
                secret,
            })),
            None => Err(Error::BadFile {
                path: self.config_path(),
                detail: format!(
                    "the saved login for {server} is not base64 of user:password; log in again"
                ),
            }),
        }
    }

    /// Saves a credential: with the configured helper; else in the OS keychain; in plain
    /// `auths` only when `plain` is set.
    pub fn store(&self, cred: &Credential, plain: bool) -> Result<Stored, Error> {
        if let Some(helper) = self.helper(&cred.server)? {
            let input = serde_json::to_vec(&HelperCredential {
                server_url: cred.server.clone(),
                username: cred.username.clone(),
                secret: cred.secret.clone(),
            })
            .expect("serialises");
            run_helper_with(&helper, "store", &input)
                .map_err(|e| Error::Credentials { reason: e.reason() })?;
            return Ok(Stored::Helper(helper));
        }
        if !plain && !self.keychain {
            return Err(Error::Credentials {
                reason: format!(
                    "no credential helper is configured in {}: set \"credsStore\", or pass --plain-text (in the app: \"keep it in config.json\") to keep the password base64-encoded in that file",
                    self.config_path().display()
                ),
            });
        }
        if !plain {
            let value = serde_json::to_string(&KeychainValue {
                username: cred.username.clone(),
                secret: cred.secret.clone(),
            })
            .expect("serialises");
            return match keychain_entry(&cred.server).and_then(|e| e.set_password(&value)) {
                Ok(()) => {
                    // Named in `auths` without a secret, as docker names those its helper
                    // keeps: so that every login can be listed (see `all`).
                    let mut config = self.config()?;
                    let auths = config
                        .entry("auths")
                        .or_insert_with(|| serde_json::json!({}));
                    if !auths.is_object() {
                        *auths = serde_json::json!({});
                    }
                    auths[cred.server.as_str()] = serde_json::json!({});
                    self.write_config(&config)?;
                    Ok(Stored::Keychain)
                }
                Err(e) => Err(Error::Credentials {
                    reason: format!(
                        "the OS keychain cannot store it ({}) and no credential helper is configured in {}: unlock or start your keyring (e.g. gnome-keyring), set \"credsStore\" there, or pass --plain-text (in the app: \"keep it in config.json\") to keep the password base64-encoded in that file",
                        keychain_reason(&e),
                        self.config_path().display()
                    ),
                }),
            };
        }
        let mut config = self.config()?;
        let auths = config
            .entry("auths")
            .or_insert_with(|| serde_json::json!({}));
        if !auths.is_object() {
            *auths = serde_json::json!({});
        }
        auths[cred.server.as_str()] = plain_auth(cred);
        self.write_config(&config)?;
        Ok(Stored::PlainText(self.config_path()))
    }

    /// Every stored login, as docker hands them on (`docker run --use-api-socket`): the
    /// registries named in `auths` and `credHelpers`, and those the `credsStore` helper lists.
    pub fn all(&self) -> Result<Vec<Credential>, Error> {
        let config = self.config()?;
        let mut servers = std::collections::BTreeSet::new();
        for key in ["auths", "credHelpers"] {
            if let Some(named) = config.get(key).and_then(|m| m.as_object()) {
                servers.extend(named.keys().cloned());
            }
        }
        if let Some(helper) = config
            .get("credsStore")
            .and_then(|h| h.as_str())
            .filter(|h| !h.is_empty())
        {
            match run_helper_with(helper, "list", b"") {
                Ok(out) => {
                    let listed: std::collections::BTreeMap<String, String> =
                        serde_json::from_slice(&out).map_err(|e| Error::Credentials {
                            reason: format!(
                                "docker-credential-{helper} list answered something that is not a list of logins: {e}"
                            ),
                        })?;
                    servers.extend(listed.into_keys());
                }
                Err(HelperError::NotFound) => {}
                Err(HelperError::Failed(reason)) => return Err(Error::Credentials { reason }),
            }
        }
        let mut all = Vec::new();
        for server in servers {
            all.extend(self.get(&server)?);
        }
        Ok(all)
    }

    /// Forgets the credential for `server`; false when there was none.
    pub fn erase(&self, server: &str) -> Result<bool, Error> {
        if let Some(helper) = self.helper(server)? {
            return match run_helper_with(&helper, "erase", server.as_bytes()) {
                Ok(_) => Ok(true),
                Err(HelperError::NotFound) => Ok(false),
                Err(HelperError::Failed(reason)) => Err(Error::Credentials { reason }),
            };
        }
        let mut config = self.config()?;
        let removed = config
            .get_mut("auths")
            .and_then(|a| a.as_object_mut())
            .and_then(|a| a.remove(server))
            .is_some();
        if removed {
            self.write_config(&config)?;
        }
        let in_keychain = self.keychain
            && keychain_entry(server)
                .and_then(|e| e.delete_credential())
                .is_ok();
        Ok(removed || in_keychain)
    }
}

/// A login as `config.json`'s `auths` keeps it in plain text: base64 of `user:secret`.
fn plain_auth(cred: &Credential) -> serde_json::Value {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", cred.username, cred.secret));
    serde_json::json!({ "auth": encoded })
}

/// A Docker `config.json` that holds `logins` in plain text, for a container handed the
/// engine's socket (`use_api_socket`), as docker writes it for one.
pub fn config_json(logins: &[Credential]) -> String {
    let auths: serde_json::Map<String, serde_json::Value> = logins
        .iter()
        .map(|c| (c.server.clone(), plain_auth(c)))
        .collect();
    serde_json::json!({ "auths": auths }).to_string()
}

enum HelperError {
    NotFound,
    Failed(String),
}

impl HelperError {
    fn reason(self) -> String {
        match self {
            HelperError::NotFound => "the credential helper has no such credential".into(),
            HelperError::Failed(r) => r,
        }
    }
}

fn run_helper(helper: &str, verb: &str, server: &str) -> Result<Vec<u8>, HelperError> {
    run_helper_with(helper, verb, server.as_bytes())
}

/// Runs `docker-credential-HELPER VERB` with `input` on stdin.
fn run_helper_with(helper: &str, verb: &str, input: &[u8]) -> Result<Vec<u8>, HelperError> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg(verb)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            HelperError::Failed(format!(
                "cannot run the credential helper {program} ({e}): install it, or change \"credsStore\"/\"credHelpers\" in the Docker config"
            ))
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child
        .wait_with_output()
        .map_err(|e| HelperError::Failed(format!("{program} {verb}: {e}")))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let said = String::from_utf8_lossy(&out.stdout).trim().to_owned()
        + String::from_utf8_lossy(&out.stderr).trim();
    if said.contains("credentials not found") {
        Err(HelperError::NotFound)
    } else {
        Err(HelperError::Failed(format!(
            "{program} {verb} failed: {said}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_in(dir: &std::path::Path) -> CredentialStore {
        CredentialStore::new(&Env {
            docker_config: Some(dir.to_owned()),
            ..Env::default()
        })
        .without_keychain()
    }

    #[test]
    fn plain_text_only_when_asked_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        let cred = Credential {
            server: "127.0.0.1:5000".into(),
            username: "u".into(),
            secret: "p:w".into(),
        };
        let err = store.store(&cred, false).unwrap_err().to_string();
        assert!(
            err.contains("no credential helper is configured") && err.contains("--plain-text"),
            "{err}"
        );
        assert!(
            !dir.path().join("config.json").exists(),
            "nothing written without consent"
        );
        assert_eq!(
            store.store(&cred, true).unwrap(),
            Stored::PlainText(dir.path().join("config.json"))
        );
        assert_eq!(store.get("127.0.0.1:5000").unwrap(), Some(cred));
        let text = std::fs::read_to_string(dir.path().join("config.json")).unwrap();
        assert!(
            !text.contains("p:w"),
            "the secret is not written as it was typed"
        );
        assert!(store.erase("127.0.0.1:5000").unwrap());
        assert_eq!(store.get("127.0.0.1:5000").unwrap(), None);
        assert!(!store.erase("127.0.0.1:5000").unwrap());
    }

    #[test]
    fn every_login_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_in(dir.path());
        assert!(store.all().unwrap().is_empty(), "no config.json, no logins");
        let login = |server: &str| Credential {
            server: server.into(),
            username: format!("u-{}", server.replace(':', "-")),
            secret: "s".into(),
        };
        store.store(&login("a.example"), true).unwrap();
        store.store(&login("b.example:5000"), true).unwrap();
        // Named without a secret (kept by a keychain this store does not use): not a login.
        let mut config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("config.json")).unwrap())
                .unwrap();
        config["auths"]["c.example"] = serde_json::json!({});
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let all = store.all().unwrap();
        assert_eq!(all, [login("a.example"), login("b.example:5000")]);
        // Handed on as plain auths that the store reads back the same.
        let handed = tempfile::tempdir().unwrap();
        std::fs::write(handed.path().join("config.json"), config_json(&all)).unwrap();
        assert_eq!(store_in(handed.path()).all().unwrap(), all);
        config["credsStore"] = "nosuchhelper".into();
        std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
        let err = store.all().unwrap_err().to_string();
        assert!(err.contains("docker-credential-nosuchhelper"), "{err}");
    }

    #[test]
    fn a_missing_helper_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            r#"{"credsStore": "nosuchhelper"}"#,
        )
        .unwrap();
        let err = store_in(dir.path()).get("r:1").unwrap_err().to_string();
        assert!(
            err.contains("docker-credential-nosuchhelper") && err.contains("install it"),
            "{err}"
        );
    }

    #[test]
    fn server_keys() {
        assert_eq!(server_key("docker.io"), DOCKER_HUB_SERVER);
        assert_eq!(server_key("https://r.example:5000/"), "r.example:5000");
    }

    #[test]
    fn debug_hides_the_secret() {
        let c = Credential {
            server: "s".into(),
            username: "u".into(),
            secret: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
