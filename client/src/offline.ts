/**
 * Offline persistence: every local and remote update is also written to IndexedDB, keyed by
 * server and document, so edits made while the server is unreachable survive a closed tab and
 * are sent by the normal sync handshake the next time this document is opened.
 */
import type * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';

export interface OfflineStore {
  /** Resolves once stored updates are applied (or at once when IndexedDB is unavailable). */
  whenLoaded: Promise<void>;
  destroy(): void;
}

/** How long to wait for IndexedDB before connecting anyway (some browsers block it silently). */
export const OFFLINE_LOAD_TIMEOUT_MS = 3000;

/** One IndexedDB database per server and document: the same name on two servers differs. */
export function offlineStoreName(serverUrl: string, docName: string): string {
  return `quire:${serverUrl.replace(/\/+$/, '')}:${docName}`;
}

export function attachOfflineStore(ydoc: Y.Doc, serverUrl: string, docName: string): OfflineStore {
  if (typeof indexedDB === 'undefined') {
    return { whenLoaded: Promise.resolve(), destroy: () => {} };
  }
  let persistence: IndexeddbPersistence;
  try {
    persistence = new IndexeddbPersistence(offlineStoreName(serverUrl, docName), ydoc);
  } catch (error) {
    console.warn('quire: offline storage unavailable', error);
    return { whenLoaded: Promise.resolve(), destroy: () => {} };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, OFFLINE_LOAD_TIMEOUT_MS);
  });
  const loaded = persistence.whenSynced.then(
    () => undefined,
    (error: unknown) => console.warn('quire: could not read offline edits', error),
  );
  return {
    whenLoaded: Promise.race([loaded, timeout]).finally(() => clearTimeout(timer)),
    destroy: () => {
      clearTimeout(timer);
      void persistence.destroy();
    },
  };
}
