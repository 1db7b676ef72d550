/**
 * The network side of one editor: the stock y-websocket provider with Quire's handlers
 * registered, jittered reconnects after everything except the few answers listed in
 * stop-policy.ts, and an awareness clock bump on reconnect.
 */
import type * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import { MessageType, QUIRE_EXTENSIONS_PARAM } from '@quire/shared';
import { sanitizeAwarenessUpdate } from './awareness-guard.js';
import { sendOwnAwarenessOnly } from './awareness-sender.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { registerPermissionDenied, registerPersistedAck } from './persisted-ack.js';
import { watchForRollback } from './rollback-watch.js';
import { countSentUpdates } from './sent-updates.js';
import { accessProbeUrl, probeRefusal, type Refusal } from './access-probe.js';
import { docPath, toWebSocketUrl } from './connection-url.js';
import type { ConnectionPhase } from './status.js';
import { retryNotice, stopMessage, stopReasonForClose } from './stop-policy.js';

export interface ConnectionOptions {
  /** `ws(s)://host[:port][/prefix]`; `http(s)://` is accepted and converted. */
  serverUrl: string;
  /** Canonical document name (validated by the caller). */
  docName: string;
  ydoc: Y.Doc;
  token?: string;
  backoff?: BackoffOptions;
  /** A WebSocket implementation for runtimes without one (Node < 22) and for tests. */
  WebSocketPolyfill?: typeof WebSocket;
  /** Asks why an upgrade failed (access-probe.ts); replaceable for tests. */
  probeAccess?: (url: string) => Promise<Refusal | null>;
  /** Called with every durable state vector the server acknowledges (to keep it for a later
   * page: see `rememberAcknowledged` below and rollback-watch.ts). */
  onAcknowledged?: (stateVector: Uint8Array) => void;
}

export interface ConnectionState {
  phase: ConnectionPhase;
  synced: boolean;
  /** A connection dropped or an attempt failed since the last sync (so we are retrying). */
  wasOffline: boolean;
  /** Since the last sync, an attempt failed before its socket opened (server unreachable). */
  unreachable: boolean;
  /** Why the server closed the last socket, when it was a refusal we retry after (see
   * `retryNotice` in stop-policy.ts); cleared by the next sync. */
  retryNotice: string | null;
  /** The delay of the retry now scheduled, null when none is. */
  retryDelayMs: number | null;
  durable: Uint8Array | null;
  /** From the latest ack: how many of our update messages on this socket are durable. */
  durableUpdates: number | null;
  /** Update messages we sent on this socket (see sent-updates.ts). */
  sentUpdates: number;
  /** Set when the editor stopped for good (stop-policy.ts): what to tell the person. */
  fatal: string | null;
  /** The latest permission-denied reason the server sent (e.g. writes on a read-only link). */
  denied: string | null;
  /** Set when the server was found to have lost acknowledged edits (restored from this copy
   * and reported; see rollback-watch.ts): how many items it lacked. */
  rollbackRepaired: number | null;
}

export interface QuireConnection {
  provider: WebsocketProvider;
  awareness: awarenessProtocol.Awareness;
  state(): ConnectionState;
  onChange(listener: () => void): () => void;
  /** Starts connecting (after offline data loaded, so our first sync carries it). */
  connect(): void;
  /** A durable state vector an earlier page received from this server: until this page gets
   * its own, a server that lacks part of it has lost acknowledged edits. */
  rememberAcknowledged(stateVector: Uint8Array): void;
  destroy(): void;
}

export { toWebSocketUrl, docPath } from './connection-url.js';

/** What browsers report for a socket that failed, including a refused upgrade. */
const ABNORMAL_CLOSURE = 1006;
/** After the first failed open, probe again on every this-many failures. */
const PROBE_EVERY_FAILURES = 5;

