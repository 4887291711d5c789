import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { FakeTransport, viewContext } from "../testing";
import ContainerDetail from "./ContainerDetail.svelte";

afterEach(cleanup);

describe("ContainerDetail", () => {
  it("offers a browser only for the TCP ports it publishes", async () => {
    const t = new FakeTransport();
    t.handlers.container_inspect = () => ({
      Name: "/dns",
      State: { Status: "running" },
      Config: { Image: "busybox", Env: [] },
      Mounts: [],
      NetworkSettings: {
        Ports: {
          "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }],
          "53/udp": [{ HostIp: "127.0.0.1", HostPort: "5353" }],
          "9000/tcp": null,
        },
      },
    });
    t.handlers.container_logs = () => undefined;
    render(ContainerDetail, { props: { id: "dns-id" }, context: viewContext(t) });
    await waitFor(() => expect(screen.getByTestId("container-name").textContent).toBe("dns"));
    await fireEvent.click(screen.getByTestId("tab-details"));
    const ports = await screen.findAllByRole("listitem");
    const texts = ports.map((p) => p.textContent ?? "");
    expect(texts.some((t) => t.includes("0.0.0.0:8080 → 80/tcp") && t.includes("Open in browser"))).toBe(true);
    expect(texts.some((t) => t.includes("127.0.0.1:5353 → 53/udp") && !t.includes("Open in browser"))).toBe(true);
    expect(screen.getAllByRole("button", { name: "Open in browser" }).length).toBe(1);
  });
});
