// What every ui test's page has that jsdom lacks. matchMedia: uPlot reads it as it loads, and a
// chart's import that finished after its test had ended threw there, an unhandled rejection
// that failed the whole run (the theme reads it too). A stand-in that matches nothing.
if (typeof window !== "undefined" && typeof window.matchMedia !== "function") {
  window.matchMedia = (media: string) =>
    ({
      matches: false,
      media,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
