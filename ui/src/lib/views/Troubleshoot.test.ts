import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api } from "../ipc";
import { EngineStore } from "../engine.svelte";
import { FakeBackend, FakeTransport } from "../testing";
import Troubleshoot from "./Troubleshoot.svelte";

afterEach(cleanup);

describe("Troubleshoot", () => {
  it("shows the chosen log, and says what an empty one means", async () => {
    const t = new FakeTransport();
    const logs: Record<string, string> = { engine: "", app: "the window started\n" };
    t.handlers.log_tail = (args) => logs[args.which as string] ?? "";
    const engine = new EngineStore(new FakeBackend());
    render(Troubleshoot, { props: { engine }, context: new Map<string, unknown>([["api", api(t)]]) });
    const log = () => screen.getByTestId("troubleshoot-log").textContent;
    await waitFor(() => expect(log()).toContain("Berth's own engine writes here while it runs"));
    await fireEvent.change(screen.getByRole("combobox", { name: "Log" }), { target: { value: "app" } });
    await waitFor(() => expect(log()).toBe("the window started\n"));
  });
});
