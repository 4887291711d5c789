import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { api, type Settings as SettingsValue } from "../ipc";
import { FakeTransport } from "../testing";
import Settings from "./Settings.svelte";

afterEach(cleanup);

const defaults: SettingsValue = {
  engine_autostart: true,
  engine_restart_on_crash: true,
  engine_restart_max_attempts: 5,
  engine_dockerd: "dockerd",
  engine_bridge_name: "berth0",
  engine_bridge_cidr: "10.199.0.1/24",
  engine_address_pool: "10.199.128.0/17",
  start_at_login: false,
  start_minimised: false,
  notifications: true,
  stats_interval_ms: 1000,
  theme: "system",
};

describe("Settings", () => {
  it("saves the engine's bridge, and shows the facade's refusal naming the setting", async () => {
    const t = new FakeTransport();
    const saved: SettingsValue[] = [];
    t.handlers.settings = () => defaults;
    t.handlers.settings_save = (args) => {
      const s = args.settings as SettingsValue;
      if (s.engine_bridge_name === "docker0") throw { code: "invalid", message: "engine bridge docker0: that is the system engine's bridge; give Berth's engine its own, e.g. berth0" };
      saved.push(s);
      return s;
    };
    render(Settings, { context: new Map<string, unknown>([["api", api(t)]]) });
    const bridge = await screen.findByTestId("bridge-name");
    const address = screen.getByLabelText("Bridge address");
    expect((bridge as HTMLInputElement).value).toBe("berth0");

    await fireEvent.input(bridge, { target: { value: "docker0" } });
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("engine bridge docker0: that is the system engine's bridge"));
    expect(saved).toEqual([]);

    await fireEvent.input(bridge, { target: { value: "berth1" } });
    await fireEvent.input(address, { target: { value: "10.42.0.1/24" } });
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(screen.getByTestId("settings-saved")).toBeTruthy());
    expect(saved.map((s) => [s.engine_bridge_name, s.engine_bridge_cidr, s.engine_address_pool])).toEqual([["berth1", "10.42.0.1/24", "10.199.128.0/17"]]);
  });

  it("puts the defaults in the form, saved only with Save", async () => {
    const t = new FakeTransport();
    const saved: SettingsValue[] = [];
    t.handlers.settings = () => ({ ...defaults, engine_bridge_name: "mybr", theme: "dark", notifications: false });
    t.handlers.settings_defaults = () => defaults;
    t.handlers.settings_save = (args) => {
      saved.push(args.settings as SettingsValue);
      return args.settings;
    };
    render(Settings, { context: new Map<string, unknown>([["api", api(t)]]) });
    const bridge = (await screen.findByTestId("bridge-name")) as HTMLInputElement;
    expect(bridge.value).toBe("mybr");
    await fireEvent.click(screen.getByTestId("settings-defaults"));
    await waitFor(() => expect(bridge.value).toBe("berth0"));
    expect((screen.getByTestId("theme") as HTMLSelectElement).value).toBe("system");
    expect(screen.getByTestId("settings-reset").textContent).toBe("The defaults are in the form: Save keeps them.");
    expect(saved).toEqual([]);
    await fireEvent.click(screen.getByTestId("settings-save"));
    await waitFor(() => expect(saved).toEqual([defaults]));
    expect(screen.getByTestId("settings-saved")).toBeTruthy();
  });
});
