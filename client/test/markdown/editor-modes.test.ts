// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EditorSelection } from '@codemirror/state';
import { keymap, runScopeHandlers, type KeyBinding } from '@codemirror/view';
import { createEditor, type QuireEditor } from '../../src/editor.js';
import { defineQuireEditor, type QuireEditorElement } from '../../src/element.js';
import type { EditorMode } from '../../src/markdown/mode.js';
import { shortcutGroups } from '../../src/markdown/shortcuts.js';
import { IS_MAC } from '../../src/markdown/platform.js';

const editors: QuireEditor[] = [];
afterEach(() => {
  editors.splice(0).forEach((editor) => editor.destroy());
  document.body.replaceChildren();
});

function open(mode?: EditorMode): QuireEditor {
  const parent = document.createElement('div');
  document.body.append(parent);
  // Port 9 (discard): nothing answers; these tests need the editor, not the server.
  const editor = createEditor({
    parent,
    serverUrl: 'ws://127.0.0.1:9',
    doc: 'notes',
    offline: false,
    history: false,
    mode,
  });
  editors.push(editor);
  return editor;
}

/** A key press as the editor's keymaps see it ("Mod" is Ctrl here, as on Linux and Windows). */
function press(editor: QuireEditor, spec: string): boolean {
  const parts = spec.split('-');
  const name = parts.pop() ?? '';
  // A browser reports Shift+z as "Z".
  const key = parts.includes('Shift') && name.length === 1 ? name.toUpperCase() : name;
  const event = new KeyboardEvent('keydown', {
    key,
    // CodeMirror looks at keyCode to match letters typed with modifiers.
    keyCode: name.length === 1 ? name.toUpperCase().charCodeAt(0) : undefined,
    ctrlKey: parts.includes('Mod') || parts.includes('Ctrl'),
    shiftKey: parts.includes('Shift'),
    altKey: parts.includes('Alt'),
    bubbles: true,
    cancelable: true,
  });
  return runScopeHandlers(editor.view, event, 'editor');
}

function typeText(editor: QuireEditor, text: string): void {
  const { view } = editor;
  const at = view.state.selection.main.head;
  view.dispatch({
    changes: { from: at, insert: text },
    selection: EditorSelection.cursor(at + text.length),
    userEvent: 'input.type',
  });
}

const text = (editor: QuireEditor): string => editor.view.state.doc.toString();

describe('markdown mode (the default)', () => {
  it('makes Mod-b one undo step of its own in the collaborative history, even right after typing', () => {
    const editor = open();
    expect(editor.mode).toBe('markdown');
    typeText(editor, 'hello');
    editor.view.dispatch({ selection: EditorSelection.range(0, 5) });
    expect(press(editor, 'Mod-b')).toBe(true);
    expect(text(editor)).toBe('**hello**');
    press(editor, 'Mod-z');
    expect(text(editor)).toBe('hello');
    press(editor, 'Mod-z');
    expect(text(editor)).toBe('');
    press(editor, 'Mod-Shift-z');
    press(editor, 'Mod-Shift-z');
    expect(text(editor)).toBe('**hello**');
  });

  it('continues a list on Enter, ends it on Enter in an empty item, removes markup on Backspace', () => {
    const editor = open();
    typeText(editor, '1. one');
    press(editor, 'Enter');
    expect(text(editor)).toBe('1. one\n2. ');
    press(editor, 'Enter');
    expect(text(editor)).toBe('1. one\n');
    typeText(editor, '\n> quoted');
    press(editor, 'Enter');
    expect(text(editor)).toBe('1. one\n\n> quoted\n> ');
    press(editor, 'Backspace');
    expect(text(editor)).toBe('1. one\n\n> quoted\n');
  });

  it('toggles the preview from the toolbar and with Mod-Alt-p', () => {
    const editor = open();
    const button = document.querySelector<HTMLButtonElement>('.quire-md-preview-toggle');
    expect(editor.preview?.isOpen).toBe(false);
    button?.click();
    expect(editor.preview?.isOpen).toBe(true);
    expect(button?.getAttribute('aria-pressed')).toBe('true');
    editor.view.contentDOM.dispatchEvent(
      new KeyboardEvent('keydown', {
        code: 'KeyP',
        key: 'p',
        ctrlKey: true,
        altKey: true,
        bubbles: true,
      }),
    );
    expect(editor.preview?.isOpen).toBe(false);
    expect(editor.preview?.element.hidden).toBe(true);
  });
});

