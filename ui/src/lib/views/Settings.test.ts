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

const PATH = "/home/u/.config/berth/daemon.json";

/** A transport with the settings and an engine configuration file holding `text`. */
function transport(text = "{}\n"): FakeTransport {
  const t = new FakeTransport();
  t.handlers.settings = () => defaults;
  t.handlers.engine_daemon_json = () => ({ path: PATH, text });
  return t;
}

describe("Settings", () => {
  it("saves the engine's bridge, and shows the facade's refusal naming the setting", async () => {
    const t = transport();
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
    const t = transport();
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

  it("edits the engine's configuration file: JSON checked inline, Berth's refusal shown, saved, then the engine restarted", async () => {
    const t = transport('{"labels": ["a=b"]}\n');
    const saves: string[] = [];
    t.handlers.engine_daemon_json_save = (args) => {
      const text = args.text as string;
      if (text.includes('"bridge"')) throw { code: "invalid", message: `${PATH}: "bridge" is Berth's to set (set the engine bridge in Berth's settings); remove it from the file` };
      saves.push(text);
      return { path: PATH, text };
    };
    let restarts = 0;
    t.handlers.engine_restart = () => {
      restarts += 1;
      return {};
    };
    render(Settings, { context: new Map<string, unknown>([["api", api(t)]]) });
    const editor = (await screen.findByTestId("daemon-json")) as HTMLTextAreaElement;
    expect([editor.value, screen.getByTestId("daemon-json-path").textContent]).toEqual(['{"labels": ["a=b"]}\n', PATH]);
    const save = () => screen.getByTestId<HTMLButtonElement>("daemon-json-save");
    // Unchanged: nothing to save.
    expect(save().disabled).toBe(true);
    await fireEvent.input(editor, { target: { value: '{"labels": [' } });
    expect(screen.getByTestId("daemon-json-problem").textContent).toMatch(/^Not valid JSON: /);
    expect(save().disabled).toBe(true);
    await fireEvent.input(editor, { target: { value: "[]" } });
    expect(screen.getByTestId("daemon-json-problem").textContent).toContain("Not a JSON object");
    await fireEvent.input(editor, { target: { value: '{"bridge": "docker0"}' } });
    await fireEvent.click(save());
    await waitFor(() => expect(screen.getByTestId("daemon-json-error").textContent).toContain('"bridge" is Berth\'s to set'));
    expect(saves).toEqual([]);
    // Restart only once what is edited is saved.
    expect(screen.getByTestId<HTMLButtonElement>("daemon-json-restart").disabled).toBe(true);
    const mirrors = '{"registry-mirrors": ["https://mirror.example"]}';
    await fireEvent.input(editor, { target: { value: mirrors } });
    await fireEvent.click(save());
    await waitFor(() => expect(screen.getByTestId("daemon-json-status").textContent).toBe("Saved. Berth's engine reads it when it next starts."));
    expect(saves).toEqual([mirrors]);
    expect(screen.queryByTestId("daemon-json-error")).toBeNull();
    await fireEvent.click(screen.getByTestId("daemon-json-restart"));
    await waitFor(() => expect(screen.getByTestId("daemon-json-status").textContent).toBe("Berth's engine restarted with this configuration."));
    expect(restarts).toBe(1);
  });
});
