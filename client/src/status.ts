/**
 * The status indicator's logic, kept pure so every rule is unit-tested: what the user is told
 * must be honest, above all "All changes saved", which needs the server's durable state to cover
 * everything this editor holds.
 */
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';

export type QuireStatus = 'connecting' | 'online' | 'saved' | 'offline' | 'denied';
export type ConnectionPhase = 'connecting' | 'connected' | 'disconnected';

export interface StatusInput {
  phase: ConnectionPhase;
  /** The server's copy and ours have been exchanged (sync step 2 received). */
  synced: boolean;
  /** True once a connection attempt failed or a connection dropped since the last sync. */
  wasOffline: boolean;
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
  /** Offline persistence is on, so edits made now survive a closed tab. */
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
      return { status: 'saved', label: 'All changes saved' };
    }
    return {
      status: 'online',
      label: input.durable === null ? 'Online' : 'Online · saving…',
    };
  }
  // Once offline, stay "offline" through retries instead of flickering to "connecting" and
  // back on every attempt (screen readers would announce each flip).
  if (input.phase === 'disconnected' || input.wasOffline) {
    return {
      status: 'offline',
      label: input.offlineStore
        ? 'Offline · edits are kept on this device and sync when the server is back'
        : 'Offline · reconnecting…',
    };
  }
  return { status: 'connecting', label: 'Connecting…' };
}

/** The message shown when the server closed with a code after which we stop reconnecting. */
export function fatalCloseMessage(code: number, reason: string): string {
  const detail = reason ? ` (${reason})` : '';
  switch (code) {
    case CloseCode.Unauthenticated:
      return `Not signed in: the access link is missing, invalid or expired${detail}. Ask for a new link and reload.`;
    case CloseCode.Forbidden:
      return `No access: this link does not allow opening this document${detail}.`;
    case CloseCode.BadMessage:
      return `The server refused a message from this editor${detail}. Reload the page.`;
    default:
      return `Disconnected by the server (code ${code})${detail}.`;
  }
}
