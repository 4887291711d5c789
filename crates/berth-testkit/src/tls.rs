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
        // A key, a request and a certificate signed by the CA, with the given extensions.
        let issue = |key: &str, cert: &str, subject: &str, extensions: &str| {
            let name = cert.replace(['/', '.'], "-");
            let (csr, ext) = (format!("{name}.csr"), format!("{name}.ext"));
            std::fs::write(dir.join(&ext), extensions).unwrap();
            ssl(&["genrsa", "-out", key, "2048"]);
            ssl(&["req", "-new", "-key", key, "-subj", subject, "-out", &csr]);
            ssl(&[
                "x509",
                "-req",
                "-days",
                "2",
                "-sha256",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca-key.pem",
                "-CAcreateserial",
                "-out",
                cert,
                "-extfile",
                &ext,
            ]);
        };
        issue(
            "server-key.pem",
            "server-cert.pem",
            "/CN=127.0.0.1",
            "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        );
        issue(
            "client/key.pem",
            "client/cert.pem",
            "/CN=berth-test-client",
            "extendedKeyUsage=clientAuth\n",
        );
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
