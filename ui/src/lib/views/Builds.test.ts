import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type BuildRecord } from "../ipc";
import { FakeTransport } from "../testing";
import { Nav } from "../nav.svelte";
import Builds from "./Builds.svelte";
import { buildJob } from "../stores/jobs.svelte";

afterEach(() => {
  cleanup();
  buildJob.reset();
});

const record = (tag: string, error: string | null = null): BuildRecord => ({
  context: `/src/${tag}`,
  dockerfile: null,
  tags: [tag],
  build_args: [],
  platform: null,
  target: null,
  labels: [],
  no_cache: false,
  buildkit: false,
  output: null,
  secrets: [],
  ssh: [],
  pull: false,
  network: null,
  add_hosts: [],
  started_ms: Date.now() - 60_000,
  duration_ms: 1500,
  image_id: error ? null : "sha256:0123456789abcdef0123",
  error,
});

const context = (t: FakeTransport, nav = new Nav()) => new Map<string, unknown>([["api", api(t)], ["nav", nav]]);

describe("Builds", () => {
  it("shows a build recorded elsewhere (berth build) while the view is open", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [record("web:1")];
    render(Builds, { context: context(t) });
    const rows = () => screen.queryAllByText(/^web:\d$/).map((c) => c.textContent);
    await waitFor(() => expect(rows()).toEqual(["web:1"]));
    t.emit("builds://changed", [record("web:2", "the build failed at step 2/3"), record("web:1")]);
    await waitFor(() => expect(rows()).toEqual(["web:2", "web:1"]));
    expect(t.calls.filter((c) => c.command === "builds")).toHaveLength(1);
  });

  it("builds a build of the history again, with its folder, Dockerfile, tag, build args, platform, target and options", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [{ ...record("web:3"), dockerfile: "Dockerfile.prod", build_args: ["A=1", "B=two words"], platform: "linux/arm64", target: "check", labels: ["team=web"], no_cache: true, buildkit: true, pull: true, network: "none", add_hosts: ["db:10.0.0.5"] }];
    render(Builds, { context: context(t) });
    const again = await screen.findByTestId("build-again");
    again.click();
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    const req = t.streams.find((s) => s.command === "image_build")!.args.req as Record<string, unknown>;
    expect([req.context, req.dockerfile, req.tags, req.build_args, req.platform, req.target]).toEqual(["/src/web:3", "Dockerfile.prod", ["web:3"], ["A=1", "B=two words"], "linux/arm64", "check"]);
    expect([req.labels, req.no_cache, req.buildkit, req.pull, req.network, req.add_hosts]).toEqual([["team=web"], true, true, true, "none", ["db:10.0.0.5"]]);
    expect((screen.getByTestId("build-more") as HTMLDetailsElement).open).toBe(true);
    expect(screen.getByTestId("build-history-options").textContent).toBe("(BuildKit, no cache, pulled, network none, 1 label, 1 extra host)");
    expect((screen.getByTestId("build-tag") as HTMLInputElement).value).toBe("web:3");
    expect((screen.getByTestId("build-platform") as HTMLInputElement).value).toBe("linux/arm64");
    expect(screen.getByTestId("build-history-platform").textContent).toBe("(linux/arm64)");
    expect(screen.getByTestId("build-history-target").textContent).toBe("(stage check)");
  });

  it("offers no Again for a build whose context or Dockerfile was read from stdin", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [{ ...record("piped:1"), context: "-" }, { ...record("piped:2"), dockerfile: "-" }, record("web:1")];
    render(Builds, { context: context(t) });
    await waitFor(() => expect(screen.getAllByTestId("build-again")).toHaveLength(3));
    const buttons = screen.getAllByTestId("build-again") as HTMLButtonElement[];
    expect(buttons.map((b) => b.disabled)).toEqual([true, true, false]);
    expect(buttons[0].title).toContain("stdin");
    buttons[0].click();
    buttons[2].click();
    await waitFor(() => expect(t.streams.filter((s) => s.command === "image_build")).toHaveLength(1));
    expect((t.streams.find((s) => s.command === "image_build")!.args.req as Record<string, unknown>).context).toBe("/src/web:1");
  });

  it("offers the Dockerfile's stages as targets and refuses one it has not, before the engine", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    const files: Record<string, string[] | null> = { "/src/app\n": ["base", "check"], "/src/app\nDockerfile.plain": [] };
    t.handlers.build_stages = (args) => files[`${args.context}\n${args.dockerfile ?? ""}`] ?? null;
    render(Builds, { context: context(t) });
    const offered = () => [...document.querySelectorAll("#build-stages option")].map((o) => o.getAttribute("value"));
    const problem = () => screen.queryByTestId("build-target-problem")?.textContent ?? null;
    const start = () => screen.getByTestId<HTMLButtonElement>("build-start");
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    await waitFor(() => expect(offered()).toEqual(["base", "check"]));
    expect(t.calls.filter((c) => c.command === "build_stages").map((c) => c.args)).toEqual([{ context: "/src/app", dockerfile: null }]);
    await fireEvent.input(screen.getByTestId("build-target"), { target: { value: "nope" } });
    expect(problem()).toBe("The Dockerfile has no stage nope: choose one of base, check");
    expect(start().disabled).toBe(true);
    // Named in another case, as the builder takes it.
    await fireEvent.input(screen.getByTestId("build-target"), { target: { value: "Check" } });
    expect(problem()).toBeNull();
    // Another Dockerfile, with no stage named: said once its stages are read.
    await fireEvent.input(screen.getByPlaceholderText("Dockerfile"), { target: { value: "Dockerfile.plain" } });
    await waitFor(() => expect(problem()).toBe("The Dockerfile names no stage (FROM IMAGE AS NAME): build without a target"));
    expect(offered()).toEqual([]);
    // No Dockerfile there (yet): nothing said here, the build says it.
    await fireEvent.input(screen.getByPlaceholderText("Dockerfile"), { target: { value: "Missing" } });
    await waitFor(() => expect(t.calls.filter((c) => c.command === "build_stages").at(-1)?.args).toEqual({ context: "/src/app", dockerfile: "Missing" }));
    await waitFor(() => expect(problem()).toBeNull());
    expect(start().disabled).toBe(false);
    await fireEvent.click(start());
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    expect((t.streams.find((s) => s.command === "image_build")!.args.req as { target: string }).target).toBe("Check");
  });

  it("names the image a build made and runs it from there, then opens the container", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    t.handlers.run_check = () => {};
    t.handlers.run_hints = () => ({ exposed_ports: ["5000/tcp"], volumes: [] });
    t.handlers.run = () => ({ id: "new-id", warnings: [] });
    const nav = new Nav();
    render(Builds, { context: context(t, nav) });
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/hello" } });
    await fireEvent.input(screen.getByTestId("build-tag"), { target: { value: "hello:v1" } });
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    const stream = t.streams.find((s) => s.command === "image_build")!;
    stream.send({ items: [{ kind: "step", number: 1, total: 1, instruction: "FROM scratch" }, { kind: "built", id: "sha256:4b2acd70b2580123" }], done: true, error: null });
    await waitFor(() => expect(screen.getByTestId("build-status").textContent).toBe("Built hello:v1 (4b2acd70b258)"));
    await fireEvent.click(screen.getByTestId("build-run"));
    expect((screen.getByTestId("run-image") as HTMLInputElement).value).toBe("hello:v1");
    await waitFor(() => expect((screen.getByTestId("run-submit") as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId("run-submit"));
    await waitFor(() => expect([nav.view, nav.container]).toEqual(["container", "new-id"]));
    expect((t.calls.find((c) => c.command === "run")!.args.req as { image: string }).image).toBe("hello:v1");
  });

  it("offers no run for a failed build, and runs a built one of the history by its tag", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [record("web:2", "the build failed at step 2/3"), record("web:1")];
    t.handlers.run_check = () => {};
    t.handlers.run_hints = () => ({ exposed_ports: [], volumes: [] });
    render(Builds, { context: context(t) });
    await waitFor(() => expect(screen.getAllByTestId("build-history-run")).toHaveLength(1));
    await fireEvent.click(screen.getByTestId("build-history-run"));
    expect((screen.getByTestId("run-image") as HTMLInputElement).value).toBe("web:1");
    await fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByTestId("run-dialog")).toBeNull();

    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/broken" } });
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    t.streams.find((s) => s.command === "image_build")!.send({ items: [], done: true, error: { code: "engine_failed", message: "step 2/3: exit code 1" } });
    await waitFor(() => expect(screen.getByTestId("build-status").textContent).toBe("Build failed"));
    expect(screen.queryByTestId("build-run")).toBeNull();
  });

  it("sends the more options, refusing a label or an extra host that is not one before the engine", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    t.handlers.build_stages = () => [];
    render(Builds, { context: context(t) });
    const start = () => screen.getByTestId<HTMLButtonElement>("build-start");
    const problem = () => screen.queryByTestId("build-options-problem")?.textContent ?? null;
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    await fireEvent.input(screen.getByTestId("build-hosts"), { target: { value: "db 10.0.0.5" } });
    expect(problem()).toBe('Extra host "db 10.0.0.5": write HOST:IP, one a line');
    expect(start().disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("build-hosts"), { target: { value: "db:10.0.0.5\n\ncache:::1" } });
    await fireEvent.input(screen.getByTestId("build-labels"), { target: { value: "team" } });
    expect(problem()).toBe('Label "team": write KEY=VALUE, one a line');
    await fireEvent.input(screen.getByTestId("build-labels"), { target: { value: "team=web" } });
    expect(problem()).toBeNull();
    await fireEvent.click(screen.getByTestId("build-pull"));
    await fireEvent.input(screen.getByTestId("build-network"), { target: { value: "host" } });
    await fireEvent.click(start());
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    const req = t.streams.find((s) => s.command === "image_build")!.args.req as Record<string, unknown>;
    expect([req.labels, req.no_cache, req.pull, req.network, req.add_hosts]).toEqual([["team=web"], false, true, "host", ["db:10.0.0.5", "cache:::1"]]);
    // BuildKit unless turned off, as Docker Desktop builds.
    expect(req.buildkit).toBe(true);
  });

  it("builds with the classic builder when BuildKit is turned off, and an old build again so", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [record("web:1")];
    t.handlers.build_stages = () => [];
    render(Builds, { context: context(t) });
    const requests = () => t.streams.filter((s) => s.command === "image_build").map((s) => (s.args.req as Record<string, unknown>).buildkit);
    (await screen.findByTestId("build-again")).click();
    await waitFor(() => expect(requests()).toEqual([false]));
    expect(screen.queryByTestId("build-history-options")).toBeNull();
    expect(screen.getByTestId<HTMLInputElement>("build-buildkit").checked).toBe(false);
    t.streams[0].send({ items: [{ kind: "built", id: "sha256:4b2acd70b2580123" }], done: true, error: null });
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(requests()).toEqual([false, true]));
  });

  it("builds from a Git repository's URL typed as the context, sent as typed", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    // No Dockerfile here to read stages from: the engine fetches it.
    t.handlers.build_stages = () => null;
    render(Builds, { context: context(t) });
    const url = "git://git.example/app.git#v1:web";
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: ` ${url} ` } });
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.filter((s) => s.command === "image_build").map((s) => (s.args.req as Record<string, unknown>).context)).toEqual([url]));
  });

  it("exports the result's files to a folder with BuildKit, refused inline without it", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [{ ...record("web:1"), buildkit: true, output: "type=local,dest=/srv/a=b" }];
    t.handlers.build_stages = () => [];
    render(Builds, { context: context(t) });
    expect((await screen.findByTestId("build-history-options")).textContent).toBe("(BuildKit, files to /srv/a=b)");
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    await fireEvent.input(screen.getByTestId("build-output"), { target: { value: "/tmp/out" } });
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    expect(screen.getByTestId("build-options-problem").textContent).toBe("Exporting the files is BuildKit's: tick BuildKit, or empty the folder to make an image");
    expect(screen.getByTestId<HTMLButtonElement>("build-start").disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    const stream = t.streams.find((s) => s.command === "image_build")!;
    expect((stream.args.req as Record<string, unknown>).output).toBe("/tmp/out");
    stream.send({ items: [{ kind: "output", line: "#7 exporting to client" }], done: true, error: null });
    await waitFor(() => expect(screen.getByTestId("build-status").textContent).toBe("Exported to /tmp/out"));
    // Again: a folder whose name reads as options goes as type=local,dest=.
    screen.getByTestId("build-again").click();
    await waitFor(() => expect(t.streams.filter((s) => s.command === "image_build")).toHaveLength(2));
    expect((t.streams[1].args.req as Record<string, unknown>).output).toBe("type=local,dest=/srv/a=b");
    expect((screen.getByTestId("build-output") as HTMLInputElement).value).toBe("/srv/a=b");
  });

  it("sends the secrets, refusing a line without an id or without BuildKit inline, and builds them and the SSH agents again", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [{ ...record("web:1"), buildkit: true, secrets: ["id=token,src=/home/me/token", "id=API_KEY"], ssh: ["default"] }];
    t.handlers.build_stages = () => [];
    render(Builds, { context: context(t) });
    expect((await screen.findByTestId("build-history-options")).textContent).toBe("(BuildKit, 2 secrets, 1 SSH agent)");
    const problem = () => screen.queryByTestId("build-options-problem")?.textContent ?? null;
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    await fireEvent.input(screen.getByTestId("build-secrets"), { target: { value: "src=/home/me/token" } });
    expect(problem()).toBe('Secret "src=/home/me/token": write id=NAME,src=FILE or id=NAME,env=VAR, one a line');
    expect(screen.getByTestId<HTMLButtonElement>("build-start").disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("build-secrets"), { target: { value: "id=token,src=/home/me/token\n\nid=api,env=API_KEY" } });
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    expect(problem()).toBe("Secrets are BuildKit's: tick BuildKit, or empty the secrets");
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    expect(problem()).toBeNull();
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    expect((t.streams[0].args.req as Record<string, unknown>).secrets).toEqual(["id=token,src=/home/me/token", "id=api,env=API_KEY"]);
    // No agent named: none forwarded.
    expect((t.streams[0].args.req as Record<string, unknown>).ssh).toEqual([]);
    t.streams[0].send({ items: [{ kind: "built", id: "sha256:4b2acd70b2580123" }], done: true, error: null });
    await waitFor(() => expect(screen.getByTestId("build-status").textContent).toBe("Built 4b2acd70b258"));
    // Again: the history's secrets, in the form too.
    screen.getByTestId("build-again").click();
    await waitFor(() => expect(t.streams.filter((s) => s.command === "image_build")).toHaveLength(2));
    expect((t.streams[1].args.req as Record<string, unknown>).secrets).toEqual(["id=token,src=/home/me/token", "id=API_KEY"]);
    // Again: the agents it was given too.
    expect((t.streams[1].args.req as Record<string, unknown>).ssh).toEqual(["default"]);
    expect((screen.getByTestId("build-secrets") as HTMLTextAreaElement).value).toBe("id=token,src=/home/me/token\nid=API_KEY");
    expect((screen.getByTestId("build-ssh") as HTMLTextAreaElement).value).toBe("default");
  });

  it("sends the SSH agents, refusing a line that names none or without BuildKit inline", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    t.handlers.build_stages = () => [];
    render(Builds, { context: context(t) });
    const problem = () => screen.queryByTestId("build-options-problem")?.textContent ?? null;
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    for (const bad of ["=/run/agent.sock", "git=", "a,b=/run/agent.sock", "my agent"]) {
      await fireEvent.input(screen.getByTestId("build-ssh"), { target: { value: `default\n${bad}` } });
      expect(problem()).toBe(`SSH agent ${JSON.stringify(bad)}: write default, or ID=SOCKET (an agent's socket), one a line`);
      expect(screen.getByTestId<HTMLButtonElement>("build-start").disabled).toBe(true);
    }
    await fireEvent.input(screen.getByTestId("build-ssh"), { target: { value: "default\n\ngit=/run/user/1000/agent.sock" } });
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    expect(problem()).toBe("SSH agents are BuildKit's: tick BuildKit, or empty the agents");
    await fireEvent.click(screen.getByTestId("build-buildkit"));
    expect(problem()).toBeNull();
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams.find((s) => s.command === "image_build")).toBeDefined());
    expect((t.streams[0].args.req as Record<string, unknown>).ssh).toEqual(["default", "git=/run/user/1000/agent.sock"]);
    // What the engine side refuses (an agent's socket not there) is shown as it says it.
    t.streams[0].send({ items: [], done: true, error: { code: "invalid_input", message: "--ssh git=/run/user/1000/agent.sock: /run/user/1000/agent.sock: no such socket" } });
    expect((await screen.findByTestId("build-error")).textContent).toContain("no such socket");
  });

  it("goes on building when the view is left, shows the build again on return, and cancels it", async () => {
    const t = new FakeTransport();
    t.handlers.builds = () => [];
    t.handlers.build_stages = () => [];
    const first = render(Builds, { context: context(t) });
    await fireEvent.input(screen.getByTestId("build-context"), { target: { value: "/src/app" } });
    await fireEvent.input(screen.getByTestId("build-tag"), { target: { value: "app:1" } });
    await fireEvent.click(screen.getByTestId("build-start"));
    await waitFor(() => expect(t.streams).toHaveLength(1));
    t.streams[0].send({ items: [{ kind: "output", line: "#5 [2/3] RUN make" }], done: false, error: null });
    first.unmount();
    // Left: the build is not stopped, and what it says meanwhile is kept.
    expect(t.streams[0].stopped).toBe(false);
    t.streams[0].send({ items: [{ kind: "output", line: "#5 0.4 compiled" }], done: false, error: null });
    render(Builds, { context: context(t) });
    expect(screen.getByTestId("build-status").textContent).toBe("Building app:1…");
    expect(screen.getByTestId("progress-lines").textContent).toBe("#5 [2/3] RUN make\n#5 0.4 compiled");
    expect(screen.getByTestId<HTMLButtonElement>("build-start").disabled).toBe(true);
    await fireEvent.click(screen.getByTestId("build-cancel"));
    expect(t.streams[0].stopped).toBe(true);
    expect(screen.getByTestId("build-status").textContent).toBe("Build cancelled");
    expect(screen.queryByTestId("build-cancel")).toBeNull();
    // A batch after the cancel changes nothing.
    t.streams[0].send({ items: [{ kind: "built", id: "sha256:4b2acd70b2580123" }], done: true, error: null });
    expect(screen.getByTestId("build-status").textContent).toBe("Build cancelled");
  });
});
