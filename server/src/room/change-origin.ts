/**
 * Where a change to a room's document comes from, and what follows from that: the one place
 * that decides whether a change is stored, relayed to this instance's peers, and published to
 * other instances. Every change is applied with one of these as its Yjs transaction origin; a
 * transaction with any other origin (Yjs's own formatting cleanup, which follows an apply in a
 * transaction of its own) is part of the change that caused it.
 */
import type { Peer } from './peer.js';

export type ChangeOrigin =
  /** A client's sync step 2 or update, on this instance. */
  | { readonly kind: 'connection'; readonly peer: Peer }
  /** Another instance's change, received on the bus: already stored by that instance. */
  | { readonly kind: 'bus' }
  /** A server-side edit (the document API): `actor` is who asked, when known. */
  | { readonly kind: 'api'; readonly actor?: string }
  /** A version restored as a forward edit. */
  | { readonly kind: 'restore'; readonly actor?: string };

export interface ChangeRoute {
  /** Appended to storage before anyone sees it. */
  store: boolean;
  /** Sent to this instance's peers (except the connection it came from), after it is stored. */
  relay: boolean;
  /** Published on the bus for other instances, after it is stored. */
  publish: boolean;
  /** The peer it came from, which neither gets it back nor is charged twice. */
  from: Peer | null;
}

export function routeFor(origin: ChangeOrigin): ChangeRoute {
  switch (origin.kind) {
    case 'connection':
      return { store: true, relay: true, publish: true, from: origin.peer };
    case 'api':
    case 'restore':
      return { store: true, relay: true, publish: true, from: null };
    case 'bus':
      // The publishing instance stored it, and every instance hears the bus itself.
      return { store: false, relay: true, publish: false, from: null };
  }
}

const ORIGIN_KINDS: ReadonlySet<string> = new Set(['connection', 'bus', 'api', 'restore']);

/** Whether a transaction's origin is one of ours (see the note above). */
export function isChangeOrigin(origin: unknown): origin is ChangeOrigin {
  return (
    typeof origin === 'object' &&
    origin !== null &&
    ORIGIN_KINDS.has((origin as { kind?: unknown }).kind as string)
  );
}
