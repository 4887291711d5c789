import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { flushSync } from "svelte";
import { afterEach, describe, expect, it } from "vitest";
import EngineCard from "./EngineCard.svelte";
import { EngineStore } from "./engine.svelte";
import { FakeBackend, view } from "./testing";

afterEach(cleanup);

describe("EngineCard", () => {
  it("shows a stopped engine with a Start button, and runs it", async () => {
    const backend = new FakeBackend();
    const engine = new EngineStore(backend);
    await engine.connect();
    render(EngineCard, { engine });
    expect(screen.getByTestId("engine-state").textContent).toBe("stopped");
    expect(screen.getByTestId("no-connection").textContent).toContain("no engine is reachable");
    // What Start engine will do, and where the data goes, before it is pressed.
    expect(screen.getByTestId("first-run").textContent).toContain("rootful engine");
    expect(screen.getByTestId("first-run").textContent).toContain("/var/lib/berth");
    const start = screen.getByRole("button", { name: "Start engine" }) as HTMLButtonElement;
    expect(start.disabled).toBe(false);
    expect((screen.getByRole("button", { name: "Stop engine" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(start);
    await engine.run("start"); // settle the click's run
    flushSync();
    expect(screen.getByTestId("engine-state").textContent).toBe("running");
    expect(screen.getByTestId("connection").textContent).toContain("unix:///run/berth/docker.sock");
    // A path breaks after its slashes, not inside a name; its text is the path.
    const log = [...document.querySelectorAll("dd code")].find((c) => c.textContent === "/var/log/berth/engine.log")!;
    expect(log.innerHTML.replace(/<!---->/g, "").replaceAll("<wbr>", "|")).toBe("/|var/|log/|berth/|engine.log|");
  });

  it("shows a first start's missing piece with the command that fixes it", async () => {
    const backend = new FakeBackend();
    backend.failStart =
      "Berth's engine failed: newuidmap is missing, which the rootless engine needs: `sudo apt-get install uidmap`";
    const engine = new EngineStore(backend);
    await engine.connect();
    render(EngineCard, { engine });
    await fireEvent.click(screen.getByRole("button", { name: "Start engine" }));
    await engine.run("start");
    flushSync();
    expect(screen.getByRole("alert").textContent).toBe(backend.failStart);
    expect((screen.getByRole("button", { name: "Start engine" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("shows why the engine failed", async () => {
    const backend = new FakeBackend();
    const engine = new EngineStore(backend);
    await engine.connect();
    render(EngineCard, { engine });
    const failed = view("stopped");
    failed.own = { ...failed.own, state: "failed", reason: "dockerd exited with code 1" };
    backend.emit(failed);
    flushSync();
    expect(screen.getByTestId("engine-state").textContent).toBe("failed");
    expect(screen.getByTestId("engine-reason").textContent).toBe("dockerd exited with code 1");
  });

  it("says when the engine asked for (DOCKER_HOST, a context) does not answer and another is used", async () => {
    const backend = new FakeBackend();
    const running = view("running");
    const said = "DOCKER_HOST tcp://10.0.0.9:2375 does not answer (refused); using Berth's engine at unix:///run/berth/docker.sock instead";
    backend.current = { ...running, connection: { ...running.connection!, passed_over: said } };
    const engine = new EngineStore(backend);
    await engine.connect();
    render(EngineCard, { engine });
    expect(screen.getByTestId("passed-over").textContent).toBe(`${said}.`);
    backend.emit(running);
    flushSync();
    expect(screen.queryByTestId("passed-over")).toBeNull();
  });
});
