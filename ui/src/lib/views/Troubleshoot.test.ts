import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type LogText } from "../ipc";
import { EngineStore } from "../engine.svelte";
import { FakeBackend, FakeTransport } from "../testing";
import Troubleshoot from "./Troubleshoot.svelte";

afterEach(cleanup);

const text = (t: string, reset = false): LogText => ({ reset, text: t });

describe("Troubleshoot", () => {
  it("follows the chosen log as it is written, and says what an empty one means", async () => {
    const t = new FakeTransport();
    const engine = new EngineStore(new FakeBackend());
    render(Troubleshoot, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const log = () => screen.getByTestId("troubleshoot-log").textContent;
    const followed = (which: string) => t.streams.find((s) => s.command === "log_follow" && s.args.which === which && !s.stopped)!;
    await waitFor(() => expect(followed("engine")).toBeDefined());
    expect(followed("engine").args.lines).toBe(500);
    // Nothing said before the log answers; then an empty log says what it means.
    expect(log()).toBe("");
    followed("engine").send({ items: [text("", true)], done: false, error: null });
    await waitFor(() => expect(log()).toContain("Berth's own engine writes here while it runs"));
    followed("engine").send({ items: [text("dockerd started\n")], done: false, error: null });
    await waitFor(() => expect(log()).toBe("dockerd started\n"));
    followed("engine").send({ items: [text("a container started\n")], done: false, error: null });
    await waitFor(() => expect(log()).toBe("dockerd started\na container started\n"));
    // Cut back: what it holds now.
    followed("engine").send({ items: [text("after the cut\n", true)], done: false, error: null });
    await waitFor(() => expect(log()).toBe("after the cut\n"));

    // Another log: the first one's stream ends, the new one is followed from its last lines.
    const first = followed("engine");
    await fireEvent.change(screen.getByRole("combobox", { name: "Log" }), { target: { value: "app" } });
    await waitFor(() => expect(first.stopped).toBe(true));
    followed("app").send({ items: [text("the window started\n", true)], done: false, error: null });
    await waitFor(() => expect(log()).toBe("the window started\n"));
  });

  it("keeps the newest 5,000 lines of a log that goes on", async () => {
    const t = new FakeTransport();
    const engine = new EngineStore(new FakeBackend());
    render(Troubleshoot, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const log = () => screen.getByTestId("troubleshoot-log").textContent ?? "";
    await waitFor(() => expect(t.streams.length).toBe(1));
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `line ${from + i}\n`).join("");
    t.streams[0].send({ items: [text(lines(0, 3000), true)], done: false, error: null });
    t.streams[0].send({ items: [text(lines(3000, 3000))], done: false, error: null });
    await waitFor(() => expect(log().endsWith("line 5999\n")).toBe(true));
    expect(log().startsWith("line 1000\n")).toBe(true);
    expect(log().split("\n").length).toBe(5001);
  });

  it("says a log that cannot be read", async () => {
    const t = new FakeTransport();
    const engine = new EngineStore(new FakeBackend());
    render(Troubleshoot, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await waitFor(() => expect(t.streams.length).toBe(1));
    t.streams[0].send({ items: [], done: true, error: { code: "invalid_input", message: "/x/engine.log: Permission denied" } });
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("engine.log: Permission denied"));
  });

  it("saves a diagnostics archive where asked, says what it holds, and keeps the dialog on a refusal", async () => {
    const t = new FakeTransport();
    t.handlers.diagnostics = (args) => {
      if (args.to === "/nowhere/d.tar.gz") throw { code: "invalid_input", message: "cannot write /nowhere/d.tar.gz: No such file or directory" };
      return { path: args.to, size: 2048, files: ["berth.txt", "engine-view.json", "problems.txt"], problems: ["no engine answers: tried the system socket"] };
    };
    const engine = new EngineStore(new FakeBackend());
    render(Troubleshoot, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    await fireEvent.click(screen.getByTestId("diagnostics-save"));
    const path = screen.getByTestId("diagnostics-archive-path");
    await fireEvent.input(path, { target: { value: "/nowhere/d.tar.gz" } });
    await fireEvent.click(screen.getByTestId("diagnostics-archive-run"));
    await waitFor(() => expect(screen.getByTestId("diagnostics-archive-error").textContent).toBe("cannot write /nowhere/d.tar.gz: No such file or directory"));
    await fireEvent.input(path, { target: { value: "/home/me/d.tar.gz" } });
    await fireEvent.click(screen.getByTestId("diagnostics-archive-run"));
    await waitFor(() => expect(screen.queryByTestId("diagnostics-archive")).toBeNull());
    expect(screen.getByTestId("diagnostics-saved").textContent?.replace(/\s+/g, " ").trim()).toBe(
      "Saved /home/me/d.tar.gz (2.05kB): berth.txt, engine-view.json, problems.txt. Not read: no engine answers: tried the system socket.",
    );
    expect(t.calls.filter((c) => c.command === "diagnostics").map((c) => c.args.to)).toEqual(["/nowhere/d.tar.gz", "/home/me/d.tar.gz"]);
  });
});
