/**
 * The keyboard-shortcut list: a modal `<dialog>` opened by the toolbar's "?" button or the `?`
 * key when the focus is not in the text (in the text, `?` is a character). The browser keeps the
 * focus inside while it is open and closes it on Escape; focus then returns to where it was.
 */
import { ariaKeyShortcut, keyLabel } from './platform.js';
import { HELP_KEY, shortcutGroups } from './shortcuts.js';
import type { EditorMode } from './mode.js';

export interface ShortcutHelpOptions {
  /** Where the "?" button goes. */
  toolbar: HTMLElement;
  /** The editor's root: the dialog goes inside (and so inside a `<quire-editor>`'s shadow root). */
  container: HTMLElement;
  mode: EditorMode;
}

export interface ShortcutHelp {
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  destroy(): void;
}

/** Editors on the page in mount order: a `?` pressed with nothing focused opens the first. */
const mounted: HTMLElement[] = [];
let nextId = 0;

function isTextEntry(node: EventTarget | undefined): boolean {
  if (!(node instanceof Element)) return false;
  if (node.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])')) {
    return true;
  }
  return node instanceof HTMLElement && node.isContentEditable;
}

function buildList(doc: Document, mode: EditorMode): HTMLElement {
  const list = doc.createElement('div');
  list.className = 'quire-md-help-groups';
  for (const group of shortcutGroups(mode)) {
    const table = doc.createElement('table');
    table.className = 'quire-md-help-table';
    const caption = doc.createElement('caption');
    caption.textContent = group.title;
    table.append(caption);
    const tbody = doc.createElement('tbody');
    for (const shortcut of group.shortcuts) {
      const row = doc.createElement('tr');
      const keys = doc.createElement('th');
      keys.scope = 'row';
      shortcut.keys.forEach((key, index) => {
        if (index > 0) keys.append(' or ');
        const kbd = doc.createElement('kbd');
        kbd.textContent = keyLabel(key);
        keys.append(kbd);
      });
      const action = doc.createElement('td');
      action.textContent = shortcut.action;
      row.append(keys, action);
      tbody.append(row);
    }
    table.append(tbody);
    list.append(table);
  }
  return list;
}

export function mountShortcutHelp(options: ShortcutHelpOptions): ShortcutHelp {
  const { container } = options;
  const doc = container.ownerDocument;
  const id = `quire-shortcuts-${++nextId}`;

  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'quire-button quire-tool quire-md-help-button';
  button.textContent = '?';
  button.setAttribute('aria-label', 'Keyboard shortcuts');
  button.setAttribute('aria-haspopup', 'dialog');
  button.setAttribute('aria-keyshortcuts', ariaKeyShortcut(HELP_KEY));
  button.title = `Keyboard shortcuts (${HELP_KEY})`;
  options.toolbar.append(button);

  const dialog = doc.createElement('dialog');
  dialog.className = 'quire-dialog quire-md-help';
  dialog.setAttribute('aria-labelledby', `${id}-title`);
  const head = doc.createElement('div');
  head.className = 'quire-md-help-head';
  const title = doc.createElement('h2');
  title.id = `${id}-title`;
  title.className = 'quire-dialog-title';
  title.textContent = 'Keyboard shortcuts';
  const close = doc.createElement('button');
  close.type = 'button';
  close.className = 'quire-button';
  close.textContent = 'Close';
  head.append(title, close);
  dialog.append(head, buildList(doc, options.mode));
  container.append(dialog);

  let returnFocus: HTMLElement | null = null;
  const open = (): void => {
    if (dialog.open) return;
    const active = (container.getRootNode() as Document | ShadowRoot).activeElement;
    returnFocus = active instanceof HTMLElement ? active : null;
    dialog.showModal();
    close.focus();
  };
  const closeDialog = (): void => {
    if (dialog.open) dialog.close();
  };
  // Escape closes the dialog natively; every way of closing ends here.
  dialog.addEventListener('close', () => {
    const target = returnFocus;
    returnFocus = null;
    if (target?.isConnected) target.focus();
  });
  button.addEventListener('click', open);
  close.addEventListener('click', closeDialog);
  // A click on the backdrop (outside the dialog's box) closes it too.
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const outside =
      event.clientX < box.left ||
      event.clientX > box.right ||
      event.clientY < box.top ||
      event.clientY > box.bottom;
    if (outside) closeDialog();
  });

  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== HELP_KEY || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.defaultPrevented || dialog.open) return;
    const path = event.composedPath();
    if (isTextEntry(path[0])) return;
    const inside = path.includes(container);
    // With nothing focused the key goes to the page: the first editor on it answers.
    const unfocused = path[0] === doc.body || path[0] === doc.documentElement || path[0] === doc;
    if (!inside && !(unfocused && mounted[0] === container)) return;
    event.preventDefault();
    open();
  };
  doc.addEventListener('keydown', onKey);
  mounted.push(container);

  return {
    get isOpen() {
      return dialog.open;
    },
    open,
    close: closeDialog,
    destroy() {
      doc.removeEventListener('keydown', onKey);
      mounted.splice(mounted.indexOf(container), 1);
      closeDialog();
      dialog.remove();
      button.remove();
    },
  };
}
