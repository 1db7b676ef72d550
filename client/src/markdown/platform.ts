/**
 * Key names as people read them: CodeMirror key notation (`Mod-Shift-z`) shown as `Ctrl+Shift+Z`
 * or, on Apple platforms, `⌘⇧Z`; and as `aria-keyshortcuts` values. `Mod` is Command on Apple
 * platforms and Control elsewhere, the same test CodeMirror's keymaps use.
 */
export const IS_MAC =
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad|iPod/.test(navigator.platform);

/** Whether the platform's Mod key (and not the other one) is held. */
export function isModKey(event: KeyboardEvent, mac = IS_MAC): boolean {
  return mac ? event.metaKey && !event.ctrlKey : event.ctrlKey && !event.metaKey;
}

const MAC_SYMBOLS: Record<string, string> = { Mod: '⌘', Ctrl: '⌃', Alt: '⌥', Shift: '⇧' };
const KEY_NAMES: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc',
};

/** Modifiers in the order people write them: Ctrl+Alt+Shift+K; on a Mac ⌃⌥⇧⌘K. */
const ORDER = ['Mod', 'Ctrl', 'Alt', 'Shift'];
const MAC_ORDER = ['Ctrl', 'Alt', 'Shift', 'Mod'];

function parts(spec: string, mac: boolean): string[] {
  // `Mod--` would be Mod and "-"; none of the bindings shown use it.
  const keys = spec.split('-').filter(Boolean);
  const key = keys.pop() ?? '';
  const order = mac ? MAC_ORDER : ORDER;
  return [...keys.sort((a, b) => order.indexOf(a) - order.indexOf(b)), key];
}

function keyName(key: string): string {
  return KEY_NAMES[key] ?? (key.length === 1 ? key.toUpperCase() : key);
}

/** `Mod-Alt-p` → `Ctrl+Alt+P` (or `⌘⌥P` on a Mac). */
export function keyLabel(spec: string, mac = IS_MAC): string {
  const keys = parts(spec, mac);
  const key = keyName(keys.pop() ?? '');
  if (mac) return keys.map((m) => MAC_SYMBOLS[m] ?? m).join('') + key;
  return [...keys.map((m) => (m === 'Mod' ? 'Ctrl' : m)), key].join('+');
}

/** `Mod-Alt-p` → `Control+Alt+P` (or `Meta+Alt+P`), for `aria-keyshortcuts`. */
export function ariaKeyShortcut(spec: string, mac = IS_MAC): string {
  const keys = parts(spec, mac);
  const key = keyName(keys.pop() ?? '');
  const modifier = (m: string): string =>
    m === 'Mod' ? (mac ? 'Meta' : 'Control') : m === 'Ctrl' ? 'Control' : m;
  return [...keys.map(modifier), key].join('+');
}
