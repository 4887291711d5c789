import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api, type DiskUsageView, type PruneItem } from "../../ipc";
import { FakeIntersection, FakeTransport, setVisibility } from "../../testing";
import DiskUsage from "./DiskUsage.svelte";

beforeEach(() => {
  vi.stubGlobal("IntersectionObserver", FakeIntersection);
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  setVisibility("visible", false);
});

const line = (total: number, active: number, size: number, reclaimable: number) => ({ total, active, size, reclaimable });

describe("the engine's disk", () => {
  it("is read once when it is in view, and cleaned up after a yes to the list of what goes", async () => {
    const t = new FakeTransport();
    let df: DiskUsageView = { images: line(3, 1, 3_000_000, 2_000_000), containers: line(2, 1, 10, 5), volumes: line(1, 1, 0, 0), build_cache: line(0, 0, 0, 0), volume_sizes_known: true };
    t.handlers.disk_usage = () => df;
    const plan: PruneItem[] = [
      { kind: "container", id: "c1", name: "old", size: 0 },
      { kind: "image", id: "sha256:a", name: "web:1", size: 2_000_000 },
      { kind: "build cache", id: "k7p2ifpjzb8gpux775vh0q9r3", name: "k7p2ifpjzb8g (fileop target)", size: 1_982_387 },
    ];
    t.handlers.system_prune_plan = () => plan;
    t.handlers.system_prune = () => ({ removed: 2, reclaimed: 1_982_387, refused: [{ item: plan[1], message: "conflict: in use by a new container" }] });
    render(DiskUsage, { context: new Map<string, unknown>([["api", api(t)]]) });
    const images = await waitFor(() => screen.getAllByTestId("disk-row").find((r) => r.dataset.type === "Images")!);
    // Scrolled away and back: not read again (the engine walks its files to answer).
    FakeIntersection.scroll(false);
    FakeIntersection.scroll(true);
    expect(t.calls.filter((c) => c.command === "disk_usage").length).toBe(1);
    expect([...images.querySelectorAll("td")].map((td) => td.textContent)).toEqual(["Images", "3", "1", "3.00MB", "2.00MB"]);

    await fireEvent.click(screen.getByLabelText("unused volumes too"));
    await fireEvent.click(screen.getByTestId("clean-up"));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByTestId("confirm-items").textContent).toBe("container oldimage web:1build cache k7p2ifpjzb8g (fileop target)");
    expect(t.calls.find((c) => c.command === "system_prune_plan")?.args).toEqual({ volumes: true });
    expect(t.calls.some((c) => c.command === "system_prune")).toBe(false);
    df = { ...df, containers: line(1, 1, 10, 0) };
    await fireEvent.click(within(dialog).getByText("Remove"));
    await waitFor(() => expect(screen.getByTestId("clean-up-outcome").textContent).toBe("Removed 2, 1.98MB given back"));
    expect(t.calls.find((c) => c.command === "system_prune")?.args).toEqual({ items: plan });
    expect(screen.getByRole("alert").textContent).toBe("image web:1: conflict: in use by a new container");
    // Read again after it.
    await waitFor(() => expect(t.calls.filter((c) => c.command === "disk_usage").length).toBe(2));
  });
});
