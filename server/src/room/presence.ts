/**
 * A room's presence (awareness): decodes and checks what a peer announces (awareness-registry.ts
 * holds the states and the ownership rules) and says what to relay, or why the message is
 * refused. The room does the sending.
 */
import {
  CloseCode,
  decodeAwarenessUpdate,
  encodeAwareness,
  encodeAwarenessUpdate,
  type AwarenessEntry,
} from '@quire/shared';
import { MAX_AWARENESS_ENTRIES_PER_MESSAGE } from '../limits.js';
import type { Logger } from '../log.js';
import { AwarenessRegistry } from './awareness-registry.js';
import type { Peer } from './peer.js';

export type PresenceVerdict =
  | { ok: true; relay: Uint8Array | null }
  | { ok: false; code: number; reason: string; error?: unknown };

export class RoomPresence {
  private readonly registry: AwarenessRegistry;

  constructor(
    private readonly docName: string,
    maxStateBytes: number,
    private readonly log: Logger,
  ) {
    this.registry = new AwarenessRegistry(maxStateBytes);
  }

  /** A peer's awareness message: the frame to relay to the others (null: nothing), or a refusal. */
  apply(peer: Peer, payload: Uint8Array): PresenceVerdict {
    let entries: AwarenessEntry[];
    try {
      entries = decodeAwarenessUpdate(payload, MAX_AWARENESS_ENTRIES_PER_MESSAGE);
    } catch (error) {
      return { ok: false, code: CloseCode.BadMessage, reason: 'malformed awareness update', error };
    }
    const verdict = this.registry.apply(peer, peer.awarenessIds, entries);
    if (!verdict.ok) {
      const code = verdict.reason === 'state-too-large' ? CloseCode.TooLarge : CloseCode.BadMessage;
      return { ok: false, code, reason: `awareness refused: ${verdict.reason}` };
    }
    if (verdict.dropped > 0) {
      // Routine, not an attack: stock y-websocket clients echo every peer's state back.
      this.log.debug("awareness for another connection's client ID dropped", {
        doc: this.docName,
        conn: peer.id,
        dropped: verdict.dropped,
      });
    }
    if (verdict.accepted.length === 0) return { ok: true, relay: null };
    // Re-encoded with the registry's relay clocks (see awareness-registry.ts): small entries.
    return { ok: true, relay: encodeAwareness(encodeAwarenessUpdate(verdict.accepted)) };
  }

  /** Everyone present, as one frame, for a peer that joins (null when no one is) or asks
   * (`evenIfEmpty`: a query is always answered). */
  presentFrame(evenIfEmpty = false): Uint8Array | null {
    const present = this.registry.present();
    if (present.length === 0 && !evenIfEmpty) return null;
    return encodeAwareness(encodeAwarenessUpdate(present));
  }

  /** The display name (`user.name`) a peer announced, or null. */
  userName(peer: Peer): string | null {
    return this.registry.userName(peer.awarenessIds);
  }

  /** The removal of a departed peer's states, as one frame (null when it announced none). */
  removeFrame(peer: Peer): Uint8Array | null {
    const removed = this.registry.removeOwned(peer, peer.awarenessIds);
    return removed.length > 0 ? encodeAwareness(encodeAwarenessUpdate(removed)) : null;
  }
}
