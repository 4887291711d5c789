import { describe, expect, it } from "vitest";
import { container } from "./testing";
import { webLinks, webUrl } from "./ports";

describe("web links", () => {
  const row = container("p", {
    ports: [
      { ip: "0.0.0.0", private_port: 80, public_port: 8080, proto: "tcp" },
      { ip: "::", private_port: 80, public_port: 8080, proto: "tcp" },
      { ip: null, private_port: 9000, public_port: null, proto: "tcp" },
      { ip: "127.0.0.1", private_port: 53, public_port: 5353, proto: "udp" },
      { ip: "0.0.0.0", private_port: 22, public_port: 2222, proto: "tcp" },
      { ip: "127.0.0.1", private_port: 81, public_port: 8081, proto: "tcp" },
      { ip: "192.168.1.5", private_port: 82, public_port: 8082, proto: "tcp" },
      { ip: "fd00::5", private_port: 83, public_port: 8083, proto: "tcp" },
    ],
  });

  it("opens each published TCP port once, where a browser here reaches it (as the tray's menu does)", () => {
    expect(webLinks(row, "localhost").map((l) => l.url)).toEqual([
      "http://localhost:2222",
      "http://localhost:8080",
      "http://127.0.0.1:8081",
      "http://192.168.1.5:8082",
      "http://[fd00::5]:8083",
    ]);
    expect(webLinks(row, "localhost").map((l) => l.port)).toEqual([2222, 8080, 8081, 8082, 8083]);
  });

  it("opens a remote engine's ports at its host, never at its loopback", () => {
    expect(webLinks(row, "10.0.0.5").map((l) => l.url)).toEqual([
      "http://10.0.0.5:2222",
      "http://10.0.0.5:8080",
      "http://192.168.1.5:8082",
      "http://[fd00::5]:8083",
    ]);
    expect(webUrl("10.0.0.5", "::1", 8000, "tcp")).toBeNull();
    expect(webUrl("localhost", "", 8000, "tcp")).toBe("http://localhost:8000");
  });
});
