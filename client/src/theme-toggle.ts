/**
 * The demo's theme choice: System, Light or Dark, remembered in localStorage. "System" removes
 * <html data-theme> so demo.css follows prefers-color-scheme; the others set it. The editor is
 * told through `onChange` (its own chrome resolves "auto" the same way).
 */
import { parseThemeSetting, type ThemeSetting } from './color-scheme.js';

const KEY = 'quire:theme';

const CHOICES: readonly [ThemeSetting, string][] = [
  ['auto', 'System'],
  ['light', 'Light'],
  ['dark', 'Dark'],
];

export function loadThemeSetting(): ThemeSetting {
  try {
    return parseThemeSetting(localStorage.getItem(KEY));
  } catch {
    return 'auto';
  }
}

function saveThemeSetting(setting: ThemeSetting): void {
  try {
    if (setting === 'auto') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, setting);
  } catch {
    // Storage can be disabled; the choice then lasts for this page only.
  }
}

/** Sets the page's theme attribute (call it as early as possible, to avoid a light flash). */
export function applyThemeSetting(setting: ThemeSetting, root = document.documentElement): void {
  if (setting === 'auto') delete root.dataset.theme;
  else root.dataset.theme = setting;
}

/** A labelled <select> for the header. */
export function mountThemeToggle(
  parent: HTMLElement,
  initial: ThemeSetting,
  onChange: (setting: ThemeSetting) => void,
): HTMLSelectElement {
  const doc = parent.ownerDocument;
  const label = doc.createElement('label');
  label.className = 'demo-theme';
  label.append('Theme');
  const select = doc.createElement('select');
  select.id = 'theme-setting';
  for (const [value, text] of CHOICES) {
    const option = doc.createElement('option');
    option.value = value;
    option.textContent = text;
    select.append(option);
  }
  select.value = initial;
  select.addEventListener('change', () => {
    const setting = parseThemeSetting(select.value);
    saveThemeSetting(setting);
    applyThemeSetting(setting);
    onChange(setting);
  });
  label.append(select);
  parent.append(label);
  return select;
}
