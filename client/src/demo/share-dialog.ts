/**
 * The document page's sharing: "Copy link" and the Share dialog.
 * - Copy link copies this page's URL WITHOUT the `token` parameter: your own token is never
 *   handed out by accident. In a token session the page says so — the copied link only works
 *   for people who have their own access.
 * - Share mints a link through POST /api/docs/<name>/share: view-only (default) or editing,
 *   living 1 hour, 1 day, 7 days or 30 days (the server's maximum). An editing link never
 *   outlives your own token (the server cuts it). A view-only token cannot mint anything.
 * - On a server without a secret there is nothing to sign with: the dialog says so, and that
 *   `?view=1` only asks the editor to open read-only; anyone with the link can still edit.
 */
import { apiCall, docApiPath, pageToken } from './docs-api.js';
import './documents.css';

export const LINK_LIFETIMES: readonly { label: string; seconds: number }[] = [
  { label: '1 hour', seconds: 3_600 },
  { label: '1 day', seconds: 86_400 },
  { label: '7 days', seconds: 7 * 86_400 },
  { label: '30 days', seconds: 30 * 86_400 },
];

/** This page's URL without the access token. */
export function linkWithoutToken(): string {
  const url = new URL(location.href);
  url.searchParams.delete('token');
  return url.toString();
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** The Copy link / Share row of the document page. */
export function mountShareControls(docName: string): HTMLElement {
  const copy = el('button', { type: 'button', id: 'copy-link' }, 'Copy link');
  const share = el('button', { type: 'button', id: 'share-link' }, 'Share…');
  const linkField = el('input', { readOnly: true, value: linkWithoutToken() });
  linkField.setAttribute('aria-label', 'Link to this document');
  const copied = el('span', { className: 'demo-help' });
  copied.setAttribute('role', 'status');
  const row = el('div', { className: 'demo-share' }, copy, share, linkField, copied);
  if (pageToken()) {
    row.append(
      el(
        'p',
        { className: 'demo-help demo-share-note' },
        'Links you copy here leave out your access token: they work for people who have their own access. Use Share… for a link that carries access.',
      ),
    );
  }
  copy.addEventListener('click', async () => {
    const ok = await copyText(linkWithoutToken());
    if (!ok) linkField.select();
    copied.textContent = ok ? 'Link copied.' : 'Press Ctrl+C to copy the selected link.';
  });
  share.addEventListener('click', () => openShareDialog(docName));
  return row;
}

function openShareDialog(docName: string): void {
  const dialog = el('dialog', { className: 'demo-dialog', id: 'share-dialog' });
  dialog.setAttribute('aria-labelledby', 'share-title');
  const radio = (value: 'ro' | 'rw', text: string, checked: boolean) => {
    const input = el('input', { type: 'radio', name: 'share-mode', value, checked });
    return el('label', {}, input, text);
  };
  const modes = el(
    'fieldset',
    {},
    el('legend', {}, 'Who gets the link can'),
    radio('ro', 'View only', true),
    radio('rw', 'Edit', false),
  );
  const lifetime = el('select', { id: 'share-lifetime' });
  for (const { label, seconds } of LINK_LIFETIMES) {
    lifetime.append(el('option', { value: String(seconds), selected: seconds === 86_400 }, label));
  }
  const result = el('div', { id: 'share-result' });
  result.setAttribute('role', 'status');
  const create = el('button', { type: 'button', className: 'demo-primary' }, 'Create link');
  const close = el('button', { type: 'button' }, 'Close');
  dialog.append(
    el('h2', { id: 'share-title' }, 'Share a link'),
    modes,
    el('label', { htmlFor: lifetime.id }, 'Link works for'),
    lifetime,
    result,
    el('div', { className: 'demo-dialog-actions' }, close, create),
  );
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  close.addEventListener('click', () => dialog.close());
  create.addEventListener('click', async () => {
    const mode = (dialog.querySelector('input[name="share-mode"]:checked') as HTMLInputElement)
      .value;
    create.disabled = true;
    result.replaceChildren(el('p', { className: 'demo-help' }, 'Creating the link…'));
    const answer = await apiCall<{ path: string; expiresAt: number }>(
      docApiPath(docName, '/share'),
      { method: 'POST', json: { mode, ttlSeconds: Number(lifetime.value) } },
    ).catch((error: unknown) => ({ ok: false, status: 0, error: String(error), body: null }));
    create.disabled = false;
    if (answer.ok && answer.body) {
      showLink(result, new URL(answer.body.path, location.origin).toString(), mode, answer.body);
    } else {
      result.replaceChildren(...refusal(answer.status, answer.error));
    }
  });
  dialog.showModal();
}

function showLink(
  result: HTMLElement,
  url: string,
  mode: string,
  minted: { expiresAt: number },
): void {
  const field = el('input', { readOnly: true, value: url, id: 'share-url' });
  field.setAttribute('aria-label', mode === 'ro' ? 'View-only link' : 'Editing link');
  const copy = el('button', { type: 'button', id: 'share-copy' }, 'Copy');
  const note = el('p', { className: 'demo-help' });
  note.textContent = `${mode === 'ro' ? 'View-only' : 'Editing'} link, works until ${new Date(minted.expiresAt).toLocaleString()}.`;
  copy.addEventListener('click', async () => {
    const ok = await copyText(url);
    if (!ok) field.select();
    note.textContent = ok ? 'Link copied.' : 'Press Ctrl+C to copy the selected link.';
  });
  result.replaceChildren(field, el('div', { className: 'demo-dialog-actions' }, copy), note);
  field.select();
}

function refusal(status: number, error: string): Node[] {
  const p = (text: string, className = 'demo-help') => el('p', { className }, text);
  if (status === 501) {
    const hint = new URL(linkWithoutToken());
    hint.searchParams.set('view', '1');
    return [
      p(
        'View-only links need a server started with a secret (--secret): on this server every link can edit.',
      ),
      p(
        `A link ending in ?view=1 (${hint.toString()}) asks the editor to open read-only, but cannot stop anyone from editing.`,
      ),
    ];
  }
  if (status === 403) {
    return [
      p(
        `Your access cannot share this document (${error}). Sharing needs an editing link.`,
        'demo-error',
      ),
    ];
  }
  if (status === 401) {
    return [
      p('Open this document with an editing link first: sharing needs your access.', 'demo-error'),
    ];
  }
  return [p(`The link could not be created: ${error}.`, 'demo-error')];
}
