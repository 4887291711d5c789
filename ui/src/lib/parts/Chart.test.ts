import { cleanup, render, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeIntersection } from "../testing";
import Chart from "./Chart.svelte";

// uPlot draws on a canvas, which jsdom lacks: a stand-in records what the chart is given.
type Opts = { axes: { stroke: () => string }[]; hooks: { drawClear: (() => void)[] } };
const plots = vi.hoisted(() => [] as { opts: Opts; data: number[][]; setData: number[][][]; destroyed: boolean }[]);
vi.mock("uplot", () => ({
  default: class {
    rec: (typeof plots)[number];
    constructor(opts: Opts, data: number[][]) {
      this.rec = { opts, data, setData: [], destroyed: false };
      plots.push(this.rec);
    }
    setData(data: number[][]) {
      this.rec.setData.push(data);
    }
    setSize() {}
    destroy() {
      this.rec.destroyed = true;
    }
  },
}));

class NoResize {
  observe() {}
  disconnect() {}
}
vi.stubGlobal("ResizeObserver", NoResize);
vi.stubGlobal("IntersectionObserver", FakeIntersection);

afterEach(() => {
  cleanup();
  plots.length = 0;
});

describe("Chart", () => {
  const series = [{ label: "all", color: "#000" }];

  it("draws each new sample, not only the data it was made with", async () => {
    const { rerender, container } = render(Chart, { title: "CPU", series, data: [[1], [10]] });
    await waitFor(() => expect(plots.length).toBe(1));
    expect(plots[0].data).toEqual([[1], [10]]);
    await rerender({ data: [[1, 2], [10, 20]] });
    await waitFor(() => expect(plots[0].setData.at(-1)).toEqual([[1, 2], [10, 20]]));
    await rerender({ data: [[1, 2, 3], [10, 20, 30]] });
    await waitFor(() => expect(plots[0].setData.at(-1)).toEqual([[1, 2, 3], [10, 20, 30]]));
    expect(plots.length).toBe(1);
    expect(container.querySelector("figure")?.dataset.samples).toBe("3");
  });

  it("redraws only while it can be seen, and catches up when it shows again", async () => {
    const { rerender, container } = render(Chart, { title: "CPU", series, data: [[1], [10]] });
    await waitFor(() => expect(plots.length).toBe(1));
    FakeIntersection.scroll(false);
    const before = plots[0].setData.length;
    await rerender({ data: [[1, 2], [10, 20]] });
    await rerender({ data: [[1, 2, 3], [10, 20, 30]] });
    expect(plots[0].setData.length).toBe(before);
    FakeIntersection.scroll(true);
    await waitFor(() => expect(plots[0].setData.at(-1)).toEqual([[1, 2, 3], [10, 20, 30]]));
    expect(container.querySelector("figure")?.dataset.samples).toBe("3");
  });

  it("draws its axes in the theme's colour, read at each draw", async () => {
    const { container } = render(Chart, { title: "CPU", series, data: [[1], [10]] });
    await waitFor(() => expect(plots.length).toBe(1));
    // (jsdom does not inherit custom properties: set on the chart's own box.)
    const box = container.querySelector("figure > div") as HTMLElement;
    box.style.setProperty("--muted", "#123456");
    const { axes, hooks } = plots[0].opts;
    hooks.drawClear.forEach((h) => h());
    expect(axes.map((a) => a.stroke())).toEqual(["#123456", "#123456"]);
    box.style.setProperty("--muted", "#abcdef");
    hooks.drawClear.forEach((h) => h());
    expect(axes[0].stroke()).toBe("#abcdef");
  });

  it("lets go of its plot when it goes away", async () => {
    render(Chart, { title: "CPU", series, data: [[1], [10]] });
    await waitFor(() => expect(plots.length).toBe(1));
    cleanup();
    expect(plots[0].destroyed).toBe(true);
    expect(FakeIntersection.live.size).toBe(0);
  });
});
