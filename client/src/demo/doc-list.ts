/**
 * The home page's document list: a page at a time from GET /api/docs (the server's cursor;
 * "Load more" appends the next page), searched on the server (`q`: name or title, typed input
 * debounced), sorted by last change or by name, and a "Recently deleted" view of what can still
 * be restored. The search, sort and view live in the URL query (`?q=&sort=name&view=deleted`),
 * so back/forward and a reload show the same list. Each document has Rename and Delete; a
 * delete asks first and offers Undo right after (doc-actions.ts).
 */
import { docHref } from './routes.js';
import { apiCall, pageToken, type DocSummary } from './docs-api.js';
import { Toast } from './dialogs.js';
import { deleteWithUndo, renameDocument, restoreDocument } from './doc-actions.js';
import './documents.css';

/** Documents per page; `?limit=` in the page URL overrides it (1–1000). */
export const DEFAULT_PAGE_SIZE = 50;
/** Typing pauses this long before the search runs. */
export const SEARCH_DEBOUNCE_MS = 250;

interface ListState {
  q: string;
  sort: 'recent' | 'name';
  view: 'docs' | 'deleted';
}

function readState(): ListState {
  const params = new URLSearchParams(location.search);
  return {
    q: params.get('q') ?? '',
    sort: params.get('sort') === 'name' ? 'name' : 'recent',
    view: params.get('view') === 'deleted' ? 'deleted' : 'docs',
  };
}

function pageSize(): number {
  const asked = Number(new URLSearchParams(location.search).get('limit'));
  return Number.isInteger(asked) && asked >= 1 && asked <= 1000 ? asked : DEFAULT_PAGE_SIZE;
}

