// A stand-in for xterm.js in tests (it draws on a canvas jsdom has not got): keeps what is
// written, so that a test can read it. `vi.mock("@xterm/xterm", () => import("…/xterm-stub"))`.

/** What the terminals wrote since the last `reset`. */
export const written: string[] = [];

export class Terminal {
  rows = 24;
  cols = 80;
  loadAddon() {}
  open() {}
  onData() {}
  onResize() {}
  focus() {}
  reset() {
    written.length = 0;
  }
  write(text: string) {
    written.push(text);
  }
  dispose() {}
}
