//! The host's network traffic: bytes in and out of its physical interfaces, counted once.
//! Loopback, bridges, veths and tunnels are left out: what crosses them to or from outside also
//! crosses a physical interface, and a container's traffic would otherwise count three times
//! (its veth, the engine's bridge, the uplink). On Linux one read of `/proc/net/dev` per sample
//! (sysinfo reads nine sysfs files per interface, and an engine adds a veth per container);
//! which interfaces are virtual is read from sysfs again when the sampler says to rescan.
//! Elsewhere sysinfo's interfaces, less loopback.

/// Bytes received and sent so far, summed over the counted interfaces.
#[derive(Default)]
pub(crate) struct Traffic {
    #[cfg(target_os = "linux")]
    virtual_ifaces: std::collections::HashSet<String>,
    #[cfg(not(target_os = "linux"))]
    networks: Option<sysinfo::Networks>,
}

impl Traffic {
    /// The running totals `(received, sent)`, in bytes; `rescan` looks again at which
    /// interfaces are virtual.
    #[cfg(target_os = "linux")]
    pub(crate) fn totals(&mut self, rescan: bool) -> (u64, u64) {
        let Ok(devices) = procfs::net::dev_status() else {
            return (0, 0);
        };
        if rescan {
            self.virtual_ifaces = devices
                .keys()
                .filter(|name| is_virtual(name))
                .cloned()
                .collect();
        }
        devices
            .values()
            .filter(|d| !self.virtual_ifaces.contains(&d.name))
            .fold((0, 0), |(rx, tx), d| (rx + d.recv_bytes, tx + d.sent_bytes))
    }

    /// (sysinfo lists the interfaces again at each refresh.)
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn totals(&mut self, _rescan: bool) -> (u64, u64) {
        if self.networks.is_none() {
            self.networks = sysinfo::Networks::new_with_refreshed_list().ok();
        }
        let Some(networks) = self.networks.as_mut() else {
            return (0, 0);
        };
        networks.refresh(true);
        networks
            .iter()
            .filter(|(name, _)| !matches!(name.to_str(), Some("lo" | "lo0")))
            .fold((0, 0), |(rx, tx), (_, n)| {
                (rx + n.total_received(), tx + n.total_transmitted())
            })
    }
}

/// Loopback, or a device the kernel made up (sysfs files it under `devices/virtual`); an
/// interface sysfs does not show is counted.
#[cfg(target_os = "linux")]
fn is_virtual(name: &str) -> bool {
    name == "lo"
        || std::fs::read_link(format!("/sys/class/net/{name}"))
            .is_ok_and(|target| target.to_string_lossy().contains("/devices/virtual/"))
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_made_up_interfaces_are_virtual() {
        assert!(is_virtual("lo"));
        // Whatever this machine has, against the kernel's own list of the devices it made up.
        for entry in std::fs::read_dir("/sys/class/net").unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let made_up = std::path::Path::new("/sys/devices/virtual/net")
                .join(&name)
                .exists();
            assert_eq!(is_virtual(&name), made_up, "{name}");
        }
        assert!(!is_virtual("no-such-interface"));
    }

    #[test]
    fn totals_grow_with_traffic_on_counted_interfaces_only() {
        let mut traffic = Traffic::default();
        let (rx0, tx0) = traffic.totals(true);
        // Loopback traffic is not counted.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let sender = std::thread::spawn(move || {
            use std::io::Write;
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(&vec![0u8; 4 << 20]).unwrap();
        });
        let (mut conn, _) = listener.accept().unwrap();
        std::io::copy(&mut conn, &mut std::io::sink()).unwrap();
        sender.join().unwrap();
        let (rx1, tx1) = traffic.totals(false);
        assert!(rx1 >= rx0 && tx1 >= tx0);
        assert!(
            rx1 - rx0 < 4 << 20 && tx1 - tx0 < 4 << 20,
            "4 MB over loopback counted: {} / {}",
            rx1 - rx0,
            tx1 - tx0
        );
    }
}
