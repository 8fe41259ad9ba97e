// The colour theme: "auto" follows the system, "light" and "dark" are fixed.
// The choice is kept in localStorage and applied as <html data-theme>.
const KEY = 'hostadm-theme';
const ORDER = ['auto', 'light', 'dark'];

export function currentTheme() {
  try {
    const t = localStorage.getItem(KEY);
    return ORDER.includes(t) ? t : 'auto';
  } catch {
    return 'auto';
  }
}

export function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  try { localStorage.setItem(KEY, theme); } catch { /* private mode: not kept */ }
}

/** nextTheme cycles auto → light → dark → auto. */
export function nextTheme(theme) {
  return ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
}
