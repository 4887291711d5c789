//! Loopback ports, private subnets that no interface uses, and a tiny HTTP client.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::Duration;

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// An octet X such that no route or address on this machine touches `10.X.0.0/16` (a bridge
/// that is down has an address but no route); X is in 100..=249 and picked at random, so
/// concurrent test processes rarely try the same one.
pub fn free_subnet_octet() -> u8 {
    let ip = |args: &[&str]| {
        Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .expect("`ip` (iproute2) must work for the test engine's bridge")
    };
    let in_use = ip(&["-4", "route"]) + &ip(&["-4", "-o", "addr"]);
    // Octets handed out by this process, whose bridges may not exist yet.
    static TAKEN: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());
    let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
    let start = u32::from_str_radix(&crate::unique_id(), 16).unwrap_or(0) % 150;
    let x = (0..150)
        .map(|i| 100 + ((start + i) % 150) as u8)
        .find(|x| !taken.contains(x) && !in_use.contains(&format!("10.{x}.")))
        .expect("a free 10.X.0.0/16 for the test engine");
    taken.push(x);
    x
}

/// `GET path` on a loopback `host:port`: the status code and body, or `None` when nothing answers.
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    http(addr, "GET", path, "")
}

/// One HTTP/1.0 request; `None` when the connection fails.
pub fn http(addr: &str, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream =
        TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_secs(2)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).ok()?;
    let mut resp = String::new();
    stream.read_to_string(&mut resp).ok()?;
    let status = resp.split_whitespace().nth(1)?.parse().ok()?;
    let body = resp
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Some((status, body))
}
