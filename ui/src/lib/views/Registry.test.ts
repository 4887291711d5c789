import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type SearchRow } from "../ipc";
import { FakeTransport } from "../testing";
import Registry from "./Registry.svelte";

afterEach(cleanup);

const row = (name: string, reference: string, official = false): SearchRow => ({ name, reference, description: `about ${name}`, stars: 3, official });

describe("Registry search", () => {
  it("pulls a result by the reference the facade gives (on the registry searched), and says when nothing matches", async () => {
    const t = new FakeTransport();
    t.handlers.search = (args) => (args.term === "127.0.0.1:5000/web" ? [row("team/web", "127.0.0.1:5000/team/web"), row("web", "127.0.0.1:5000/web", true)] : []);
    const pulled: string[] = [];
    render(Registry, { props: { onpull: (r: string) => pulled.push(r) }, context: new Map<string, unknown>([["api", api(t)]]) });
    const box = screen.getByRole("searchbox", { name: "Search Docker Hub" });

    await fireEvent.input(box, { target: { value: " 127.0.0.1:5000/web " } });
    await fireEvent.submit(box.closest("form")!);
    await waitFor(() => expect(screen.getAllByRole("button", { name: /web/ }).map((b) => b.textContent)).toEqual(["team/web", "web"]));
    expect(screen.queryByTestId("search-none")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "team/web" }));
    expect(pulled).toEqual(["127.0.0.1:5000/team/web"]);

    await fireEvent.input(box, { target: { value: "nothing-like-it" } });
    await fireEvent.submit(box.closest("form")!);
    await waitFor(() => expect(screen.getByTestId("search-none").textContent).toBe("Nothing matches “nothing-like-it”."));
    expect(t.calls.filter((c) => c.command === "search").map((c) => c.args.term)).toEqual(["127.0.0.1:5000/web", "nothing-like-it"]);
  });
});

describe("Registry logins", () => {
  it("signs in to Docker Hub after the registry's refusal is said, and out again", async () => {
    const t = new FakeTransport();
    const stored = new Map<string, string>();
    t.handlers.registry_user = (args) => stored.get(args.server as string) ?? null;
    t.handlers.registry_login = (args) => {
      if (args.password !== "s3cret") throw { code: "engine_failed", message: "login to docker.io refused: unauthorized: incorrect username or password" };
      stored.set(args.server as string, args.username as string);
      return "the OS keychain";
    };
    t.handlers.registry_logout = (args) => stored.delete(args.server as string);
    render(Registry, { props: { onpull: () => {} }, context: new Map<string, unknown>([["api", api(t)]]) });
    const hub = () => screen.getAllByTestId("registry-login").find((l) => l.dataset.server === "docker.io")!;
    await waitFor(() => expect(hub().textContent).toContain("Not signed in to Docker Hub"));
    await fireEvent.click(screen.getByTestId("registry-login-open"));
    const run = () => screen.getByTestId<HTMLButtonElement>("registry-login-run");
    expect(run().disabled).toBe(true);
    await fireEvent.input(screen.getByTestId("registry-username"), { target: { value: " alice " } });
    await fireEvent.input(screen.getByTestId("registry-password"), { target: { value: "wrong" } });
    await fireEvent.click(run());
    await waitFor(() => expect(screen.getByTestId("registry-login-error").textContent).toContain("incorrect username or password"));
    expect(screen.getByTestId("registry-password")).toBeTruthy();
    await fireEvent.input(screen.getByTestId("registry-password"), { target: { value: "s3cret" } });
    await fireEvent.click(screen.getByTestId("registry-plain"));
    await fireEvent.click(run());
    await waitFor(() => expect(screen.getByTestId("registry-login-state").textContent).toBe("Signed in to Docker Hub as alice"));
    expect(t.calls.filter((c) => c.command === "registry_login").map((c) => c.args)).toEqual([
      { server: "docker.io", username: "alice", password: "wrong", plainText: false },
      { server: "docker.io", username: "alice", password: "s3cret", plainText: true },
    ]);
    expect(screen.getByTestId("registry-login-note").textContent).toBe("Saved in the OS keychain");
    expect(screen.queryByTestId("registry-login-error")).toBeNull();
    await fireEvent.click(screen.getByTestId("registry-logout"));
    await waitFor(() => expect(screen.getByTestId("registry-login-state").textContent).toBe("Not signed in to Docker Hub"));
    expect(stored.size).toBe(0);
  });

  it("shows the login of the registry listed, and lists it again once signed in", async () => {
    const t = new FakeTransport();
    let signedIn = false;
    t.handlers.registry_user = (args) => (args.server === "127.0.0.1:5001" && signedIn ? "berth" : null);
    t.handlers.registry_catalog = () => {
      if (!signedIn) throw { code: "invalid_input", message: "127.0.0.1:5001: the registry wants a login: berth login 127.0.0.1:5001" };
      return ["team/web"];
    };
    t.handlers.registry_login = () => {
      signedIn = true;
      return "/root/.docker/config.json (base64, not encrypted)";
    };
    render(Registry, { props: { onpull: () => {} }, context: new Map<string, unknown>([["api", api(t)]]) });
    expect(screen.getAllByTestId("registry-login").map((l) => l.dataset.server)).toEqual(["docker.io"]);
    const host = screen.getByTestId("registry-host");
    await fireEvent.input(host, { target: { value: " 127.0.0.1:5001 " } });
    await fireEvent.submit(host.closest("form")!);
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("the registry wants a login"));
    const login = () => screen.getAllByTestId("registry-login").find((l) => l.dataset.server === "127.0.0.1:5001")!;
    await waitFor(() => expect(login().textContent).toContain("Not signed in to 127.0.0.1:5001"));
    await fireEvent.click(login().querySelector<HTMLButtonElement>("[data-testid=registry-login-open]")!);
    await fireEvent.input(screen.getByTestId("registry-username"), { target: { value: "berth" } });
    await fireEvent.input(screen.getByTestId("registry-password"), { target: { value: "pw" } });
    await fireEvent.click(screen.getByTestId("registry-login-run"));
    await waitFor(() => expect(screen.getByTestId("registry-repos").textContent).toContain("team/web"));
    expect(screen.queryByRole("alert")).toBeNull();
    expect(login().textContent).toContain("Signed in to 127.0.0.1:5001 as berth");
  });
});
