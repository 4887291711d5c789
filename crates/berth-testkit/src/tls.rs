//! A throwaway CA, server and client certificate, made with the openssl CLI, for an engine
//! listening on loopback tcp with `--tlsverify`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run_ok;

/// PEM files as the Docker CLI names them.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub dir: PathBuf,
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    /// The client's files: `ca.pem`, `cert.pem`, `key.pem` in `client_dir`.
    pub client_dir: PathBuf,
}

impl TlsFiles {
    /// Makes a CA and a server certificate for 127.0.0.1 and a client certificate.
    pub fn create(dir: &Path) -> Self {
        let client_dir = dir.join("client");
        std::fs::create_dir_all(&client_dir).expect("tls dir");
        let ssl = |args: &[&str]| {
            run_ok(Command::new("openssl").args(args).current_dir(dir));
        };
        ssl(&["genrsa", "-out", "ca-key.pem", "2048"]);
        ssl(&[
            "req",
            "-new",
            "-x509",
            "-days",
            "2",
            "-key",
            "ca-key.pem",
            "-sha256",
            "-subj",
            "/CN=berth-test-ca",
            "-out",
            "ca.pem",
        ]);
        ssl(&["genrsa", "-out", "server-key.pem", "2048"]);
        ssl(&[
            "req",
            "-new",
            "-key",
            "server-key.pem",
            "-subj",
            "/CN=127.0.0.1",
            "-out",
            "server.csr",
        ]);
        std::fs::write(
            dir.join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        ssl(&[
            "x509",
            "-req",
            "-days",
            "2",
            "-sha256",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            "server-cert.pem",
            "-extfile",
            "server.ext",
        ]);
        ssl(&["genrsa", "-out", "client/key.pem", "2048"]);
        ssl(&[
            "req",
            "-new",
            "-key",
            "client/key.pem",
            "-subj",
            "/CN=berth-test-client",
            "-out",
            "client.csr",
        ]);
        std::fs::write(dir.join("client.ext"), "extendedKeyUsage=clientAuth\n").unwrap();
        ssl(&[
            "x509",
            "-req",
            "-days",
            "2",
            "-sha256",
            "-in",
            "client.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca-key.pem",
            "-CAcreateserial",
            "-out",
            "client/cert.pem",
            "-extfile",
            "client.ext",
        ]);
        std::fs::copy(dir.join("ca.pem"), client_dir.join("ca.pem")).unwrap();
        Self {
            dir: dir.to_owned(),
            ca: dir.join("ca.pem"),
            server_cert: dir.join("server-cert.pem"),
            server_key: dir.join("server-key.pem"),
            client_dir,
        }
    }
}
