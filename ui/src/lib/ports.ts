// Where a browser on this machine opens a container's published ports: the rule of Berth's
// `web_url` (crates/berth-api/src/wire.rs), which the tray's menu uses, given the engine's
// `browser_host` (`localhost` for an engine here, its own host for one reached over TCP or SSH).
import type { ContainerRow } from "./ipc";

/** A published TCP port and the address a browser opens it at. */
export type WebLink = { port: number; url: string };

/**
 * The address of a published port: at the engine's browser host when published on every
 * address, at its own address otherwise, none for a remote engine's loopback, UDP, or a port
 * not published.
 */
export function webUrl(browserHost: string, ip: string | null, port: number | null, proto: string): string | null {
  if (port === null || proto !== "tcp") return null;
  let host = browserHost;
  if (ip && ip !== "0.0.0.0" && ip !== "::") {
    const loopback = ip.startsWith("127.") || ip === "::1";
    if (loopback && browserHost !== "localhost") return null;
    host = urlHost(ip);
  }
  return `http://${host}:${port}`;
}

/** An address as a URL or `docker port` writes it: IPv6 in brackets. */
export function urlHost(ip: string): string {
  return ip.includes(":") ? `[${ip}]` : ip;
}

/** A container's published TCP ports a browser here can open, each address once, by port. */
export function webLinks(row: ContainerRow, browserHost: string): WebLink[] {
  const links: WebLink[] = [];
  for (const p of [...row.ports].sort((a, b) => (a.public_port ?? 0) - (b.public_port ?? 0))) {
    const url = webUrl(browserHost, p.ip, p.public_port, p.proto);
    if (url && !links.some((l) => l.url === url)) links.push({ port: p.public_port!, url });
  }
  return links;
}