export function createConnection(options: ConnectionOptions): QuireConnection {
  const params: Record<string, string> = { [QUIRE_EXTENSIONS_PARAM]: '1' };
  if (options.token) params.token = options.token;
  const provider = new WebsocketProvider(
    toWebSocketUrl(options.serverUrl),
    docPath(options.docName),
    options.ydoc,
    {
      connect: false,
      params,
      // Every server close goes through our `closed` handler below, which decides between a
      // jittered retry and stopping for good (the stock retry has no jitter).
      shouldReconnect: () => false,
      ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
    },
  );
  const awareness = provider.awareness;
  const backoff = new Backoff(options.backoff);
  const listeners = new Set<() => void>();
  const state: ConnectionState = {
    phase: 'connecting',
    synced: false,
    wasOffline: false,
    unreachable: false,
    retryNotice: null,
    retryDelayMs: null,
    durable: null,
    durableUpdates: null,
    sentUpdates: 0,
    fatal: null,
    denied: null,
    rollbackRepaired: null,
  };
  /** The last durable state vector the server sent, kept across reconnects (state.durable is
   * not: it describes one server session). */
  let lastAcknowledged: Uint8Array | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let openedThisAttempt = false;
  /** The current socket completed a sync (it did useful work). */
  let syncedThisSocket = false;
  /** Consecutive attempts whose socket never opened. */
  let failedOpens = 0;
  let destroyed = false;
  const changed = (): void => listeners.forEach((l) => l());

  provider.messageHandlers[MessageType.Awareness] = (_encoder, decoder, p) => {
    const clean = sanitizeAwarenessUpdate(decoding.readVarUint8Array(decoder));
    if (clean !== null) awarenessProtocol.applyAwarenessUpdate(p.awareness, clean, p);
  };
  const stopAwarenessSender = sendOwnAwarenessOnly(provider);
  const sentUpdates = countSentUpdates(provider, () => {
    state.sentUpdates = sentUpdates.count();
    changed();
  });
  registerPersistedAck(provider, (sv, durableUpdates) => {
    state.durable = sv;
    lastAcknowledged = sv;
    options.onAcknowledged?.(sv);
    state.durableUpdates = durableUpdates;
    changed();
  });
  watchForRollback(provider, {
    acknowledged: () => lastAcknowledged,
    onRollback: (missing) => {
      state.rollbackRepaired = missing;
      changed();
    },
  });
  registerPermissionDenied(provider, (reason) => {
    state.denied = reason;
    changed();
  });

  provider.on('status', ({ status }) => {
    if (status === 'connected') {
      openedThisAttempt = true;
      failedOpens = 0;
      state.phase = 'connected';
      // Peers remember our last awareness clock and ignore a re-announcement with the same
      // clock, so after a reconnect we would stay invisible until the 15 s renewal. Setting
      // the state again increments the clock and is sent right away on the fresh socket.
      const local = awareness.getLocalState();
      if (local !== null) awareness.setLocalState({ ...local });
    } else if (status === 'connecting') {
      openedThisAttempt = false;
      syncedThisSocket = false;
      state.retryDelayMs = null;
      state.phase = 'connecting';
    } else {
      onOffline();
    }
    changed();
  });
  provider.on('sync', (synced: boolean) => {
    state.synced = synced;
    if (synced) {
      syncedThisSocket = true;
      state.wasOffline = false;
      state.unreachable = false;
      state.retryNotice = null;
    }
    changed();
  });
  provider.on('closed', ({ code, reason }) => {
    const neverOpened = !openedThisAttempt;
    const didUsefulWork = syncedThisSocket;
    onOffline();
    const stop = stopReasonForClose(code);
    if (stop !== null) {
      state.fatal = stopMessage(stop, reason);
      changed();
      return;
    }
    const notice = neverOpened ? null : retryNotice(code);
    if (neverOpened) state.unreachable = true;
    if (notice !== null) state.retryNotice = notice;
    // An ordinary outage after a session that synced starts the backoff over. A refusal (4400,
    // 4413, 1013, 1011) does not, even after a sync: a server that turns every session down
    // again is then asked less and less often, up to the backoff's cap, instead of 4 times a
    // second.
    if (didUsefulWork && notice === null) backoff.reset();
    scheduleRetry(backoff.next());
    if (code === ABNORMAL_CLOSURE && neverOpened) probeWhyRefused();
    changed();
  });

  /** A socket that never opened may have been refused (401/403/410/400), which browsers report
   * as a plain 1006. Ask the server once, and again every few failures, while retrying anyway. */
  function probeWhyRefused(): void {
    failedOpens++;
    if (failedOpens !== 1 && failedOpens % PROBE_EVERY_FAILURES !== 0) return;
    const probe = options.probeAccess ?? probeRefusal;
    void probe(accessProbeUrl(options.serverUrl, options.docName, options.token)).then(
      (refusal) => {
        if (destroyed || refusal === null || state.fatal !== null || state.phase === 'connected') {
          return;
        }
        clearTimeout(retryTimer);
        provider.disconnect();
        state.retryDelayMs = null;
        state.fatal = stopMessage(refusal.reason, refusal.detail);
        changed();
      },
    );
  }

  function onOffline(): void {
    state.phase = 'disconnected';
    state.synced = false;
    state.wasOffline = true;
    // A durable ack describes one server session; do not claim "saved" from a stale one.
    state.durable = null;
    state.durableUpdates = null;
    state.sentUpdates = 0;
    // The provider has dropped the remote states by now. Forget their clocks too, so states
    // the server re-sends after we reconnect are accepted even when that peer never lost its
    // own connection and so did not bump its clock.
    for (const client of [...awareness.meta.keys()]) {
      if (client !== options.ydoc.clientID && !awareness.states.has(client)) {
        awareness.meta.delete(client);
      }
    }
  }

  function scheduleRetry(delay: number): void {
    clearTimeout(retryTimer);
    state.retryDelayMs = delay;
    retryTimer = setTimeout(() => {
      if (!destroyed && state.fatal === null) provider.connect();
    }, delay);
  }

  // The browser knows when the network is back: try at once instead of waiting out the backoff.
  const onBrowserOnline = (): void => {
    if (state.phase === 'disconnected' && state.fatal === null) scheduleRetry(0);
  };
  if (typeof window !== 'undefined') window.addEventListener('online', onBrowserOnline);

  return {
    provider,
    awareness,
    state: () => ({ ...state }),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connect() {
      if (!destroyed) provider.connect();
    },
    rememberAcknowledged(stateVector) {
      lastAcknowledged ??= stateVector;
    },
    destroy() {
      destroyed = true;
      clearTimeout(retryTimer);
      if (typeof window !== 'undefined') window.removeEventListener('online', onBrowserOnline);
      listeners.clear();
      // Tell the others we left while the socket is still open, then stop sending.
      awarenessProtocol.removeAwarenessStates(awareness, [options.ydoc.clientID], 'destroy');
      stopAwarenessSender();
      sentUpdates.stop();
      provider.destroy();
    },
  };
}
