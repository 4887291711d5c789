import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../../ipc";
import { FakeTransport, paneOf600px } from "../../testing";
import Logs from "./Logs.svelte";

afterEach(cleanup);

describe("a container's logs", () => {
  it("puts only the lines in view in the page, and stops following when scrolled up", async () => {
    paneOf600px();
    const t = new FakeTransport();
    render(Logs, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const stream = t.streams.find((s) => s.command === "logs_follow")!;
    expect(stream.args).toEqual({ id: "abc", tail: 1000, timestamps: false });
    const text = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join("\n") + "\n";
    stream.send({ items: [{ stream: "stdout", text }], done: false, error: null });
    await waitFor(() => expect(screen.getByText("20000 lines")).toBeTruthy());
    const rows = screen.getByTestId("logs").querySelectorAll("[role=listitem]").length;
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(100);
    // Scrolled up by the reader: no longer followed; back at the end: followed again.
    const follow = screen.getByLabelText("follow") as HTMLInputElement;
    expect(follow.checked).toBe(true);
    const list = screen.getByTestId("logs");
    Object.defineProperty(list, "scrollHeight", { configurable: true, get: () => 20_000 * 18 });
    const end = 20_000 * 18 - 600;
    list.scrollTop = end;
    await fireEvent.scroll(list);
    expect(follow.checked).toBe(true);
    list.scrollTop = 1000;
    await fireEvent.scroll(list);
    expect(follow.checked).toBe(false);
    // Moving down, not to the end, leaves it off.
    list.scrollTop = 2000;
    await fireEvent.scroll(list);
    expect(follow.checked).toBe(false);
    list.scrollTop = end;
    await fireEvent.scroll(list);
    expect(follow.checked).toBe(true);
    cleanup();
    expect(stream.stopped).toBe(true);
  });

  it("says when nothing is logged yet, and when the search hides every line", async () => {
    const t = new FakeTransport();
    render(Logs, { props: { id: "abc" }, context: new Map<string, unknown>([["api", api(t)]]) });
    const empty = () => screen.queryByTestId("logs-empty")?.textContent ?? null;
    expect(empty()).toContain("No output yet");
    const stream = t.streams.find((s) => s.command === "logs_follow")!;
    stream.send({ items: [{ stream: "stdout", text: "ready\n" }], done: false, error: null });
    await waitFor(() => expect(empty()).toBeNull());
    await fireEvent.input(screen.getByLabelText("Search logs"), { target: { value: "nothing like it" } });
    await waitFor(() => expect(empty()).toContain("No line matches"));
  });
});
