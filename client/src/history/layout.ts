/**
 * The History panel's DOM, built with DOM APIs and text nodes only (version labels and author
 * names come from other people and are never parsed as markup). Behaviour lives in panel.ts
 * (and the pieces it uses: selection-diff.ts, panel-controls.ts, announcer.ts).
 */
let nextPanelId = 0;

export interface HistoryLayout {
  toggle: HTMLButtonElement;
  announcer: HTMLElement;
  panel: HTMLElement;
  closeButton: HTMLButtonElement;
  nameForm: HTMLFormElement;
  nameInput: HTMLInputElement;
  nameButton: HTMLButtonElement;
  viewOnlyNote: HTMLElement;
  /** Describes the list's keys (the list refers to it). */
  hint: HTMLElement;
  listStatus: HTMLElement;
  listHost: HTMLElement;
  error: HTMLElement;
  diffSection: HTMLElement;
  diffHeading: HTMLElement;
  compareSelect: HTMLSelectElement;
  summary: HTMLElement;
  diffHost: HTMLElement;
  restoreButton: HTMLButtonElement;
  remove(): void;
}

export function mountHistoryLayout(toolbar: HTMLElement, container: HTMLElement): HistoryLayout {
  const doc = container.ownerDocument;
  const id = `quire-history-${++nextPanelId}`;
  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    className: string,
    text?: string,
  ): HTMLElementTagNameMap[K] => {
    const node = doc.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const button = (className: string, text: string): HTMLButtonElement => {
    const b = el('button', `quire-button ${className}`, text);
    b.type = 'button';
    return b;
  };

  const toggle = button('quire-tool quire-history-toggle', 'History');
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', id);
  const announcer = el('span', 'quire-history-announcer');
  announcer.setAttribute('role', 'status');
  announcer.setAttribute('aria-live', 'polite');
  toolbar.append(announcer, toggle);

  const panel = el('section', 'quire-history');
  panel.id = id;
  panel.hidden = true;
  panel.setAttribute('aria-labelledby', `${id}-title`);

  const head = el('div', 'quire-history-head');
  const title = el('h2', 'quire-history-title', 'Version history');
  title.id = `${id}-title`;
  const closeButton = button('quire-history-close', 'Close');
  closeButton.setAttribute('aria-label', 'Close version history');
  closeButton.setAttribute('aria-keyshortcuts', 'Escape');
  head.append(title, closeButton);

  const side = el('div', 'quire-history-side');
  const nameForm = el('form', 'quire-history-name');
  const nameLabel = el('label', 'quire-history-name-label', 'Name the current text');
  nameLabel.htmlFor = `${id}-name`;
  const nameRow = el('div', 'quire-history-name-row');
  const nameInput = el('input', 'quire-input');
  nameInput.id = `${id}-name`;
  nameInput.maxLength = 200;
  nameInput.placeholder = 'e.g. Sent for review';
  nameInput.autocomplete = 'off';
  const nameButton = el('button', 'quire-button', 'Name this version');
  nameButton.type = 'submit';
  nameRow.append(nameInput, nameButton);
  nameForm.append(nameLabel, nameRow);
  const viewOnlyNote = el(
    'p',
    'quire-history-note',
    'View only: you can browse and compare versions, but not name or restore them.',
  );
  viewOnlyNote.id = `${id}-viewonly`;
  viewOnlyNote.hidden = true;
  const hint = el(
    'p',
    'quire-history-hint',
    'Arrow keys choose a version. Shift+click or Shift+Enter picks a second one to compare with.',
  );
  hint.id = `${id}-hint`;
  const listStatus = el('p', 'quire-history-list-status');
  const listHost = el('div', 'quire-history-list-host');
  side.append(nameForm, viewOnlyNote, hint, listStatus, listHost);

  const error = el('p', 'quire-history-error');
  error.setAttribute('role', 'alert');
  error.hidden = true;

  const diffSection = el('div', 'quire-history-main');
  diffSection.hidden = true;
  const diffHead = el('div', 'quire-history-diff-head');
  const diffHeading = el('h3', 'quire-history-diff-title');
  diffHeading.id = `${id}-diff-title`;
  const compareLabel = el('label', 'quire-history-compare', 'Compare with ');
  const compareSelect = el('select', 'quire-input');
  compareLabel.append(compareSelect);
  const summary = el('p', 'quire-history-summary');
  summary.setAttribute('aria-live', 'polite');
  const legend = el('p', 'quire-history-legend');
  legend.setAttribute('aria-hidden', 'true');
  legend.append(el('del', '', 'removed'), ' ', el('ins', '', 'added'));
  diffHead.append(diffHeading, compareLabel, summary, legend);
  const diffHost = el('div', 'quire-history-diff');
  const actions = el('div', 'quire-history-actions');
  const restoreButton = button('quire-button-danger quire-history-restore', 'Restore this version');
  actions.append(restoreButton);
  diffSection.append(diffHead, diffHost, actions);

  const body = el('div', 'quire-history-body');
  const main = el('div', 'quire-history-detail');
  main.append(error, diffSection);
  body.append(side, main);
  panel.append(head, body);
  container.append(panel);

  return {
    toggle,
    announcer,
    panel,
    closeButton,
    nameForm,
    nameInput,
    nameButton,
    viewOnlyNote,
    hint,
    listStatus,
    listHost,
    error,
    diffSection,
    diffHeading,
    compareSelect,
    summary,
    diffHost,
    restoreButton,
    remove() {
      toggle.remove();
      announcer.remove();
      panel.remove();
    },
  };
}
