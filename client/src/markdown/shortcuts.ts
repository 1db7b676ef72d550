/**
 * The key bindings the shortcut help lists, in CodeMirror key notation. Each one is a real
 * binding: the CodeMirror ones are checked against the editor's keymaps by a unit test
 * (test/markdown/shortcut-help.test.ts), the others are handled by preview.ts and
 * shortcut-help.ts themselves.
 */
import type { EditorMode } from './mode.js';
import { PREVIEW_TOGGLE_KEY } from './preview.js';
import { IS_MAC } from './platform.js';

export interface Shortcut {
  /** Alternatives, any of which does it. */
  keys: string[];
  action: string;
  /** Bound by a CodeMirror keymap (and checked against it), or by a DOM listener. */
  source: 'keymap' | 'listener';
}

export interface ShortcutGroup {
  title: string;
  shortcuts: Shortcut[];
}

/** The key that opens the help (when the focus is not in the text). */
export const HELP_KEY = '?';

const bound = (keys: string[], action: string): Shortcut => ({ keys, action, source: 'keymap' });

export function shortcutGroups(mode: EditorMode, mac = IS_MAC): ShortcutGroup[] {
  const groups: ShortcutGroup[] = [];
  if (mode === 'markdown') {
    groups.push({
      title: 'Formatting',
      shortcuts: [
        bound(['Mod-b'], 'Bold (again: not bold)'),
        bound(['Mod-i'], 'Italic (again: not italic)'),
        bound(['Mod-k'], 'Link: selects its address to type (in a link: remove it)'),
        bound(['Enter'], 'New line, continuing a list or quote'),
        bound(['Backspace'], 'At a list marker or quote mark: remove it'),
      ],
    });
  }
  groups.push(
    {
      title: 'Editing',
      shortcuts: [
        bound(['Mod-z'], 'Undo your last change (never someone else’s)'),
        bound(mac ? ['Mod-Shift-z'] : ['Mod-y', 'Mod-Shift-z'], 'Redo'),
        bound(['Alt-ArrowUp', 'Alt-ArrowDown'], 'Move the line up or down'),
        bound(['Shift-Alt-ArrowUp', 'Shift-Alt-ArrowDown'], 'Copy the line up or down'),
        bound(['Shift-Mod-k'], 'Delete the line'),
        bound(['Mod-]', 'Mod-['], 'Indent or outdent the line'),
        bound(['Mod-d'], 'Select the next occurrence of the selection'),
      ],
    },
    {
      title: 'Find',
      shortcuts: [
        bound(['Mod-f'], 'Find and replace'),
        bound(['Mod-g', 'F3'], 'Next match'),
        bound(['Shift-Mod-g', 'Shift-F3'], 'Previous match'),
        bound(['Mod-Alt-g'], 'Go to line'),
        bound(['Escape'], 'Close the find bar'),
      ],
    },
  );
  const view: Shortcut[] = [];
  if (mode === 'markdown') {
    view.push({
      keys: [PREVIEW_TOGGLE_KEY],
      action: 'Show or hide the preview',
      source: 'listener',
    });
  }
  view.push(
    { keys: [HELP_KEY], action: 'This list (when not typing in the text)', source: 'listener' },
    { keys: ['Escape'], action: 'Close this list', source: 'listener' },
  );
  groups.push({ title: 'View', shortcuts: view });
  return groups;
}
