/**
 * A document page opened with the server out of reach: with an offline copy on this device the
 * editor shows it (and syncs later); without one, the page says so plainly instead of showing
 * an empty editor whose typing would later merge into a document nobody here has seen.
 */
import * as Y from 'yjs';
import type { QuireEditor } from '../editor.js';
import type { QuireStatus } from '../status.js';
import { hasOfflineCopy, rememberOfflineCopy } from './offline-index.js';

export const NO_OFFLINE_COPY =
  'This document has not been opened on this device, so there is no offline copy. ' +
  'It opens here as soon as the server can be reached.';

/** With neither a copy nor an answer yet, how long the page stays blank before it says it is
 * waiting for the server (a first sync usually takes far less: no flash of text then). */
export const CONNECTING_NOTICE_DELAY_MS = 1000;
export const CONNECTING = 'Connecting to the server…';

/** Statuses after which the editor shows what the server holds (or its own refusal). */
const SETTLED: ReadonlySet<QuireStatus> = new Set(['online', 'saved', 'denied']);

export function guardOfflineCopy(editor: QuireEditor, docName: string, host: HTMLElement): void {
  const notice = document.createElement('p');
  notice.className = 'demo-offline-notice';
  notice.setAttribute('role', 'status');
  notice.hidden = true;
  host.before(notice);

  let known = hasOfflineCopy(docName);
  let remembered = false;
  // Until we know there is something to show, show nothing: no empty editor to type into.
  if (!known) host.hidden = true;
  const reveal = (): void => {
    notice.hidden = true;
    notice.textContent = '';
    if (host.hidden) {
      host.hidden = false;
      editor.view.requestMeasure();
    }
  };
  const say = (text: string): void => {
    // Shown, then filled: the change inside a live region is what screen readers announce.
    notice.hidden = false;
    notice.textContent = text;
  };
  let current: QuireStatus = editor.status().status;
  const waiting = setTimeout(() => {
    if (!known && !SETTLED.has(current) && current !== 'offline') say(CONNECTING);
  }, CONNECTING_NOTICE_DELAY_MS);
  const update = (status: QuireStatus): void => {
    current = status;
    if (status === 'online' || status === 'saved') {
      // Synced with the server: this device now holds the document.
      if (!remembered) rememberOfflineCopy(docName);
      remembered = true;
      known = true;
    }
    if (known || SETTLED.has(status)) {
      clearTimeout(waiting);
      reveal();
    } else if (status === 'offline') say(NO_OFFLINE_COPY);
  };
  void editor.ready.then(() => {
    // A copy kept before this list existed (or after it was trimmed) still counts.
    if (!known && Y.encodeStateVector(editor.ydoc).length > 1) known = true;
    if (known && !remembered) {
      rememberOfflineCopy(docName);
      remembered = true;
    }
    update(editor.status().status);
  });
  editor.onStatus((view) => update(view.status));
}