describe('the preview', () => {
  it('re-renders a moment after the text stops changing, and within a second while it does not', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const editor = open();
      editor.preview?.setOpen(true);
      const shown = () => editor.preview?.element.textContent ?? '';
      // Someone types a word every 100 ms, for 1.5 s: shorter gaps than the 150 ms pause.
      for (let i = 0; i < 15; i++) {
        typeText(editor, ` w${i}`);
        vi.advanceTimersByTime(100);
      }
      expect(shown()).toMatch(/w\d/);
      expect(shown()).not.toContain('w14');
      vi.advanceTimersByTime(200);
      expect(shown()).toContain('w14');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('plain mode', () => {
  it('is a plain-text editor: no formatting keys, no preview, still find', () => {
    const editor = open('plain');
    typeText(editor, 'hello');
    editor.view.dispatch({ selection: EditorSelection.range(0, 5) });
    press(editor, 'Mod-b');
    expect(text(editor)).toBe('hello');
    expect(editor.preview).toBeNull();
    expect(document.querySelector('.quire-md-preview-toggle')).toBeNull();
    expect(document.querySelector('.quire-md-format')).toBeNull();
    expect(press(editor, 'Mod-f')).toBe(true);
    expect(document.querySelector('.cm-search')).not.toBeNull();
  });
});

describe('<quire-editor mode>', () => {
  it('is markdown by default, plain with mode="plain", and restarts when it changes', () => {
    defineQuireEditor();
    document.body.innerHTML =
      '<quire-editor server="ws://127.0.0.1:9" doc="notes" offline="false"></quire-editor>';
    const element = document.querySelector('quire-editor') as QuireEditorElement;
    expect(element.editor?.mode).toBe('markdown');
    element.setAttribute('mode', 'plain');
    expect(element.editor?.mode).toBe('plain');
    expect(element.shadowRoot?.querySelector('.quire-md-preview-toggle')).toBeNull();
    element.setAttribute('mode', 'nonsense');
    expect(element.editor?.mode).toBe('markdown');
    element.remove();
  });
});

/** `Shift-Mod-g` and `Mod-Shift-g` are one binding: modifiers in a fixed order. */
function normalize(spec: string): string {
  const parts = spec.split(/-(?!$)/);
  const key = parts.pop() ?? '';
  const mods = parts.map((m) => (m === 'Mod' ? (IS_MAC ? 'Meta' : 'Ctrl') : m)).sort();
  return [...mods, key.length === 1 ? key.toLowerCase() : key].join('-');
}

function boundKeys(editor: QuireEditor): Set<string> {
  const bindings = editor.view.state.facet(keymap).flat() as KeyBinding[];
  return new Set(
    bindings.flatMap((b) => {
      const key = (IS_MAC ? b.mac : b.linux) ?? b.key;
      if (!key) return [];
      // A binding's `shift` command is the same key with Shift.
      return b.shift ? [normalize(key), normalize(`Shift-${key}`)] : [normalize(key)];
    }),
  );
}

describe('the shortcut help', () => {
  it.each(['markdown', 'plain'] as const)('lists only keys the %s editor binds', (mode) => {
    const editor = open(mode);
    const bound = boundKeys(editor);
    const listed = shortcutGroups(mode)
      .flatMap((group) => group.shortcuts)
      .filter((shortcut) => shortcut.source === 'keymap')
      .flatMap((shortcut) => shortcut.keys);
    expect(listed.length).toBeGreaterThan(10);
    expect(listed.filter((key) => !bound.has(normalize(key)))).toEqual([]);
    const titles = Array.from(document.querySelectorAll('.quire-md-help caption')).map(
      (caption) => caption.textContent,
    );
    expect(titles).toEqual(
      mode === 'markdown' ? ['Formatting', 'Editing', 'Find', 'View'] : ['Editing', 'Find', 'View'],
    );
  });

  it('opens with ? outside the text, not while typing in it', () => {
    const editor = open();
    const dialog = document.querySelector('dialog.quire-md-help') as HTMLDialogElement;
    editor.view.contentDOM.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
    expect(dialog.open).toBe(false);
    const helpButton = document.querySelector<HTMLButtonElement>('.quire-md-help-button');
    helpButton?.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true }));
    expect(dialog.open).toBe(true);
  });
});
