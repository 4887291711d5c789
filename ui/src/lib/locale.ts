// The page's language as Intl needs it. WebKitGTK names it after the process's POSIX locale, so
// under LANG=C (or with no LANG at all, as in a minimal session) `navigator.language` is "C",
// which Intl rejects: uPlot, which makes a number format with it as it loads, then fails and no
// chart shows. Such a name is replaced by "en-US" before anything formats with it.

/** `language` when Intl takes it, else "en-US". */
export function usableLanguage(language: string): string {
  try {
    new Intl.NumberFormat(language);
    return language;
  } catch {
    return "en-US";
  }
}

/** Makes `nav.language` one that Intl takes. */
export function fixLanguage(nav: Navigator): void {
  const language = usableLanguage(nav.language);
  if (language !== nav.language) Object.defineProperty(nav, "language", { value: language, configurable: true });
}
