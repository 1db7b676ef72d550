/** `/`: the list of documents (from GET /api/docs) and a form to create a new one. */
import { isValidDocName } from '@quire/shared';
import { docHref } from './routes.js';
import { mountDocList } from './doc-list.js';
import { renderOfflineDocuments } from './offline-documents.js';

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function randomName(): string {
  const words = ['notes', 'plan', 'draft', 'ideas', 'agenda', 'spec'];
  const word = words[Math.floor(Math.random() * words.length)] ?? 'notes';
  return `${word}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function renderHome(app: HTMLElement): Promise<void> {
  document.title = 'Quire';
  const nameInput = el('input', {
    id: 'new-doc-name',
    value: randomName(),
    required: true,
    maxLength: 128,
  });
  nameInput.setAttribute('aria-describedby', 'new-doc-help');
  const help = el(
    'p',
    { id: 'new-doc-help', className: 'demo-help' },
    'Letters, digits, ".", "_" and "-"; use "/" for folders (team/notes).',
  );
  const form = el(
    'form',
    { className: 'demo-new' },
    el('label', { htmlFor: 'new-doc-name' }, 'New document'),
    nameInput,
    el('button', { type: 'submit' }, 'Create'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = nameInput.value.trim().normalize('NFC');
    if (!isValidDocName(name)) {
      help.textContent = `"${name}" is not a valid document name. ${help.textContent ?? ''}`;
      help.classList.add('demo-error');
      nameInput.focus();
      return;
    }
    location.assign(docHref(name));
  });

  // Documents kept on this device: shown when the server's list is out of reach.
  const offlineDocs = renderOfflineDocuments();
  // Search, sort, paging, rename, delete with undo, recently deleted (doc-list.ts).
  const docList = mountDocList({ onUnreachable: () => (offlineDocs.hidden = false) });
  app.replaceChildren(
    el('h1', {}, 'Documents'),
    form,
    help,
    docList,
    offlineDocs,
    el('p', { className: 'demo-help' }, el('a', { href: '/embed.html' }, 'Embedding example')),
  );
}
