import { describe, expect, it } from "vitest";
import { ago, permissions } from "./format";

describe("permissions", () => {
  it("reads as ls -l shows them", () => {
    expect(permissions(0o755)).toBe("rwxr-xr-x");
    expect(permissions(0o640)).toBe("rw-r-----");
    expect(permissions(0o4755)).toBe("rwsr-xr-x");
    expect(permissions(0o2750)).toBe("rwxr-s---");
    expect(permissions(0o1777)).toBe("rwxrwxrwt");
    expect(permissions(0o1666)).toBe("rw-rw-rwT");
  });
});

describe("ago", () => {
  it("counts as docker ps does: minutes down, hours rounded, then days, weeks, months, years", () => {
    const now = 2_000_000_000;
    const said = (secs: number) => ago(now - secs, now);
    expect(said(0)).toBe("just now");
    expect(said(59)).toBe("just now");
    expect(said(60)).toBe("1 minute ago");
    expect(said(3599)).toBe("59 minutes ago");
    expect(said(3600)).toBe("1 hour ago");
    // 1 h 50 min: docker says 2 hours (the engine's "Exited (0) 2 hours ago" beside it agrees).
    expect(said(110 * 60)).toBe("2 hours ago");
    expect(said(5 * 3600)).toBe("5 hours ago");
    expect(said(47 * 3600)).toBe("47 hours ago");
    expect(said(3 * 86400)).toBe("3 days ago");
    expect(said(13 * 86400)).toBe("13 days ago");
    expect(said(20 * 86400)).toBe("2 weeks ago");
    expect(said(90 * 86400)).toBe("3 months ago");
    expect(said(800 * 86400)).toBe("2 years ago");
    // A time ahead of the page's clock (the engine's clock a little ahead) is now.
    expect(ago(now + 5, now)).toBe("just now");
  });
});
