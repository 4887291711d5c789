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
