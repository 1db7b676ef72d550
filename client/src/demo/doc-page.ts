/**
 * `/d/<docName>`: the editor for one document, a copy-link button, and the live display name.
 * `?token=…` is passed to the server; `?view=1` opens a view-only editor (a convenience; real
 * enforcement is a read-only token).
 */
import { isValidDocName } from '@quire/shared';
import { createEditor, type QuireEditor } from '../editor.js';
import type { UserIdentity } from '../user.js';
import { followDocument } from './doc-follow.js';
import { mountShareControls } from './share-dialog.js';
import { guardOfflineCopy } from './offline-copy-guard.js';
import { checkForUpdateOnReconnect } from './service-worker-registration.js';
import type { ThemeSetting } from '../color-scheme.js';

declare global {
  interface Window {
    /** The open editor, for debugging from the console and for end-to-end tests. */
    quire?: QuireEditor;
  }
}

/** The server that serves this page; under `vite` dev, a separate quire-server. */
function serverUrl(): string {
  if (import.meta.env.DEV) return import.meta.env.VITE_QUIRE_SERVER ?? 'ws://127.0.0.1:1234';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
}

export function renderDocPage(
  app: HTMLElement,
  docName: string,
  identity: UserIdentity,
  theme: ThemeSetting = 'auto',
): QuireEditor | null {
  const title = document.createElement('h1');
  title.className = 'demo-doc-title';
  title.textContent = docName;
  if (!isValidDocName(docName)) {
    const error = document.createElement('p');
    error.className = 'demo-error';
    error.setAttribute('role', 'alert');
    error.textContent = 'This is not a valid document name. Go back and pick another one.';
    app.replaceChildren(title, error);
    return null;
  }
  document.title = `${docName} · Quire`;
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? undefined;
  // Undefined lets a read-only token decide on its own.
  const readOnly = params.get('view') === '1' ? true : undefined;

  // Copy link (never with your token) and Share… (share-dialog.ts).
  const share = mountShareControls(docName);

  const host = document.createElement('div');
  host.className = 'demo-editor';
  app.replaceChildren(title, share, host);

  const editor = createEditor({
    parent: host,
    serverUrl: serverUrl(),
    doc: docName,
    token,
    readOnly,
    user: identity,
    theme,
  });
  window.quire = editor;
  // The tab shows the document's title; a rename moves the page along (doc-follow.ts).
  followDocument(editor, docName);
  guardOfflineCopy(editor, docName, host);
  checkForUpdateOnReconnect(editor);
  return editor;
}
