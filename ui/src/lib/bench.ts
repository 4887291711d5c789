// The scrolling benchmark (bench/app.sh opens the app on `#containers?scroll-bench`): scrolls
// the container list from top to bottom and back, a fixed distance per frame, and counts the
// frames that took longer than two refresh intervals.

/** `drops`: each dropped frame, as `frame@position:ms` (its index, the list's scroll position
 * asked, its time), to tell a hitch at the start from one spread along the list. */
export type ScrollStats = { frames: number; dropped: number; worst_ms: number; rows: number; drops: string };

export async function scrollBench(pxPerFrame = 60): Promise<ScrollStats> {
  const list = document.querySelector<HTMLElement>("[data-testid=virtual-list]");
  if (!list) return { frames: 0, dropped: 0, worst_ms: 0, rows: 0, drops: "" };
  const frame = () => new Promise<number>((r) => requestAnimationFrame(r));
  // The display's frame interval, measured.
  let t = await frame();
  const gaps: number[] = [];
  for (let i = 0; i < 30; i++) {
    const n = await frame();
    gaps.push(n - t);
    t = n;
  }
  gaps.sort((a, b) => a - b);
  const interval = gaps[Math.floor(gaps.length / 2)];
  let frames = 0;
  let dropped = 0;
  let worst = 0;
  const drops: string[] = [];
  const max = list.scrollHeight - list.clientHeight;
  for (const dir of [1, -1]) {
    for (let pos = dir > 0 ? 0 : max; dir > 0 ? pos <= max : pos >= 0; pos += dir * pxPerFrame) {
      list.scrollTop = pos;
      const n = await frame();
      const gap = n - t;
      t = n;
      frames += 1;
      worst = Math.max(worst, gap);
      if (gap > interval * 2) {
        dropped += 1;
        drops.push(`${frames}@${pos}:${Math.round(gap)}`);
      }
    }
  }
  return { frames, dropped, worst_ms: Math.round(worst * 10) / 10, rows: document.querySelectorAll("[data-testid=container-row]").length, drops: drops.join(" ") };
}
