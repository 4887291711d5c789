import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api } from "../../ipc";
import { FakeTransport } from "../../testing";

vi.mock("@xterm/xterm", () => import("../../xterm-stub"));
const { written } = await import("../../xterm-stub");
vi.mock("@xterm/addon-fit", () => ({ FitAddon: class { fit() {} } }));
vi.stubGlobal("ResizeObserver", class { observe() {} disconnect() {} });

const { default: Terminal } = await import("./Terminal.svelte");

afterEach(cleanup);

describe("a container's terminal", () => {
  it("runs sh, then the command given in its place; a replaced session's output is dropped", async () => {
    const t = new FakeTransport();
    render(Terminal, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const sessions = () => t.streams.map((s) => [s.args.command, s.stopped]);
    expect(sessions()).toEqual([[["sh"], false]]);

    // An image without sh: the engine's error, then the end.
    t.streams[0].send({ items: ['exec: "sh": executable file not found'], done: true, error: null });
    await waitFor(() => expect(screen.getByTestId("exec-ended").textContent).toContain("sh has ended"));
    expect(written.join("")).toContain("not found");

    await fireEvent.input(screen.getByTestId("exec-command"), { target: { value: "/bin/busybox sh -c 'echo hi'" } });
    await fireEvent.click(screen.getByTestId("exec-run"));
    expect(sessions()).toEqual([
      [["sh"], true],
      [["/bin/busybox", "sh", "-c", "echo hi"], false],
    ]);
    expect(screen.queryByTestId("exec-ended")).toBeNull();
    expect(written).toEqual([]);

    t.streams[0].send({ items: ["late"], done: true, error: null });
    t.streams[1].send({ items: ["hi\r\n"], done: false, error: null });
    await waitFor(() => expect(written).toEqual(["hi\r\n"]));
    expect(screen.queryByTestId("exec-ended")).toBeNull();

    cleanup();
    expect(t.streams.every((s) => s.stopped)).toBe(true);
  });

  it("asks for a command when the field is empty, and keeps the session it has", async () => {
    const t = new FakeTransport();
    render(Terminal, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    await fireEvent.input(screen.getByTestId("exec-command"), { target: { value: "  " } });
    await fireEvent.click(screen.getByTestId("exec-run"));
    expect(screen.getByRole("alert").textContent).toContain("Give a command");
    expect(t.streams.map((s) => s.stopped)).toEqual([false]);
  });
});
