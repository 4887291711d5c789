import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type ImageRow } from "../ipc";
import { Nav } from "../nav.svelte";
import { FakeTransport } from "../testing";
import Images from "./Images.svelte";
import { transferJob } from "../stores/jobs.svelte";

afterEach(() => {
  cleanup();
  transferJob.reset();
});

function image(tag: string): ImageRow {
  return { id: `sha256:${tag}`, repo_tags: [tag], repo_digests: [], created: 0, size: 1024, containers: 0, shared_size: null, dangling: false, labels: {} };
}

describe("Images", () => {
  it("lists the images again when the engine says one came or went, and stops listening when gone", async () => {
    const t = new FakeTransport();
    let rows = [image("web:1")];
    t.handlers.images = () => rows;
    const { unmount } = render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="web:1"]')).not.toBeNull());
    // Built by the CLI, say: the engine's image events arrive, the view asks again.
    rows = [image("web:1"), image("web:2")];
    t.emit("images://changed", [{ action: "tag", id: "sha256:web:2" }]);
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="web:2"]')).not.toBeNull());
    unmount();
    await waitFor(() => expect(t.listeners.get("images://changed")?.length ?? 0).toBe(0));
  });

  it("sorts by the header clicked: the newest first, then the largest, then the smallest", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [
      { ...image("small:1"), created: 3, size: 10 },
      { ...image("big:1"), created: 1, size: 900 },
      { ...image("mid:1"), created: 2, size: 50 },
    ];
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const tags = () => screen.getAllByTestId("image-row").map((r) => r.dataset.tag);
    await waitFor(() => expect(tags()).toEqual(["small:1", "mid:1", "big:1"]));
    await fireEvent.click(screen.getByTestId("sort-size"));
    await waitFor(() => expect(tags()).toEqual(["big:1", "mid:1", "small:1"]));
    expect(screen.getByTestId("sort-size").closest("th")!.getAttribute("aria-sort")).toBe("descending");
    await fireEvent.click(screen.getByTestId("sort-size"));
    await waitFor(() => expect(tags()).toEqual(["small:1", "mid:1", "big:1"]));
    expect(screen.getByTestId("sort-size").closest("th")!.getAttribute("aria-sort")).toBe("ascending");
  });

  it("shows each tag of an image on its own line; Remove on one of several only untags it", async () => {
    const t = new FakeTransport();
    const both = { ...image("app:1"), repo_tags: ["app:1", "localhost:5000/app:1"] };
    let rows = [both];
    t.handlers.images = () => rows;
    t.handlers.image_remove = () => {
      rows = [{ ...both, repo_tags: ["app:1"] }];
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const line = (tag: string) => document.querySelector<HTMLElement>(`[data-testid=image-row][data-tag="${tag}"]`);
    await waitFor(() => expect(line("localhost:5000/app:1")).not.toBeNull());
    expect(line("app:1")).not.toBeNull();
    await fireEvent.click(line("localhost:5000/app:1")!.querySelector("button.danger")!);
    expect(screen.getByText("Untag image")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Untag" }));
    await waitFor(() => expect(line("localhost:5000/app:1")).toBeNull());
    expect(t.calls.find((c) => c.command === "image_remove")?.args).toMatchObject({ names: ["localhost:5000/app:1"] });
    expect(line("app:1")).not.toBeNull();
  });

  it("removes the images selected, each the engine refuses said and the others gone; select all takes those shown", async () => {
    const t = new FakeTransport();
    const both = { ...image("app:1"), repo_tags: ["app:1", "app:latest"] };
    let rows = [both, image("web:1"), image("db:1")];
    t.handlers.images = () => rows;
    t.handlers.image_remove = (args) => {
      const [name] = (args as { names: string[] }).names;
      if (name === "web:1") throw { code: "conflict", message: "image web:1 is in use by web-1: remove the container first" };
      rows = rows.flatMap((r) => {
        const tags = r.repo_tags.filter((tag) => tag !== name);
        return tags.length ? [{ ...r, repo_tags: tags }] : [];
      });
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const line = (tag: string) => document.querySelector<HTMLElement>(`[data-testid=image-row][data-tag="${tag}"]`);
    await waitFor(() => expect(line("db:1")).not.toBeNull());
    expect(screen.queryByTestId("images-remove-selected")).toBeNull();
    // Select all takes the lines the search leaves, and a second click none.
    await fireEvent.input(screen.getByRole("searchbox", { name: "Search images" }), { target: { value: "app" } });
    await fireEvent.click(screen.getByTestId("images-select-all"));
    expect(screen.getByTestId("images-selected").textContent).toBe("2 selected");
    await fireEvent.click(screen.getByTestId("images-select-all"));
    expect(screen.queryByTestId("images-selected")).toBeNull();
    await fireEvent.input(screen.getByRole("searchbox", { name: "Search images" }), { target: { value: "" } });
    for (const tag of ["app:latest", "web:1", "db:1"]) await fireEvent.click(within(line(tag)!).getByTestId("image-select"));
    expect(screen.getByTestId("images-selected").textContent).toBe("3 selected");
    await fireEvent.click(screen.getByTestId("images-remove-selected"));
    const dialog = screen.getByRole("alertdialog");
    expect(within(dialog).getByText("Remove 3 images")).toBeTruthy();
    expect(within(dialog).getByText("app:latest (untagged: the image stays as app:1)")).toBeTruthy();
    await fireEvent.click(within(dialog).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(line("db:1")).toBeNull());
    expect(line("app:latest")).toBeNull();
    expect(line("app:1")).not.toBeNull();
    expect(line("web:1")).not.toBeNull();
    expect(screen.getByTestId("images-action-error").textContent).toBe("image web:1 is in use by web-1: remove the container first");
    expect(t.calls.filter((c) => c.command === "image_remove").map((c) => (c.args as { names: string[] }).names)).toEqual([["app:latest"], ["web:1"], ["db:1"]]);
    expect(screen.queryByTestId("images-selected")).toBeNull();
  });

  it("says why the engine refused to remove an image, and keeps saying it once the list is read again", async () => {
    const t = new FakeTransport();
    let rows = [{ ...image("web:1"), containers: 1 }];
    t.handlers.images = () => rows;
    t.handlers.image_remove = () => {
      throw { code: "conflict", message: "conflict: unable to remove repository reference \"web:1\" (must force) - container c0ffee is using its referenced image" };
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const line = (tag: string) => document.querySelector<HTMLElement>(`[data-testid=image-row][data-tag="${tag}"]`);
    await waitFor(() => expect(line("web:1")).not.toBeNull());
    await fireEvent.click(line("web:1")!.querySelector("button.danger")!);
    await fireEvent.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(screen.getByTestId("images-action-error").textContent).toContain("container c0ffee is using its referenced image"));
    rows = [...rows, image("web:2")];
    t.emit("images://changed", [{ action: "tag", id: "sha256:web:2" }]);
    await waitFor(() => expect(line("web:2")).not.toBeNull());
    expect(screen.getByTestId("images-action-error").textContent).toContain("is using its referenced image");
  });

  it("shows an image's details: how it runs, its layers and its inspect; an engine error said", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [image("web:1"), image("gone:1")];
    t.handlers.image_history = () => [
      { id: "sha256:a", created: 2, created_by: "/bin/sh -c #(nop) CMD [\"httpd\"]", size: 0, comment: "" },
      { id: "<missing>", created: 1, created_by: "COPY busybox /bin/busybox", size: 2048, comment: "" },
    ];
    t.handlers.image_inspect = (args) => {
      if (args.image === "gone:1") throw { code: "not_found", message: "No such image: gone:1" };
      return {
        Id: "sha256:web",
        Os: "linux",
        Architecture: "amd64",
        Config: {
          Cmd: ["sh", "-c", "exec httpd -f -p 5000"],
          Entrypoint: null,
          WorkingDir: "/www",
          User: "",
          Env: ["PATH=/bin", "MODE=prod"],
          ExposedPorts: { "5000/tcp": {}, "443/tcp": {} },
          Volumes: { "/data": {} },
          Labels: { "org.opencontainers.image.title": "web" },
        },
      };
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await waitFor(() => expect(screen.getAllByTestId("image-details-open").length).toBe(2));
    await fireEvent.click(screen.getAllByTestId("image-details-open")[1]);
    const config = await screen.findByTestId("image-config");
    const rows = () => [...config.querySelectorAll("tr")].map((r) => [r.querySelector("th")!.textContent, r.querySelector("td")!.textContent]);
    expect(rows()).toEqual([
      ["Command", '["sh","-c","exec httpd -f -p 5000"]'],
      ["Working dir", "/www"],
      ["Exposed ports", "443/tcp, 5000/tcp"],
      ["Volumes", "/data"],
      ["Platform", "linux/amd64"],
      ["Environment", "PATH=/binMODE=prod"],
      ["Labels", "org.opencontainers.image.title=web"],
    ]);
    expect(t.calls.find((c) => c.command === "image_inspect")?.args).toEqual({ image: "web:1" });
    expect(screen.getByTestId("image-layers").textContent).toContain("COPY busybox /bin/busybox");
    expect(screen.getByTestId("image-inspect").textContent).toContain('"Architecture": "amd64"');
    // Another image's details replace these; the engine's error is said.
    await fireEvent.click(screen.getAllByTestId("image-details-open")[0]);
    await waitFor(() => expect(screen.getByTestId("image-details").textContent).toContain("No such image: gone:1"));
    expect(screen.getByTestId("image-details").dataset.image).toBe("gone:1");
    expect(screen.queryByTestId("image-config")).toBeNull();
  });

  it("opens on the details of the image another view sent it for, once", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [image("hello:v2"), image("web:1")];
    t.handlers.image_inspect = () => ({ Id: "sha256:1", Config: { Cmd: ["httpd"] } });
    t.handlers.image_history = () => [];
    const nav = new Nav();
    nav.openImage("hello:v2");
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    await waitFor(() => expect(screen.getByTestId("image-details").dataset.image).toBe("hello:v2"));
    expect(nav.imageDetails).toBeNull();
  });

  it("opens the Containers list on the containers of an image that is in use", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [{ ...image("hello:v1"), containers: 2 }, image("web:1")];
    const nav = new Nav();
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", nav]]) });
    const used = await screen.findByTestId("image-containers");
    expect(used.textContent).toBe("2 containers");
    expect(screen.getAllByTestId("image-in-use").map((c) => c.textContent?.trim())).toEqual(["2 containers", "no"]);
    await fireEvent.click(used);
    expect(nav.view).toBe("containers");
    expect(nav.containersOf).toEqual({ id: "sha256:hello:v1", label: "hello:v1" });
  });

  it("pulls for the platform asked, else for the engine's own; the engine's refusal is said", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [];
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.input(screen.getByTestId("pull-ref"), { target: { value: " localhost:5000/app:1 " } });
    await fireEvent.click(screen.getByTestId("pull-start"));
    await waitFor(() => expect(t.streams.length).toBe(1));
    expect(t.streams[0]).toMatchObject({ command: "image_pull", args: { image: "localhost:5000/app:1", platform: null } });
    t.streams[0].send({ items: [], done: true, error: null });
    await fireEvent.input(screen.getByTestId("pull-platform"), { target: { value: "linux/arm64" } });
    await fireEvent.click(screen.getByTestId("pull-start"));
    await waitFor(() => expect(t.streams.length).toBe(2));
    expect(t.streams[1]).toMatchObject({ command: "image_pull", args: { image: "localhost:5000/app:1", platform: "linux/arm64" } });
    t.streams[1].send({ items: [], done: true, error: { code: "invalid_input", message: "linux/arm64: no matching manifest" } });
    await waitFor(() => expect(screen.getByText("Pull localhost:5000/app:1 for linux/arm64: failed")).toBeTruthy());
    expect(screen.getByTestId("progress-error").textContent).toBe("linux/arm64: no matching manifest");
  });

  it("goes on pulling when the view is left, shows the pull again on return, and cancels it", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [];
    const ctx = () => new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]);
    const first = render(Images, { context: ctx() });
    await fireEvent.input(screen.getByTestId("pull-ref"), { target: { value: "localhost:5000/big:1" } });
    await fireEvent.click(screen.getByTestId("pull-start"));
    await waitFor(() => expect(t.streams.length).toBe(1));
    first.unmount();
    expect(t.streams[0].stopped).toBe(false);
    t.streams[0].send({ items: [{ kind: "layer", id: "a1b2c3", status: "Downloading", current: 5, total: 10 }], done: false, error: null });
    render(Images, { context: ctx() });
    expect(screen.getByTestId("progress-title").textContent).toBe("Pull localhost:5000/big:1");
    expect(screen.getByTestId("layers").textContent).toContain("a1b2c3");
    expect(screen.getByTestId<HTMLButtonElement>("pull-start").disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("progress-cancel"));
    expect(t.streams[0].stopped).toBe(true);
    expect(screen.getByTestId("progress-title").textContent).toBe("Pull localhost:5000/big:1: cancelled");
    expect(screen.getByTestId<HTMLButtonElement>("pull-start").disabled).toBe(false);
  });

  it("says why a push failed, and keeps saying it once the list is read again", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [image("me/web:1")];
    t.handlers.image_push_target = (args) => ({ registry: "docker.io", repository: `docker.io/${args.image}`.replace(/:1$/, ""), tag: "1" });
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="me/web:1"]')).not.toBeNull());
    await fireEvent.click(screen.getByTestId("image-push"));
    await waitFor(() => expect(screen.getByTestId("push-where").textContent).toBe("To docker.io/me/web:1 (Docker Hub)."));
    await fireEvent.click(screen.getByTestId("push-submit"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_push")).toBeDefined());
    const push = t.streams.find((s) => s.command === "image_push")!;
    expect(push.args).toEqual({ image: "me/web:1" });
    expect(t.calls.filter((c) => c.command === "image_tag")).toEqual([]);
    const listed = t.calls.filter((c) => c.command === "images").length;
    push.send({ items: [{ kind: "output", line: "The push refers to repository [docker.io/library/web]" }], done: false, error: null });
    push.send({ items: [], done: true, error: { code: "internal", message: "dial tcp: lookup registry-1.docker.io: no such host" } });
    await waitFor(() => expect(t.calls.filter((c) => c.command === "images").length).toBe(listed + 1));
    await waitFor(() => expect(screen.getByText("Push me/web:1: failed")).toBeTruthy());
    expect(screen.getByTestId("progress-error").textContent).toBe("dial tcp: lookup registry-1.docker.io: no such host");
  });

  it("pushes under another name, tagged first; a name that cannot be pushed is refused as it is typed", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [image("hello:v2")];
    t.handlers.image_push_target = (args) => {
      if (!String(args.image).includes("/")) throw { code: "invalid_input", message: `${args.image}: that name is Docker Hub's official images` };
      return { registry: "localhost:5000", repository: "localhost:5000/hello", tag: "v2" };
    };
    t.handlers.image_tag = () => undefined;
    t.handlers.registry_user = (args) => (args.server === "localhost:5000" ? "alice" : null);
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await waitFor(() => expect(document.querySelector('[data-testid=image-row][data-tag="hello:v2"]')).not.toBeNull());
    await fireEvent.click(screen.getByTestId("image-push"));
    await waitFor(() => expect(screen.getByTestId("push-problem").textContent).toBe("hello:v2: that name is Docker Hub's official images"));
    expect((screen.getByTestId("push-submit") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.queryByTestId("registry-login")).toBeNull();
    await fireEvent.input(screen.getByTestId("push-target"), { target: { value: "localhost:5000/hello:v2" } });
    await waitFor(() => expect(screen.getByTestId("push-where").textContent).toBe("To localhost:5000/hello:v2; hello:v2 is tagged localhost:5000/hello:v2 first."));
    // Whom the registry's login is for, where the push goes.
    await waitFor(() => expect(screen.getByTestId("registry-login-state").textContent).toBe("Signed in to localhost:5000 as alice"));
    await fireEvent.click(screen.getByTestId("push-submit"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_push")).toBeDefined());
    expect(t.calls.filter((c) => c.command === "image_tag").map((c) => c.args)).toEqual([{ source: "hello:v2", target: "localhost:5000/hello:v2" }]);
    expect(t.streams.find((s) => s.command === "image_push")!.args).toEqual({ image: "localhost:5000/hello:v2" });
    expect(screen.queryByTestId("push-dialog")).toBeNull();
  });

  it("pushes an untagged image under the name given", async () => {
    const t = new FakeTransport();
    const id = "sha256:4b2acd70b2580123456789";
    t.handlers.images = () => [{ ...image("x:1"), id, repo_tags: [] }];
    t.handlers.image_push_target = () => ({ registry: "localhost:5000", repository: "localhost:5000/hello", tag: "v1" });
    t.handlers.image_tag = () => undefined;
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.click(await screen.findByTestId("image-push"));
    expect(screen.getByRole("heading", { name: "Push 4b2acd70b258 (untagged)" })).toBeTruthy();
    expect((screen.getByTestId("push-target") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("push-submit") as HTMLButtonElement).disabled).toBe(true);
    expect(t.calls.filter((c) => c.command === "image_push_target")).toEqual([]);
    await fireEvent.input(screen.getByTestId("push-target"), { target: { value: "localhost:5000/hello:v1" } });
    await waitFor(() => expect(screen.getByTestId("push-where").textContent).toBe("To localhost:5000/hello:v1; 4b2acd70b258 is tagged localhost:5000/hello:v1 first."));
    await fireEvent.click(screen.getByTestId("push-submit"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_push")?.args).toEqual({ image: "localhost:5000/hello:v1" }));
    expect(t.calls.filter((c) => c.command === "image_tag").map((c) => c.args)).toEqual([{ source: id, target: "localhost:5000/hello:v1" }]);
  });

  it("tags an image from its row's More menu; an empty or refused tag is said in the dialog", async () => {
    const t = new FakeTransport();
    let rows = [image("web:1")];
    t.handlers.images = () => rows;
    t.handlers.image_tag = (args) => {
      if (args.target !== "web:2") throw { code: "engine", message: `invalid reference format: repository name must be lowercase (${args.target})` };
      rows = [{ ...image("web:1"), repo_tags: ["web:1", "web:2"] }];
    };
    t.handlers.image_check = () => ({ state: "up_to_date" });
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const more = await screen.findByRole("button", { name: "More for web:1" });
    expect(more.getAttribute("aria-expanded")).toBe("false");
    // Opened from the keyboard on its first item; Escape closes it, back on the button.
    await fireEvent.keyDown(more, { key: "ArrowDown" });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId("image-tag")));
    await fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(screen.getByTestId("image-check"));
    await fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(screen.getByTestId("image-save"));
    await fireEvent.keyDown(document.activeElement!, { key: "ArrowDown" });
    expect(document.activeElement).toBe(screen.getByTestId("image-tag"));
    await fireEvent.keyDown(document.activeElement!, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    expect(document.activeElement).toBe(more);
    // A click elsewhere closes it too.
    await fireEvent.click(more);
    expect(screen.getByRole("menu")).toBeTruthy();
    await fireEvent.pointerDown(document.body);
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    // So does a scroll (the menu would be left behind its button); one while it is shut does
    // nothing.
    await fireEvent.scroll(document.body);
    await fireEvent.click(more);
    expect(screen.getByRole("menu")).toBeTruthy();
    await fireEvent.scroll(document.body);
    await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
    // Check for a newer image: the answer shows by the tag.
    await fireEvent.click(more);
    await fireEvent.click(screen.getByTestId("image-check"));
    await waitFor(() => expect(screen.getByTestId("image-row").textContent).toContain("(up to date)"));
    // Tag…: empty, then refused by the engine, then made.
    await fireEvent.click(more);
    await fireEvent.click(screen.getByTestId("image-tag"));
    expect(screen.queryByRole("menu")).toBeNull();
    await fireEvent.click(screen.getByTestId("tag-submit"));
    expect(screen.getByTestId("tag-error").textContent).toContain("Give the new tag");
    expect(t.calls.some((c) => c.command === "image_tag")).toBe(false);
    await fireEvent.input(screen.getByTestId("tag-target"), { target: { value: "Web:2" } });
    await fireEvent.click(screen.getByTestId("tag-submit"));
    await waitFor(() => expect(screen.getByTestId("tag-error").textContent).toContain("repository name must be lowercase (Web:2)"));
    await fireEvent.input(screen.getByTestId("tag-target"), { target: { value: "web:2" } });
    await fireEvent.click(screen.getByTestId("tag-submit"));
    await waitFor(() => expect(screen.getAllByTestId("image-row").map((r) => r.dataset.tag)).toEqual(["web:1", "web:2"]));
    expect(screen.queryByTestId("tag-error")).toBeNull();
  });
});

describe("Images: archives", () => {
  it("saves an image to the path given, says where and how much; a refusal stays in the dialog", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [image("web:1")];
    let refuse: string | null = "cannot write /nope/web.tar: No such file or directory";
    t.handlers.image_save = () => {
      if (refuse) throw { code: "invalid_input", message: refuse };
      return 2048;
    };
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const row = await waitFor(() => {
      const r = document.querySelector<HTMLElement>('[data-testid=image-row][data-tag="web:1"]');
      expect(r).not.toBeNull();
      return r!;
    });
    await fireEvent.click(within(row).getByRole("button", { name: "More for web:1" }));
    await fireEvent.click(screen.getByTestId("image-save"));
    const run = screen.getByTestId("image-archive-run") as HTMLButtonElement;
    expect(run.disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("image-archive-path"), { target: { value: "/nope/web.tar" } });
    await fireEvent.click(run);
    expect((await screen.findByTestId("image-archive-error")).textContent).toContain("cannot write /nope/web.tar");
    expect(screen.getByTestId("image-archive")).toBeTruthy();
    refuse = null;
    await fireEvent.input(screen.getByTestId("image-archive-path"), { target: { value: " /tmp/web.tar " } });
    await fireEvent.click(run);
    await waitFor(() => expect(screen.getByTestId("images-note").textContent).toBe("Saved web:1 to /tmp/web.tar (2.05kB)"));
    await waitFor(() => expect(screen.queryByTestId("image-archive")).toBeNull());
    expect(t.calls.filter((c) => c.command === "image_save").map((c) => c.args)).toEqual([
      { names: ["web:1"], to: "/nope/web.tar" },
      { names: ["web:1"], to: "/tmp/web.tar" },
    ]);
  });

  it("loads images from an archive and says what the engine loaded", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [];
    t.handlers.image_load = () => ["Loaded image: web:1", "Loaded image: web:2"];
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    await fireEvent.click(screen.getByTestId("images-load"));
    await fireEvent.input(screen.getByTestId("image-archive-path"), { target: { value: "/tmp/web.tar" } });
    await fireEvent.click(screen.getByTestId("image-archive-run"));
    await waitFor(() => expect(screen.getByTestId("images-note").textContent).toBe("Loaded image: web:1\nLoaded image: web:2"));
    expect(t.calls.find((c) => c.command === "image_load")?.args).toEqual({ from: "/tmp/web.tar" });
    await waitFor(() => expect(screen.queryByTestId("image-archive")).toBeNull());
  });

  it("shows the images in use, the unused or the dangling ones, and says when none is", async () => {
    const t = new FakeTransport();
    t.handlers.images = () => [{ ...image("web:1"), containers: 2 }, image("old:1"), { ...image("x"), id: "sha256:" + "d".repeat(64), repo_tags: [], dangling: true }];
    render(Images, { context: new Map<string, unknown>([["api", api(t)], ["nav", new Nav()]]) });
    const tags = () => screen.queryAllByTestId("image-row").map((r) => r.dataset.tag);
    await waitFor(() => expect(tags().length).toBe(3));
    const show = screen.getByTestId("images-show");
    await fireEvent.change(show, { target: { value: "used" } });
    expect(tags()).toEqual(["web:1"]);
    await fireEvent.change(show, { target: { value: "unused" } });
    expect(tags()).toEqual(["old:1", "dddddddddddd"]);
    await fireEvent.change(show, { target: { value: "dangling" } });
    expect(tags()).toEqual(["dddddddddddd"]);
    await fireEvent.input(screen.getByLabelText("Search images"), { target: { value: "web" } });
    expect(tags()).toEqual([]);
    expect(screen.getByTestId("no-images").textContent).toContain("No dangling image matches “web”.");
    await fireEvent.click(within(screen.getByTestId("no-images")).getByText("Show all"));
    expect(tags().length).toBe(3);
  });
});
