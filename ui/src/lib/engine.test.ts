import { describe, expect, it } from "vitest";
import { EngineStore } from "./engine.svelte";
import { FakeBackend, view } from "./testing";

describe("EngineStore", () => {
  it("loads the view and follows engine://state events", async () => {
    const backend = new FakeBackend();
    const store = new EngineStore(backend);
    expect(store.state).toBe("unknown");
    await store.connect();
    expect(store.state).toBe("stopped");
    expect(store.connected).toBe(false);
    backend.emit(view("starting"));
    expect(store.state).toBe("starting");
    backend.emit(view("running"));
    expect(store.connected).toBe(true);
    store.disconnect();
    backend.emit(view("stopped"));
    expect(store.state).toBe("running");
  });

  it("runs actions one at a time and refreshes after each", async () => {
    const backend = new FakeBackend();
    const store = new EngineStore(backend);
    await store.connect();
    const first = store.run("start");
    expect(store.busy).toBe("start");
    await store.run("stop"); // ignored: an action is in flight
    await first;
    expect(store.busy).toBeNull();
    expect(store.state).toBe("running");
    await store.run("stop");
    expect(store.state).toBe("stopped");
  });

  it("never lets a slow fetch overwrite a newer event", async () => {
    const backend = new FakeBackend();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const stale = view("starting");
    let fetching = false;
    backend.view = async () => {
      fetching = true;
      await gate;
      return stale;
    };
    const store = new EngineStore(backend);
    const connecting = store.connect();
    while (!fetching) await Promise.resolve();
    backend.emit(view("running")); // arrives while the fetch is still under way
    release();
    await connecting;
    expect(store.state).toBe("running");
  });

  it("keeps the engine's error message, never swallows it", async () => {
    const backend = new FakeBackend();
    backend.failStart = "Berth's engine failed: dockerd is not installed";
    const store = new EngineStore(backend);
    await store.connect();
    await store.run("start");
    expect(store.error).toBe("Berth's engine failed: dockerd is not installed");
    expect(store.busy).toBeNull();
    expect(store.state).toBe("stopped");
  });
});

