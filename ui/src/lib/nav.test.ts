import { describe, expect, it } from "vitest";
import { Nav, startContainer, startView } from "./nav.svelte";

describe("the view a URL fragment names", () => {
  it("is a sidebar view, a container's page, or the dashboard", () => {
    expect(startView("#containers?scroll-bench")).toBe("containers");
    expect(startView("#volumes")).toBe("volumes");
    expect(startView("#container?id=web")).toBe("container");
    expect(startContainer("#container?id=web")).toBe("web");
    // A container's page without a container, and names it does not know: the dashboard.
    expect(startView("#container")).toBe("dashboard");
    expect(startContainer("#container?id=")).toBeNull();
    expect(startContainer("#containers?id=web")).toBeNull();
    expect(startView("#nowhere")).toBe("dashboard");
    expect(startView("")).toBe("dashboard");
  });

  it("is shown when a second launch names it", () => {
    const nav = new Nav();
    nav.show("container?id=db");
    expect([nav.view, nav.container]).toEqual(["container", "db"]);
    nav.show("images");
    expect(nav.view).toBe("images");
  });
});
