// The theme setting: `system` follows the desktop (and its changes), `light` and `dark` force
// one. The page always carries the theme in use as `data-theme`, which app.css styles.

let choice = "system";
const dark = typeof matchMedia === "undefined" ? null : matchMedia("(prefers-color-scheme: dark)");
dark?.addEventListener("change", () => applyTheme(choice));

export function applyTheme(theme: string): void {
  choice = theme;
  const use = theme === "light" || theme === "dark" ? theme : dark?.matches ? "dark" : "light";
  document.documentElement.dataset.theme = use;
}
