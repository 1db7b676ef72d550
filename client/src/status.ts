/**
 * The status indicator's logic, kept pure so every rule is unit-tested: what the user is told
 * must be honest, above all "All changes saved", which needs the server's durable state to cover
 * everything this editor holds.
 */
import * as Y from 'yjs';
import { stopMessage, stopReasonForClose } from './stop-policy.js';

export type QuireStatus = 'connecting' | 'online' | 'saved' | 'reconnecting' | 'offline' | 'denied';
export type ConnectionPhase = 'connecting' | 'connected' | 'disconnected';

export interface StatusInput {
  phase: ConnectionPhase;
  /** The server's copy and ours have been exchanged (sync step 2 received). */
  synced: boolean;
  /** True once a connection attempt failed or a connection dropped since the last sync. */
  wasOffline: boolean;
  /** Since the last sync, an attempt failed before its socket opened: the server cannot be
   * reached (down, or the network is). */
  unreachable: boolean;
  /** Why the server closed the last socket, when it was a refusal a retry may overcome (server
   * busy, message rejected, …); null for an ordinary outage. */
  retryNotice: string | null;
  /** Local document state vector (`Y.encodeStateVector`). */
  local: Uint8Array;
  /** Latest durable state vector from the server's persisted ack; null when none yet. */
  durable: Uint8Array | null;
  /** From the same ack: how many of our update messages on this socket are durable (null when
   * the server did not say). */
  durableUpdates: number | null;
  /** Update messages we sent on this socket. */
  sentUpdates: number;
  /** Set when the server closed with a code that retrying cannot fix. */
  fatal: string | null;
  readOnly: boolean;
  /** The server refused one of our writes (permission denied), with its reason. */
  denied: string | null;
  /** Offline persistence works, so edits made now survive a closed tab. */
  offlineStore: boolean;
}

export interface StatusView {
  status: QuireStatus;
  label: string;
}

/** True when every client's clock in `local` is reached by `durable`. */
export function stateVectorCovers(
  durable: ReadonlyMap<number, number>,
  local: ReadonlyMap<number, number>,
): boolean {
  for (const [client, clock] of local) {
    if ((durable.get(client) ?? 0) < clock) return false;
  }
  return true;
}

/**
 * Saved means the durable state vector covers the local one and, when the server reports it,
 * every update message we sent is durable: deletions do not move the state vector, so only the
 * count proves a delete-only edit saved.
 */
export function isDurablySaved(
  local: Uint8Array,
  durable: Uint8Array | null,
  messages: { durable: number | null; sent: number } = { durable: null, sent: 0 },
): boolean {
  if (durable === null) return false;
  if (messages.durable !== null && messages.durable < messages.sent) return false;
  return stateVectorCovers(Y.decodeStateVector(durable), Y.decodeStateVector(local));
}

/** Labels that tests and the README quote exactly. */
export const SAVED = 'All changes saved';
export const RECONNECTING = 'Reconnecting…';
export const OFFLINE = 'Offline';
export const OFFLINE_KEPT_ON_DEVICE = 'Offline · edits kept on this device';
/** Without IndexedDB the edits live in this tab's memory only: closing it loses them. */
export const OFFLINE_KEPT_IN_TAB = 'Offline · edits kept in this tab';

export function computeStatus(input: StatusInput): StatusView {
  if (input.fatal !== null) return { status: 'denied', label: input.fatal };
  if (input.phase === 'connected' && input.synced) {
    if (input.denied !== null) {
      return { status: 'online', label: 'Online · the server refused an edit: view only' };
    }
    // The "View only" badge says the rest; "saved" would be meaningless without edits.
    if (input.readOnly) return { status: 'online', label: 'Online' };
    const messages = { durable: input.durableUpdates, sent: input.sentUpdates };
    if (isDurablySaved(input.local, input.durable, messages)) {
      return { status: 'saved', label: SAVED };
    }
    return {
      status: 'online',
      label: input.durable === null ? 'Online' : 'Online · saving…',
    };
  }
  // Once the server was found unreachable, stay "offline" through the retries until the next
  // sync instead of flickering on every attempt (screen readers would announce each flip).
  if (input.unreachable) {
    if (input.readOnly) return { status: 'offline', label: OFFLINE };
    return {
      status: 'offline',
      label: input.offlineStore ? OFFLINE_KEPT_ON_DEVICE : OFFLINE_KEPT_IN_TAB,
    };
  }
  // Had a connection and lost it, or the server closed it: retrying with backoff.
  if (input.phase === 'disconnected' || input.wasOffline) {
    return {
      status: 'reconnecting',
      label: input.retryNotice ? `${RECONNECTING} · ${input.retryNotice}` : RECONNECTING,
    };
  }
  return { status: 'connecting', label: 'Connecting…' };
}

/**
 * The message for a close code after which the editor stops (see stop-policy.ts), or a neutral
 * description for any other code (the editor retries after those and shows no message).
 */
export function fatalCloseMessage(code: number, reason: string): string {
  const stop = stopReasonForClose(code);
  if (stop !== null) return stopMessage(stop, reason);
  return `Disconnected by the server (code ${code})${reason ? ` (${reason})` : ''}.`;
}
