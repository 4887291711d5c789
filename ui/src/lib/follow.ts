// A scroll box whose text grows (a build's or a pull's lines) keeps its end in view while the
// reader has it there: scrolled up, it stays put; scrolled back down, it follows again.

/** Within `slack` pixels of the end. */
export function atEnd(box: Element, slack = 4): boolean {
  return box.scrollTop + box.clientHeight >= box.scrollHeight - slack;
}

/** An attachment (`{@attach followEnd}`) for such a box. */
export function followEnd(box: HTMLElement): () => void {
  let following = true;
  const scrolled = () => (following = atEnd(box));
  const grown = new MutationObserver(() => {
    if (following) box.scrollTop = box.scrollHeight;
  });
  box.addEventListener("scroll", scrolled);
  grown.observe(box, { childList: true, characterData: true, subtree: true });
  box.scrollTop = box.scrollHeight;
  return () => {
    grown.disconnect();
    box.removeEventListener("scroll", scrolled);
  };
}
