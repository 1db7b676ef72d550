/**
 * The DOM around the editor: status indicator, view-only badge, presence list, notice. Everything is
 * built with DOM APIs and text nodes; nothing user-controlled is ever parsed as markup.
 */
import type { StatusView, QuireStatus } from './status.js';

export interface EditorChrome {
  root: HTMLElement;
  editorHost: HTMLElement;
  presenceList: HTMLElement;
  /** End of the toolbar, for buttons such as History. */
  tools: HTMLElement;
  setStatus(status: StatusView): void;
  setReadOnly(readOnly: boolean): void;
  /** A message that stays until the page goes away (role="alert": read out at once). */
  showNotice(text: string): void;
  remove(): void;
}

/** Coarse states announced to screen readers: "saving"↔"saved" flips are not announced. */
function announcement(status: QuireStatus): string {
  switch (status) {
    case 'connecting':
      return 'Connecting to the server.';
    case 'online':
    case 'saved':
      return 'Online.';
    case 'reconnecting':
      return 'Reconnecting to the server.';
    case 'offline':
      return 'Offline. Your edits are kept and will sync when the connection is back.';
    case 'denied':
      return '';
  }
}

export function mountChrome(parent: HTMLElement, docName: string): EditorChrome {
  const doc = parent.ownerDocument;
  const root = doc.createElement('div');
  root.className = 'quire';
  root.dataset.doc = docName;

  const bar = doc.createElement('div');
  bar.className = 'quire-bar';
  const status = doc.createElement('span');
  status.className = 'quire-status';
  const live = doc.createElement('span');
  live.className = 'quire-visually-hidden quire-announcer';
  live.setAttribute('role', 'status');
  live.setAttribute('aria-live', 'polite');
  const readOnlyBadge = doc.createElement('span');
  readOnlyBadge.className = 'quire-readonly';
  readOnlyBadge.textContent = 'View only';
  readOnlyBadge.hidden = true;
  const presenceList = doc.createElement('ul');
  presenceList.className = 'quire-presence';
  presenceList.setAttribute('aria-label', 'People in this document');
  presenceList.setAttribute('aria-live', 'polite');
  const tools = doc.createElement('span');
  tools.className = 'quire-tools';
  bar.append(status, readOnlyBadge, presenceList, tools, live);

  const notice = doc.createElement('div');
  notice.className = 'quire-notice';
  notice.setAttribute('role', 'alert');
  notice.hidden = true;

  const editorHost = doc.createElement('div');
  editorHost.className = 'quire-editor';
  root.append(bar, notice, editorHost);
  parent.append(root);

  let announced = '';
  return {
    root,
    editorHost,
    presenceList,
    tools,
    setStatus({ status: name, label }) {
      status.dataset.status = name;
      status.textContent = label;
      const text = name === 'denied' ? label : announcement(name);
      if (text !== announced) {
        announced = text;
        live.textContent = text;
      }
    },
    setReadOnly(readOnly) {
      readOnlyBadge.hidden = !readOnly;
      root.classList.toggle('quire-is-readonly', readOnly);
    },
    showNotice(text) {
      notice.textContent = text;
      notice.hidden = false;
    },
    remove() {
      root.remove();
    },
  };
}
