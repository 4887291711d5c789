import { describe, expect, it } from "vitest";
import { permissions } from "./format";

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
