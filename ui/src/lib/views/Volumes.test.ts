import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { VolumeRow } from "../ipc";
import { FakeTransport, viewContext } from "../testing";
import Volumes from "./Volumes.svelte";

afterEach(cleanup);

const volume = (name: string): VolumeRow => ({ name, driver: "local", mountpoint: `/v/${name}`, created_at: null, scope: "local", labels: {}, users: [], usage: null });

describe("Volumes", () => {
  it("shows the list at once and each volume's size once the engine has measured them", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data"), volume("new")];
    let measured: (v: unknown) => void = () => {};
    t.handlers.volume_sizes = () => new Promise((r) => (measured = r));
    render(Volumes, { context: viewContext(t) });
    const cells = () => screen.queryAllByTestId("volume-size").map((c) => c.textContent);
    await waitFor(() => expect(cells()).toEqual(["…", "…"]));
    measured({ known: true, sizes: { data: 1_500_000 } });
    await waitFor(() => expect(cells()).toEqual(["1.50MB", "—"]));
  });

  it("says so when the engine cannot measure them, and still lists them", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data")];
    t.handlers.volume_sizes = () => {
      throw { code: "engine", message: "df is busy" };
    };
    render(Volumes, { context: viewContext(t) });
    await waitFor(() => expect(screen.getByText(/did not measure the volumes: df is busy/)).toBeTruthy());
    expect(screen.getAllByTestId("volume-size").map((c) => c.textContent)).toEqual(["—"]);
  });

  it("says there are none rather than showing an empty table", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    render(Volumes, { context: viewContext(t) });
    await waitFor(() => expect(screen.getByText(/No volumes yet/)).toBeTruthy());
  });

  it("with no engine, says volumes show once one answers, and no error of its own (the banner says why)", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => {
      throw { code: "engine_unreachable", message: "no engine is reachable (tried x)" };
    };
    render(Volumes, { context: viewContext(t, false) });
    await waitFor(() => expect(screen.getByTestId("no-volumes").textContent).toContain("once an engine answers"));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
