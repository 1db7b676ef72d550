import { describe, expect, it } from 'vitest';
import { ariaKeyShortcut, keyLabel } from '../../src/markdown/platform.js';

describe('key labels', () => {
  it('name keys as people write them, on a PC and on a Mac', () => {
    expect(keyLabel('Shift-Mod-k', false)).toBe('Ctrl+Shift+K');
    expect(keyLabel('Mod-Alt-p', false)).toBe('Ctrl+Alt+P');
    expect(keyLabel('Alt-ArrowUp', false)).toBe('Alt+↑');
    expect(keyLabel('Shift-Mod-k', true)).toBe('⇧⌘K');
    expect(keyLabel('Mod-Alt-p', true)).toBe('⌥⌘P');
    expect(ariaKeyShortcut('Mod-Alt-p', false)).toBe('Control+Alt+P');
    expect(ariaKeyShortcut('Mod-Alt-p', true)).toBe('Alt+Meta+P');
  });
});
