import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../ipc";
import { FakeTransport } from "../testing";
import RunDialog from "./RunDialog.svelte";

afterEach(cleanup);

describe("RunDialog", () => {
  it("checks as you type and runs only a request the app accepts", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = (args) => {
      const req = args.req as { ports: string[] };
      if (req.ports.includes("99999:80")) throw { code: "invalid_input", message: "99999: a port is 1 to 65535" };
    };
    let ran: string | null = null;
    t.handlers.run = () => ({ id: "new-id", warnings: [] });
    render(RunDialog, {
      props: { image: "web:1", onclose: () => {}, onran: (id: string) => (ran = id) },
      context: new Map([["api", api(t)]]),
    });
    const ports = screen.getByTestId("run-ports");
    await fireEvent.input(ports, { target: { value: "99999:80" } });
    await waitFor(() => expect(screen.getByTestId("run-problem").textContent).toContain("99999"));
    expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(ports, { target: { value: "8080:80" } });
    await waitFor(() => expect(screen.queryByTestId("run-problem")).toBeNull());
    await waitFor(() => expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("run-submit"));
    await waitFor(() => expect(ran).toBe("new-id"));
    const req = t.calls.find((c) => c.command === "run")!.args.req as { image: string; ports: string[] };
    expect(req.image).toBe("web:1");
    expect(req.ports).toEqual(["8080:80"]);
  });

  it("shows what the engine warned of before going on to the container", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = () => {};
    const warning = "Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.";
    t.handlers.run = () => ({ id: "new-id", warnings: [warning] });
    let ran: string | null = null;
    render(RunDialog, { props: { image: "web:1", onclose: () => {}, onran: (id: string) => (ran = id) }, context: new Map([["api", api(t)]]) });
    await waitFor(() => expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("run-submit"));
    await waitFor(() => expect(screen.getByTestId("run-warnings").textContent).toContain(warning));
    expect(ran).toBeNull();
    await fireEvent.click(screen.getByTestId("run-open"));
    expect(ran).toBe("new-id");
  });

  it("runs the image made for the platform given, checked as it is typed; none given sends no flags", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = (args) => {
      const platform = (args.req as { flags?: { platform: string | null } }).flags?.platform;
      if (platform === "linux") throw { code: "invalid_input", message: "linux: --platform is OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7" };
    };
    t.handlers.run = () => ({ id: "new-id", warnings: [] });
    render(RunDialog, { props: { image: "web:1", onclose: () => {}, onran: () => {} }, context: new Map([["api", api(t)]]) });
    const platform = screen.getByTestId("run-platform");
    await fireEvent.input(platform, { target: { value: "linux" } });
    await waitFor(() => expect(screen.getByTestId("run-problem").textContent).toContain("OS/ARCH"));
    await fireEvent.input(platform, { target: { value: " linux/arm64 " } });
    await waitFor(() => expect(screen.queryByTestId("run-problem")).toBeNull());
    await waitFor(() => expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("run-submit"));
    await waitFor(() => expect(t.calls.some((c) => c.command === "run")).toBe(true));
    const req = t.calls.find((c) => c.command === "run")!.args.req as { flags?: Record<string, unknown> };
    expect(req.flags).toMatchObject({ platform: "linux/arm64", publish_all: false, mounts: [] });
    // Cleared again: no flags at all, as `berth run` without --platform.
    await fireEvent.input(platform, { target: { value: "" } });
    await waitFor(() => {
      const last = t.calls.filter((c) => c.command === "run_check").at(-1)!.args.req as { flags?: unknown };
      expect(last.flags).toBeUndefined();
    });
  });

  it("says what the image exposes and keeps in volumes, and suggests its port", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = () => {};
    t.handlers.run_hints = (args) =>
      args.image === "web:1" ? { exposed_ports: ["5000/tcp", "9000/udp"], volumes: ["/data"] } : Promise.reject({ code: "not_found", message: "no such image" });
    render(RunDialog, { props: { image: "web:1", onclose: () => {}, onran: () => {} }, context: new Map([["api", api(t)]]) });
    await waitFor(() => expect(screen.getByTestId("run-exposed").textContent).toBe("The image exposes 5000/tcp, 9000/udp."));
    expect(screen.getByTestId("run-image-volumes").textContent).toContain("/data");
    expect(screen.getByTestId("run-ports").getAttribute("placeholder")).toBe("5000:5000");
    // Another image, not here: no hints, the usual example.
    await fireEvent.input(screen.getByTestId("run-image"), { target: { value: "other:2" } });
    await waitFor(() => expect(screen.queryByTestId("run-exposed")).toBeNull());
    expect(screen.getByTestId("run-ports").getAttribute("placeholder")).toBe("8000:5000");
  });

  it("shows the engine's error when the run fails", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = () => {};
    t.handlers.run = () => {
      throw { code: "not_found", message: "No such image: web:1" };
    };
    render(RunDialog, { props: { image: "web:1", onclose: () => {}, onran: () => {} }, context: new Map([["api", api(t)]]) });
    await waitFor(() => expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("run-submit"));
    await waitFor(() => expect(screen.getByTestId("run-error").textContent).toBe("No such image: web:1"));
  });

  it("takes the focus to its first field and closes on Escape wherever the focus is", async () => {
    const t = new FakeTransport();
    t.handlers.run_check = () => {};
    t.handlers.run_hints = () => ({ exposed_ports: [], volumes: [] });
    let closed = 0;
    render(RunDialog, { props: { image: "web:1", onclose: () => closed++, onran: () => {} }, context: new Map([["api", api(t)]]) });
    expect(document.activeElement).toBe(screen.getByTestId("run-image"));
    document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(closed).toBe(1);
  });
});
