/**
 * Light or dark: an editor's theme setting ("auto" follows the system's prefers-color-scheme,
 * live) resolved to the scheme to draw, with a callback when that changes.
 */

export type ThemeSetting = 'auto' | 'light' | 'dark';
export type ColorScheme = 'light' | 'dark';

/** Anything but "light" or "dark" (a missing or misspelt attribute) means "auto". */
export function parseThemeSetting(value: unknown): ThemeSetting {
  return value === 'light' || value === 'dark' ? value : 'auto';
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

export interface ColorSchemeWatch {
  scheme(): ColorScheme;
  set(setting: ThemeSetting): void;
  destroy(): void;
}

export function watchColorScheme(
  initial: ThemeSetting,
  onChange: (scheme: ColorScheme) => void,
): ColorSchemeWatch {
  // Absent outside a browser (tests in a DOM-less environment): "auto" is then light.
  const query = typeof matchMedia === 'function' ? matchMedia(DARK_QUERY) : null;
  let setting = initial;
  const resolve = (): ColorScheme =>
    setting === 'auto' ? (query?.matches ? 'dark' : 'light') : setting;
  let current = resolve();
  const update = (): void => {
    const next = resolve();
    if (next === current) return;
    current = next;
    onChange(next);
  };
  query?.addEventListener('change', update);
  return {
    scheme: () => current,
    set(next) {
      setting = next;
      update();
    },
    destroy() {
      query?.removeEventListener('change', update);
    },
  };
}
