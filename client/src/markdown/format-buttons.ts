/**
 * Bold, italic and link buttons in the toolbar, for people without a keyboard (a phone, a
 * tablet): the same commands as Mod-b/i/k, applied to the editor's selection. Pressing one keeps
 * the text's focus and selection (the button never takes the focus from the editor on pointer
 * down), so the next tap can be the next character. Hidden while the editor is read-only.
 */
import type { StateCommand } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { toggleBold, toggleItalic, toggleLink } from './format-commands.js';
import { ariaKeyShortcut, keyLabel } from './platform.js';

interface FormatButton {
  label: string;
  name: string;
  key: string;
  command: StateCommand;
}

const BUTTONS: readonly FormatButton[] = [
  { label: 'B', name: 'Bold', key: 'Mod-b', command: toggleBold },
  { label: 'I', name: 'Italic', key: 'Mod-i', command: toggleItalic },
  { label: 'Link', name: 'Link', key: 'Mod-k', command: toggleLink },
];

export function mountFormatButtons(view: EditorView, toolbar: HTMLElement): () => void {
  const doc = toolbar.ownerDocument;
  const group = doc.createElement('span');
  group.className = 'quire-md-format';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Formatting');
  for (const spec of BUTTONS) {
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = `quire-button quire-md-format-${spec.name.toLowerCase()}`;
    button.textContent = spec.label;
    button.setAttribute('aria-label', spec.name);
    button.setAttribute('aria-keyshortcuts', ariaKeyShortcut(spec.key));
    button.title = `${spec.name} (${keyLabel(spec.key)})`;
    // Keeps the focus (and a phone's keyboard) in the text.
    button.addEventListener('pointerdown', (event) => event.preventDefault());
    button.addEventListener('click', () => {
      spec.command(view);
      view.focus();
    });
    group.append(button);
  }
  toolbar.prepend(group);
  return () => group.remove();
}