/** The page URL for `state`, keeping the other parameters (token, limit). */
function urlFor(state: ListState): string {
  const params = new URLSearchParams(location.search);
  const set = (key: string, value: string, fallback: string) =>
    value === fallback ? params.delete(key) : params.set(key, value);
  set('q', state.q, '');
  set('sort', state.sort, 'recent');
  set('view', state.view, 'docs');
  const query = params.toString();
  return `${location.pathname}${query ? `?${query}` : ''}`;
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

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A document link keeps the page's token, so a token session stays one. */
function linkTo(name: string): string {
  const token = pageToken();
  return token ? `${docHref(name)}?token=${encodeURIComponent(token)}` : docHref(name);
}

export interface DocListOptions {
  /** Called when the server's list cannot be had (down, or refusing): the page can offer what
   * it keeps offline instead. */
  onUnreachable?(): void;
}

export function mountDocList(options: DocListOptions = {}): HTMLElement {
  let state = readState();
  const search = el('input', {
    type: 'search',
    id: 'doc-search',
    placeholder: 'Search names and titles',
    value: state.q,
  });
  search.setAttribute('aria-label', 'Search documents');
  const sort = el(
    'select',
    { id: 'doc-sort' },
    el('option', { value: 'recent' }, 'Last changed'),
    el('option', { value: 'name' }, 'Name'),
  );
  sort.value = state.sort;
  const deletedToggle = el('button', { type: 'button', id: 'doc-view-deleted' });
  const tools = el(
    'div',
    { className: 'demo-list-tools' },
    search,
    el('label', { className: 'demo-sort' }, 'Sort ', sort),
    deletedToggle,
  );
  const heading = el('h2', { className: 'demo-list-heading', id: 'doc-list-heading' });
  const status = el('p', { className: 'demo-help', id: 'doc-list-status' });
  status.setAttribute('role', 'status');
  const list = el('ul', { className: 'demo-docs demo-doc-list', id: 'doc-list' });
  list.setAttribute('aria-labelledby', heading.id);
  const more = el('button', { type: 'button', id: 'doc-load-more', hidden: true }, 'Load more');
  const toast = new Toast();
  const section = el('section', { className: 'demo-list' }, tools, heading, status, list, more);
  section.append(toast.element);

  let cursor: string | null = null;
  /** Each load has a number: an answer to an older one (superseded by typing) is dropped. */
  let generation = 0;

  const load = async (append: boolean): Promise<void> => {
    const mine = ++generation;
    const params = new URLSearchParams({ limit: String(pageSize()), sort: state.sort });
    if (state.q) params.set('q', state.q);
    if (state.view === 'deleted') params.set('deleted', '1');
    if (append && cursor) params.set('cursor', cursor);
    if (!append) status.textContent = 'Loading documents…';
    more.disabled = true;
    let answer;
    try {
      answer = await apiCall<{ docs?: DocSummary[]; next?: string | null }>(`/api/docs?${params}`);
    } catch (error) {
      answer = null;
      if (mine === generation) {
        status.textContent = `Could not load the list (${String(error)}).`;
        options.onUnreachable?.();
      }
    }
    if (mine !== generation || answer === null) return;
    more.disabled = false;
    if (!answer.ok) {
      status.textContent = `Could not load the list (${answer.error}).`;
      options.onUnreachable?.();
      return;
    }
    const docs = (answer.body.docs ?? []).filter((d) => typeof d.name === 'string');
    cursor = answer.body.next ?? null;
    more.hidden = cursor === null;
    const items = docs.map((d) => item(d));
    if (append) list.append(...items);
    else list.replaceChildren(...items);
    const shown = list.children.length;
    status.textContent =
      shown === 0 ? emptyMessage() : `${shown} ${shown === 1 ? 'document' : 'documents'} shown.`;
  };

  const emptyMessage = () => {
    if (state.view === 'deleted') return 'Nothing deleted can be restored.';
    return state.q
      ? `No document matches “${state.q}”.`
      : 'No documents yet: create the first one.';
  };

  const item = (doc: DocSummary): HTMLLIElement => {
    const title = doc.title || doc.name;
    const when = doc.deletedAt ?? doc.updatedAt;
    const meta = el(
      'span',
      { className: 'demo-meta' },
      `${doc.deletedAt ? 'deleted ' : ''}${new Date(when).toLocaleString()} · ${formatSize(doc.size)}`,
    );
    const main = el('div', { className: 'demo-doc-main' });
    if (state.view === 'deleted')
      main.append(el('span', { className: 'demo-doc-title-text' }, title));
    else main.append(el('a', { href: linkTo(doc.name), className: 'demo-doc-link' }, title));
    if (doc.title) main.append(el('span', { className: 'demo-doc-name' }, doc.name));
    main.append(meta);
    const actions = el('div', { className: 'demo-doc-actions' });
    const action = (label: string, run: () => void, extra = '') => {
      const b = el('button', { type: 'button', className: extra }, label);
      b.setAttribute('aria-label', `${label} ${title}`);
      b.addEventListener('click', run);
      actions.append(b);
    };
    if (state.view === 'deleted') {
      action('Restore', () => void restoreDocument(doc, toast, () => void load(false)));
    } else {
      action('Rename', () => void renameDocument(doc, toast, () => void load(false)));
      action(
        'Delete',
        () => void deleteWithUndo(doc, toast, () => void load(false)),
        'demo-danger',
      );
    }
    const li = el('li', { className: 'demo-doc' }, main, actions);
    li.dataset.name = doc.name;
    return li;
  };

  const render = (push: boolean) => {
    if (push) history.pushState(null, '', urlFor(state));
    search.value = state.q;
    sort.value = state.sort;
    deletedToggle.textContent = state.view === 'deleted' ? 'All documents' : 'Recently deleted';
    heading.textContent = state.view === 'deleted' ? 'Recently deleted' : 'All documents';
    cursor = null;
    void load(false);
  };

  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if (search.value.trim() === state.q) return;
      // One history entry per search, not per keystroke: typing on replaces the last one.
      const replace = state.q !== '' && search.value.trim() !== '';
      state = { ...state, q: search.value.trim() };
      if (replace) history.replaceState(null, '', urlFor(state));
      render(!replace);
    }, SEARCH_DEBOUNCE_MS);
  });
  sort.addEventListener('change', () => {
    state = { ...state, sort: sort.value === 'name' ? 'name' : 'recent' };
    render(true);
  });
  deletedToggle.addEventListener('click', () => {
    state = { ...state, view: state.view === 'deleted' ? 'docs' : 'deleted' };
    render(true);
  });
  more.addEventListener('click', () => void load(true));
  window.addEventListener('popstate', () => {
    state = readState();
    render(false);
  });
  render(false);
  return section;
}
