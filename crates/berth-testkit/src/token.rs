//! A registry behind a token service, as Docker Hub works: Debian's `docker-registry` with
//! `auth: token`, and a small token server (a thread here) that checks Basic credentials and
//! issues RS256 JWTs (signed with the openssl CLI, the certificate in the `x5c` header) granting
//! the scopes asked for. Anonymous requests get a token with no access.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use base64::Engine;

use crate::registry::Registry;
use crate::{free_port, run_ok, unique_id};

const SERVICE: &str = "berth-test-registry";
const ISSUER: &str = "berth-test-issuer";

/// A registry whose logins go through a token service (user `berth`, a random password).
pub fn token_registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let root = PathBuf::from(format!("/tmp/berth-token-{}", unique_id()));
        std::fs::create_dir_all(&root).expect("token root");
        run_ok(Command::new("openssl").current_dir(&root).args([
            "req", "-new", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
            "/CN=berth-test-token", "-keyout", "key.pem", "-out", "cert.pem",
        ]));
        let der = run_ok(Command::new("sh").current_dir(&root).args([
            "-c",
            "openssl x509 -in cert.pem -outform DER | base64 -w0",
        ]));
        let credentials = ("berth".to_owned(), format!("tok-{}", unique_id()));
        let port = free_port();
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("token server port");
        let (user, password) = credentials.clone();
        let key = root.join("key.pem");
        let x5c = der.trim().to_owned();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = answer(stream, &user, &password, &key, &x5c);
            }
        });
        let auth = format!(
            "auth:\n  token:\n    realm: http://127.0.0.1:{port}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            root.join("cert.pem").display()
        );
        crate::registry::start_with(Some(credentials), &auth, Some(root))
    })
}

/// One request to the token server.
fn answer(
    mut stream: std::net::TcpStream,
    user: &str,
    password: &str,
    key: &Path,
    x5c: &str,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(v.trim().to_owned());
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let scopes: Vec<String> = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("scope="))
        .map(|s| {
            s.replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%2F", "/")
        })
        .collect();
    let who = match authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Basic "))
    {
        Some(b64) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .ok()
                .and_then(|d| String::from_utf8(d).ok())
                .unwrap_or_default();
            if decoded != format!("{user}:{password}") {
                let body = r#"{"details":"wrong username or password"}"#;
                return write!(
                    stream,
                    "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
            Some(user)
        }
        None => None,
    };
    // Logged-in users get what they ask for; anonymous ones get nothing.
    let access: Vec<serde_json::Value> = match who {
        Some(_) => scopes
            .iter()
            .filter_map(|s| {
                let mut parts = s.splitn(3, ':');
                let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                Some(serde_json::json!({
                    "type": kind, "name": name,
                    "actions": actions.split(',').collect::<Vec<_>>(),
                }))
            })
            .collect(),
        None => Vec::new(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [x5c]});
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": who.unwrap_or(""), "aud": SERVICE,
        "exp": now + 300, "nbf": now - 10, "iat": now, "jti": unique_id(),
        "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut openssl = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    openssl
        .stdin
        .take()
        .expect("stdin")
        .write_all(signing_input.as_bytes())?;
    let signature = openssl.wait_with_output()?.stdout;
    let token = format!("{signing_input}.{}", b64(&signature));
    let body =
        serde_json::json!({"token": token, "access_token": token, "expires_in": 300}).to_string();
    write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}
