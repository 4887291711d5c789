import { cleanup, render, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeIntersection } from "../testing";
import Chart from "./Chart.svelte";

// uPlot draws on a canvas, which jsdom lacks: a stand-in records what the chart is given.
type Opts = {
  axes: { stroke: () => string }[];
  hooks: { drawClear: (() => void)[] };
  scales: { x: { range?: (u: unknown, lo: number, hi: number) => [number, number] } };
};
const plots = vi.hoisted(() => [] as { opts: Opts; data: number[][]; setData: number[][][]; destroyed: boolean }[]);
vi.mock("uplot", () => ({
  default: class {
    rec: (typeof plots)[number];
    constructor(opts: Opts, data: number[][]) {
      this.rec = { opts, data, setData: [], destroyed: false };
      plots.push(this.rec);
    }
    bbox = { width: 400 };
    get data() {
      return this.rec.setData.at(-1) ?? this.rec.data;
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

  it("with a span, shows that much time and redraws once the newest sample moved it by 4 px", async () => {
    // 400 px wide (the stand-in's plot area), ten minutes: 4 px is 6 s.
    const at = (n: number) => [Array.from({ length: n }, (_, i) => i + 1), Array.from({ length: n }, () => 5)];
    const { rerender, container } = render(Chart, { title: "CPU", series, data: at(1), span: 600 });
    await waitFor(() => expect(plots.length).toBe(1));
    // Ending at the newest sample: uPlot pads a single sample's range by a thousand days.
    const range = plots[0].opts.scales.x.range!;
    const padded = 86_400_000;
    expect(range({ data: [[1, 700], [5, 5]] }, 1, 700)).toEqual([100, 700]);
    expect(range({ data: [[700], [5]] }, 700 - padded, 700 + padded)).toEqual([100, 700]);
    for (let n = 2; n <= 13; n++) await rerender({ data: at(n) });
    await waitFor(() => expect(container.querySelector("figure")?.dataset.samples).toBe("13"));
    expect(plots[0].setData.map((d) => d[0].length)).toEqual([1, 7, 13]);
    // Without a span, each sample.
    plots.length = 0;
    cleanup();
    const plain = render(Chart, { title: "CPU", series, data: at(1) });
    await waitFor(() => expect(plots.length).toBe(1));
    for (let n = 2; n <= 4; n++) await plain.rerender({ data: at(n) });
    expect(plots[0].setData.map((d) => d[0].length)).toEqual([1, 2, 3, 4]);
  });
});
