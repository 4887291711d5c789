import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import type { VolumeRow } from "../ipc";
import { FakeTransport, viewContext } from "../testing";
import type { Nav } from "../nav.svelte";
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

  it("says which volumes the engine refused to remove and why, and keeps saying it once the list is read again", async () => {
    const t = new FakeTransport();
    let rows = [{ ...volume("data"), users: ["web"] }, volume("old"), volume("gone")];
    t.handlers.volumes = () => rows;
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    t.handlers.volume_prune_candidates = () => rows;
    t.handlers.volume_remove = (args) => {
      if (args.name === "data") throw { code: "conflict", message: "volume data is in use by web: remove the container first" };
      rows = rows.filter((v) => v.name !== args.name);
    };
    render(Volumes, { context: viewContext(t) });
    await waitFor(() => expect(screen.getAllByTestId("volume-row").length).toBe(3));
    await fireEvent.click(screen.getByRole("button", { name: "Prune…" }));
    await fireEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getAllByTestId("volume-row").map((r) => r.dataset.name)).toEqual(["data"]));
    const said = "volume data is in use by web: remove the container first";
    await waitFor(() => expect(screen.getByTestId("volumes-action-error").textContent).toBe(said));
    // Another tool makes a volume: the list is read again, the refusal still said.
    rows = [...rows, volume("made")];
    t.emit("volumes://changed", [{ action: "create", id: "made" }]);
    await waitFor(() => expect(screen.getAllByTestId("volume-row").length).toBe(2));
    expect(screen.getByTestId("volumes-action-error").textContent).toBe(said);
    // The next action that succeeds clears it.
    await fireEvent.click(screen.getByRole("button", { name: "Remove made" }));
    await fireEvent.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getAllByTestId("volume-row").map((r) => r.dataset.name)).toEqual(["data"]));
    expect(screen.queryByTestId("volumes-action-error")).toBeNull();
  });

  it("removes the volumes selected after listing them; one in use is said and kept, the others go", async () => {
    const t = new FakeTransport();
    let rows = [{ ...volume("data"), users: ["web"] }, volume("old"), volume("keep")];
    t.handlers.volumes = () => rows;
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    t.handlers.volume_remove = (args) => {
      if (args.name === "data") throw { code: "conflict", message: "volume data is in use by web: remove the container first" };
      rows = rows.filter((v) => v.name !== args.name);
    };
    render(Volumes, { context: viewContext(t) });
    const names = () => screen.queryAllByTestId("volume-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toEqual(["data", "keep", "old"]));
    await fireEvent.click(screen.getByTestId("volumes-select-all"));
    expect(screen.getByTestId("volumes-selected").textContent).toBe("3 selected");
    await fireEvent.click(screen.getByRole("checkbox", { name: "Select keep" }));
    await fireEvent.click(screen.getByTestId("volumes-remove-selected"));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByText("Remove 2 volumes and their data")).toBeTruthy();
    expect(within(dialog).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["data", "old"]);
    await fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(names()).toEqual(["data", "keep"]));
    expect(screen.getByTestId("volumes-action-error").textContent).toBe("volume data is in use by web: remove the container first");
    expect(screen.queryByTestId("volumes-selected")).toBeNull();
  });

  it("lists them again when the engine says a volume came or went, and who uses them when a container did", async () => {
    const t = new FakeTransport();
    let rows = [volume("data")];
    t.handlers.volumes = () => rows;
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    const { unmount } = render(Volumes, { context: viewContext(t) });
    const names = () => screen.queryAllByTestId("volume-row").map((r) => r.dataset.name);
    const measures = () => t.calls.filter((c) => c.command === "volume_sizes").length;
    await waitFor(() => expect(names()).toEqual(["data"]));
    // Made by the CLI, say: the view asks again, and measures again.
    rows = [volume("data"), volume("made")];
    t.emit("volumes://changed", [{ action: "create", id: "made" }]);
    await waitFor(() => expect(names()).toEqual(["data", "made"]));
    await waitFor(() => expect(measures()).toBe(2));
    // A container made with it: its users change, its size does not.
    rows = [volume("data"), { ...volume("made"), users: ["web"] }];
    t.emit("containers://changed", { events: [{ action: "create", id: "web-id" }], rows: [] });
    await waitFor(() => expect(screen.getByText("web")).toBeTruthy());
    expect(measures()).toBe(2);
    unmount();
    await waitFor(() => expect(t.listeners.get("volumes://changed")?.length ?? 0).toBe(0));
  });

  it("searches names and users, and sorts by the header clicked", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [
      { ...volume("cache"), created_at: "2026-11-03T10:00:00Z" },
      { ...volume("pgdata"), users: ["db"], created_at: "2026-11-01T10:00:00Z" },
      { ...volume("assets"), created_at: "2026-11-02T10:00:00Z" },
    ];
    t.handlers.volume_sizes = () => ({ known: true, sizes: { cache: 10, pgdata: 900, assets: 50 } });
    render(Volumes, { context: viewContext(t) });
    const names = () => screen.queryAllByTestId("volume-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toEqual(["assets", "cache", "pgdata"]));
    await waitFor(() => expect(screen.getAllByTestId("volume-size")[0].textContent).not.toBe("…"));
    await fireEvent.click(screen.getByTestId("sort-size"));
    expect(names()).toEqual(["pgdata", "assets", "cache"]);
    expect(screen.getByTestId("sort-size").closest("th")!.getAttribute("aria-sort")).toBe("descending");
    await fireEvent.click(screen.getByTestId("sort-created"));
    expect(names()).toEqual(["cache", "assets", "pgdata"]);
    await fireEvent.input(screen.getByLabelText("Search volumes"), { target: { value: "DB" } });
    expect(names()).toEqual(["pgdata"]);
    await fireEvent.input(screen.getByLabelText("Search volumes"), { target: { value: "nothing" } });
    expect(screen.getByTestId("no-volumes").textContent).toContain("No volume matches");
  });

  it("opens the page of a container that uses a volume", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [{ ...volume("shared"), users: ["api", "worker"] }, volume("idle")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    const context = viewContext(t);
    render(Volumes, { context });
    await waitFor(() => expect(screen.getAllByTestId("volume-user-open").map((b) => b.textContent)).toEqual(["api", "worker"]));
    const idle = screen.getAllByTestId("volume-row").find((r) => r.dataset.name === "idle")!;
    expect(idle.querySelector(".users")!.textContent!.trim()).toBe("—");
    await fireEvent.click(screen.getAllByTestId("volume-user-open")[1]);
    const nav = context.get("nav") as Nav;
    expect([nav.view, nav.container]).toEqual(["container", "worker"]);
  });

  it("browses a volume's files folder by folder, and downloads one", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    const tree: Record<string, string[]> = { "/": ["d", "a.txt"], "/d": ["b.txt"] };
    t.handlers.volume_files = ({ path }) =>
      tree[path as string].map((p) => ({ path: p, kind: p.includes(".") ? "file" : "dir", size: 3, mode: 0o644 }));
    t.handlers.volume_download = () => undefined;
    render(Volumes, { context: viewContext(t) });
    await fireEvent.click(await screen.findByTestId("volume-browse"));
    const files = () => screen.queryAllByTestId("file-row").map((r) => r.firstElementChild!.textContent);
    await waitFor(() => expect(files()).toEqual(["d/", "a.txt"]));
    await fireEvent.click(screen.getByText("d/"));
    await waitFor(() => expect(files()).toEqual(["b.txt"]));
    expect(screen.getByTestId("files-path").textContent).toBe("/d");
    await fireEvent.input(screen.getByLabelText(/Local file or folder/), { target: { value: "/tmp/b.txt" } });
    await fireEvent.click(screen.getByText("Download"));
    await waitFor(() => expect(t.calls.find((c) => c.command === "volume_download")?.args).toEqual({ name: "data", path: "/d/b.txt", to: "/tmp/b.txt" }));
    expect(screen.getByText("Copied /d/b.txt to /tmp/b.txt")).toBeTruthy();
  });

  it("shows a file's text, says when a file is not text, and shows the error for one it cannot read", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    t.handlers.volume_files = () => ["a.conf", "b.bin", "c.gone"].map((p) => ({ path: p, kind: "file", size: 3, mode: 0o644 }));
    t.handlers.volume_text = ({ path }) => {
      if (path === "/c.gone") throw { code: "not_found", message: "data:/c.gone: no such file or directory in the volume" };
      return { path, text: path === "/a.conf" ? "listen 80;\n" : "", size: 3, truncated: false, binary: path === "/b.bin" };
    };
    render(Volumes, { context: viewContext(t) });
    await fireEvent.click(await screen.findByTestId("volume-browse"));
    const view = async (name: string) => {
      const row = await waitFor(() => document.querySelector(`[data-testid=file-row][data-name="${name}"]`)!);
      await fireEvent.click(row.querySelector("[data-testid=file-view]")!);
    };
    await view("a.conf");
    await waitFor(() => expect(screen.getByTestId("file-text").querySelector("pre")?.textContent).toBe("listen 80;\n"));
    expect(t.calls.find((c) => c.command === "volume_text")?.args).toEqual({ name: "data", path: "/a.conf" });
    await view("b.bin");
    await waitFor(() => expect(screen.getByTestId("file-binary")).toBeTruthy());
    await view("c.gone");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("data:/c.gone: no such file or directory in the volume"));
    await fireEvent.click(within(screen.getByTestId("file-text")).getByText("Close"));
    expect(screen.queryByTestId("file-text")).toBeNull();
  });

  it("clones a volume under the name given, and shows the engine's refusal", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    let refuse = true;
    t.handlers.volume_clone = ({ to }) => {
      if (refuse) throw { code: "conflict", message: `${to}: a volume of that name exists; choose another name for the copy` };
      return volume(to as string);
    };
    render(Volumes, { context: viewContext(t) });
    await fireEvent.click(await screen.findByTestId("volume-clone"));
    const name = screen.getByTestId("volume-clone-name") as HTMLInputElement;
    expect(name.value).toBe("data-copy");
    await fireEvent.submit(screen.getByTestId("volume-clone-form"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("data-copy: a volume of that name exists; choose another name for the copy"));
    refuse = false;
    await fireEvent.input(name, { target: { value: "data-backup" } });
    await fireEvent.submit(screen.getByTestId("volume-clone-form"));
    await waitFor(() => expect(screen.getByText("Cloned data into data-backup")).toBeTruthy());
    expect(t.calls.filter((c) => c.command === "volume_clone").map((c) => c.args)).toEqual([
      { from: "data", to: "data-copy" },
      { from: "data", to: "data-backup" },
    ]);
    expect(screen.queryByTestId("volume-clone-form")).toBeNull();
  });

  it("exports a volume's files to an archive and imports one into it, the path asked for each", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [volume("data")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    t.handlers.volume_export = () => 4096;
    t.handlers.volume_import = (args) => {
      if (args.from === "/tmp/bad.tar") throw { code: "invalid_input", message: "/tmp/bad.tar: not a tar archive" };
      return undefined;
    };
    render(Volumes, { context: viewContext(t) });
    await fireEvent.click(await screen.findByTestId("volume-export"));
    const form = () => screen.queryByTestId("volume-archive");
    expect(form()!.getAttribute("aria-label")).toBe("Export data");
    expect(form()!.textContent).toContain("the volume's files as a .tar");
    const run = () => screen.getByTestId<HTMLButtonElement>("volume-archive-run");
    expect(run().disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("volume-archive-path"), { target: { value: "/tmp/data.tar" } });
    await fireEvent.click(run());
    await waitFor(() => expect(form()).toBeNull());
    expect(t.calls.find((c) => c.command === "volume_export")?.args).toEqual({ name: "data", to: "/tmp/data.tar" });
    expect(screen.getByTestId("volume-note").textContent).toBe("Exported data to /tmp/data.tar (4.10kB)");

    // Import: a path of its own; an archive refused keeps the form, with why.
    await fireEvent.click(screen.getByTestId("volume-import"));
    expect(form()!.getAttribute("aria-label")).toBe("Import into data");
    expect(form()!.textContent).toContain("replace those at the same paths in data");
    expect(screen.getByTestId<HTMLInputElement>("volume-archive-path").value).toBe("");
    await fireEvent.input(screen.getByTestId("volume-archive-path"), { target: { value: "/tmp/bad.tar" } });
    await fireEvent.click(run());
    await waitFor(() => expect(screen.getByTestId("volume-archive-error").textContent).toContain("not a tar archive"));
    expect(form()).not.toBeNull();
    await fireEvent.input(screen.getByTestId("volume-archive-path"), { target: { value: "/tmp/data.tar" } });
    await fireEvent.click(run());
    await waitFor(() => expect(form()).toBeNull());
    expect(screen.getByTestId("volume-note").textContent).toBe("Imported /tmp/data.tar into data");
  });

  it("creates a volume with a driver's options and labels, refusing a bad line before the engine and saying the engine's refusal", async () => {
    const t = new FakeTransport();
    let rows = [volume("data")];
    t.handlers.volumes = () => rows;
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    t.handlers.volume_create = (args) => {
      if (args.driver === "nfs3") throw { code: "engine", message: "error looking up volume plugin nfs3: plugin \"nfs3\" not found" };
      const made = { ...volume(args.name as string), labels: { team: "web" } };
      rows = [...rows, made];
      return made;
    };
    render(Volumes, { context: viewContext(t) });
    await fireEvent.click(await screen.findByTestId("volume-create"));
    const field = (what: string) => screen.getByTestId(`create-volume-${what}`);
    await fireEvent.input(field("name"), { target: { value: "x" } });
    expect(screen.getByTestId("create-volume-problem").textContent).toContain('Name "x": two or more');
    await fireEvent.input(field("name"), { target: { value: "scratch" } });
    await fireEvent.input(field("options"), { target: { value: "type=tmpfs\nsize 100m" } });
    expect(screen.getByTestId("create-volume-problem").textContent).toBe('Option "size 100m": write KEY=VALUE, one a line');
    expect((field("run") as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(field("options"), { target: { value: "type=tmpfs\n\ndevice=tmpfs\no=size=100m" } });
    await fireEvent.input(field("labels"), { target: { value: "team=web" } });
    await fireEvent.input(field("driver"), { target: { value: "nfs3" } });
    await fireEvent.click(field("run"));
    await waitFor(() => expect(screen.getByTestId("create-volume-error").textContent).toContain('plugin "nfs3" not found'));
    await fireEvent.input(field("driver"), { target: { value: "" } });
    await fireEvent.click(field("run"));
    await waitFor(() => expect(screen.queryByTestId("create-volume")).toBeNull());
    expect(screen.getByTestId("volume-note").textContent).toBe("Created scratch");
    await waitFor(() => expect(screen.getAllByTestId("volume-row").map((r) => r.dataset.name)).toContain("scratch"));
    expect(t.calls.filter((c) => c.command === "volume_create").at(-1)?.args).toEqual({ name: "scratch", driver: null, options: ["type=tmpfs", "device=tmpfs", "o=size=100m"], labels: ["team=web"] });
  });

  it("shows the volumes in use or the unused ones, and says when none is", async () => {
    const t = new FakeTransport();
    t.handlers.volumes = () => [{ ...volume("data"), users: ["db"] }, volume("old")];
    t.handlers.volume_sizes = () => ({ known: true, sizes: {} });
    render(Volumes, { context: viewContext(t) });
    const names = () => screen.queryAllByTestId("volume-row").map((r) => r.dataset.name);
    await waitFor(() => expect(names()).toEqual(["data", "old"]));
    const show = screen.getByTestId("volumes-show");
    await fireEvent.change(show, { target: { value: "used" } });
    expect(names()).toEqual(["data"]);
    await fireEvent.change(show, { target: { value: "unused" } });
    expect(names()).toEqual(["old"]);
    await fireEvent.input(screen.getByLabelText("Search volumes"), { target: { value: "data" } });
    expect(screen.getByTestId("no-volumes").textContent).toContain("No unused volume matches “data”.");
    await fireEvent.click(within(screen.getByTestId("no-volumes")).getByText("Show all"));
    expect(names()).toEqual(["data", "old"]);
  });
});
