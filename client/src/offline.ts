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
  /** The last durable state vector the server acknowledged, as saved by an earlier page. */
  loadAcknowledged(): Promise<Uint8Array | null>;
  /** Keeps `stateVector` for the next page (written at most once per ACK_SAVE_INTERVAL_MS). */
  saveAcknowledged(stateVector: Uint8Array): void;
  /** False when IndexedDB is missing or failed to open or load: then edits made offline live
   * only in this tab, and the status must not claim they are kept on this device. */
  isAvailable(): boolean;
  destroy(): void;
}

/** Acks arrive every few milliseconds while someone types; IndexedDB gets the latest one at
 * most this often (and once more when the editor is destroyed). */
export const ACK_SAVE_INTERVAL_MS = 1000;
/** How long reading the acknowledged state vector may delay connecting. */
export const ACK_LOAD_TIMEOUT_MS = 500;
/** Key of the acknowledged state vector in y-indexeddb's custom store. */
const ACKNOWLEDGED_KEY = 'quire:acknowledged';

const NO_STORE: OfflineStore = {
  whenLoaded: Promise.resolve(),
  loadAcknowledged: () => Promise.resolve(null),
  saveAcknowledged: () => {},
  isAvailable: () => false,
  destroy: () => {},
};

/** How long to wait for IndexedDB before connecting anyway (some browsers block it silently). */
export const OFFLINE_LOAD_TIMEOUT_MS = 3000;

/** One IndexedDB database per server and document: the same name on two servers differs. */
export function offlineStoreName(serverUrl: string, docName: string): string {
  return `quire:${serverUrl.replace(/\/+$/, '')}:${docName}`;
}

export function attachOfflineStore(ydoc: Y.Doc, serverUrl: string, docName: string): OfflineStore {
  if (typeof indexedDB === 'undefined') return NO_STORE;
  let persistence: IndexeddbPersistence;
  try {
    persistence = new IndexeddbPersistence(offlineStoreName(serverUrl, docName), ydoc);
  } catch (error) {
    console.warn('quire: offline storage unavailable', error);
    return NO_STORE;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, OFFLINE_LOAD_TIMEOUT_MS);
  });
  // Not claimed until IndexedDB has answered once (it can block silently, see the timeout).
  let available = false;
  const loaded = persistence.whenSynced.then(
    () => {
      available = true;
    },
    (error: unknown) => console.warn('quire: could not read offline edits', error),
  );
  let pendingAck: Uint8Array | null = null;
  let ackTimer: ReturnType<typeof setTimeout> | undefined;
  const writeAck = (): void => {
    ackTimer = undefined;
    if (pendingAck === null) return;
    const value = pendingAck;
    pendingAck = null;
    // y-indexeddb keeps ArrayBuffers (an exact-size copy: `value` may be a view).
    persistence.set(ACKNOWLEDGED_KEY, value.slice().buffer).catch((error: unknown) => {
      console.warn('quire: could not keep the acknowledged state', error);
    });
  };
  return {
    whenLoaded: Promise.race([loaded, timeout]).finally(() => clearTimeout(timer)),
    loadAcknowledged: () => {
      let bound: ReturnType<typeof setTimeout> | undefined;
      // Bounded like whenLoaded: a blocked IndexedDB must not keep the editor from connecting.
      const gaveUp = new Promise<null>((resolve) => {
        bound = setTimeout(() => resolve(null), ACK_LOAD_TIMEOUT_MS);
      });
      const read = persistence.get(ACKNOWLEDGED_KEY).then(
        (value: unknown) => (value instanceof ArrayBuffer ? new Uint8Array(value) : null),
        () => null,
      );
      return Promise.race([read, gaveUp]).finally(() => clearTimeout(bound));
    },
    saveAcknowledged: (stateVector) => {
      pendingAck = stateVector;
      ackTimer ??= setTimeout(writeAck, ACK_SAVE_INTERVAL_MS);
    },
    isAvailable: () => available,
    destroy: () => {
      clearTimeout(timer);
      clearTimeout(ackTimer);
      writeAck();
      void persistence.destroy();
    },
  };
}
