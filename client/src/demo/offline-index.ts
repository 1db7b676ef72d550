/**
 * Which documents this browser keeps an offline copy of (the copy itself is y-indexeddb's, see
 * ../offline.ts), with when each was last opened: the home page lists them while the server
 * cannot be reached, and a document page knows whether "no content" means "empty" or "never
 * synced here". Kept in localStorage (one small JSON object per origin, read synchronously
 * before the first paint), separate from the copies so a lost index loses nothing but the list.
 */

/** localStorage key of the index: `{ "<docName>": <last opened, ms since epoch>, … }`. */
export const OFFLINE_INDEX_KEY = 'quire:offline-documents';
/** Most documents listed; the least recently opened drop out of the list first (their
 * IndexedDB copies stay and still open, they are only no longer listed). */
export const MAX_OFFLINE_INDEX_ENTRIES = 200;

export interface OfflineCopy {
  name: string;
  lastOpened: number;
}

/** The storage this index reads and writes; `localStorage` in the page, a Map in tests. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

function defaultStore(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage disabled by the browser's settings: no index, everything else still works.
    return null;
  }
}

function read(store: KeyValueStore | null): Record<string, number> {
  if (!store) return {};
  try {
    const parsed: unknown = JSON.parse(store.getItem(OFFLINE_INDEX_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const index: Record<string, number> = {};
    for (const [name, at] of Object.entries(parsed)) {
      if (typeof at === 'number' && Number.isFinite(at)) index[name] = at;
    }
    return index;
  } catch {
    return {};
  }
}

/** Offline copies, most recently opened first. */
export function listOfflineCopies(store = defaultStore()): OfflineCopy[] {
  return Object.entries(read(store))
    .map(([name, lastOpened]) => ({ name, lastOpened }))
    .sort((a, b) => b.lastOpened - a.lastOpened || (a.name < b.name ? -1 : 1));
}

export function hasOfflineCopy(name: string, store = defaultStore()): boolean {
  return Object.hasOwn(read(store), name);
}

/** Records that this browser now holds `name` (it synced with the server here, or was opened
 * from its copy), trimming the index to MAX_OFFLINE_INDEX_ENTRIES. */
export function rememberOfflineCopy(name: string, now = Date.now(), store = defaultStore()): void {
  if (!store) return;
  const kept = listOfflineCopies(store).filter((copy) => copy.name !== name);
  kept.unshift({ name, lastOpened: now });
  const next: Record<string, number> = {};
  for (const copy of kept.slice(0, MAX_OFFLINE_INDEX_ENTRIES)) next[copy.name] = copy.lastOpened;
  try {
    store.setItem(OFFLINE_INDEX_KEY, JSON.stringify(next));
  } catch {
    // Quota exceeded or storage disabled: the list is a convenience, the copy is still kept.
  }
}
