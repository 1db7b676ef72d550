/**
 * A room's presence (awareness): decodes and checks what a peer announces (awareness-registry.ts
 * holds the states and the ownership rules) and says what to relay, or why the message is
 * refused. The room does the sending. What this instance's peers change is also reported to
 * `onLocalChange` (with a bus: bus/presence-link.ts tells the other instances), and the other
 * instances' states are applied here, so one registry holds everyone present.
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
import { AwarenessRegistry, type RemoteOwner } from './awareness-registry.js';
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
    /** Accepted changes of this instance's peers (removals included), with relay clocks. */
    private readonly onLocalChange?: (entries: AwarenessEntry[]) => void,
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
    this.onLocalChange?.(verdict.accepted);
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
    if (removed.length > 0) this.onLocalChange?.(removed);
    return frameOf(removed);
  }

  /** Another instance's entries (see AwarenessRegistry.applyRemote): the frame to relay to every
   * peer here (null: nothing changed), and how many entries were refused. */
  applyRemote(
    owner: RemoteOwner,
    entries: readonly AwarenessEntry[],
    replaceAll: boolean,
    maxIds: number,
  ): { relay: Uint8Array | null; refused: number } {
    const verdict = this.registry.applyRemote(owner, entries, replaceAll, maxIds);
    return { relay: frameOf(verdict.accepted), refused: verdict.refused };
  }

  /** The removal of every state another instance set (it died or left), as one frame. */
  removeRemote(owner: RemoteOwner): Uint8Array | null {
    return frameOf(this.registry.removeOwned(owner, owner.ids));
  }

  /** This instance's peers' states, to announce in full to the other instances. */
  localPresent(): AwarenessEntry[] {
    return this.registry.localPresent();
  }
}

function frameOf(entries: AwarenessEntry[]): Uint8Array | null {
  return entries.length > 0 ? encodeAwareness(encodeAwarenessUpdate(entries)) : null;
}
