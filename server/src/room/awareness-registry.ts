/**
 * One room's awareness (presence, cursors) without y-protocols' Awareness class: states are kept
 * as the JSON text clients sent, so relaying never re-parses or re-stringifies, and one timer-free
 * map serves the whole room.
 *
 * Ownership: a client ID belongs to the live connection that announced it; no other connection
 * can change it. Stock y-websocket clients echo every awareness change they receive, other
 * clients' states included, so an entry for an ID another connection owns is dropped silently,
 * and so is an entry from the owner that is not newer than the last one it sent.
 *
 * Relay clocks: peers only accept an entry whose clock is newer than the last one they saw for
 * that client ID, and a stock client keeps those clocks across its own reconnects. With the
 * owners' clocks, a client that reconnects (same ID, same clock) stays invisible to everyone
 * until its next change, and a client that reconnects sees no one until they move. So the server
 * relays every entry with a clock of its own: strictly increasing per client ID and at least the
 * wall-clock time in milliseconds, so it also exceeds whatever an earlier server process (a
 * restart) or another instance relayed. Peers then accept every relay, a joiner gets present
 * states it would otherwise refuse, and a removal after a disconnect always lands: no ghosts,
 * no one invisible after healing.
 */
import type { AwarenessEntry } from '@quire/shared';
import { checkAwarenessState } from '../guards/awareness-state.js';
import { MAX_AWARENESS_IDS_PER_CONNECTION } from '../limits.js';

interface StoredState {
  /** The last clock relayed to peers for this client ID. */
  relayClock: number;
  /** The last clock the owner sent. */
  ownerClock: number;
  /** JSON text; 'null' once the client has gone away. */
  json: string;
  owner: object | null;
}

export type AwarenessVerdict =
  | {
      ok: true;
      /** What to relay: the accepted entries, with relay clocks and cleaned states. */
      accepted: AwarenessEntry[];
      /** impersonation attempts and echoes ignored */
      dropped: number;
    }
  | {
      ok: false;
      reason: 'invalid-state' | 'state-too-large' | 'too-many-client-ids';
      clientID: number;
    };

export class AwarenessRegistry {
  private readonly states = new Map<number, StoredState>();

  constructor(
    private readonly maxStateBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Applies entries sent by `owner`; returns the ones to relay, or why the message is refused.
   * Nothing is stored unless the whole message is acceptable. */
  apply(
    owner: object,
    ownedIds: Set<number>,
    entries: readonly AwarenessEntry[],
  ): AwarenessVerdict {
    const candidates: AwarenessEntry[] = [];
    let dropped = 0;
    const newIds = new Set<number>();
    for (const entry of entries) {
      const current = this.states.get(entry.clientID);
      const isRemoval = entry.stateJSON === 'null';
      if (!this.mayChange(owner, ownedIds, entry, current)) {
        if (current?.owner && current.owner !== owner) dropped++;
        continue;
      }
      if (entry.stateJSON.length > this.maxStateBytes) {
        return { ok: false, reason: 'state-too-large', clientID: entry.clientID };
      }
      if (!isRemoval && !ownedIds.has(entry.clientID)) newIds.add(entry.clientID);
      // A y-websocket client has one client ID (a new one only after a clientID clash); each ID
      // costs a stored state, so a connection may not mint them without bound.
      if (ownedIds.size + newIds.size > MAX_AWARENESS_IDS_PER_CONNECTION) {
        return { ok: false, reason: 'too-many-client-ids', clientID: entry.clientID };
      }
      const checked = isRemoval
        ? { ok: true as const, json: 'null' }
        : checkAwarenessState(entry.stateJSON);
      if (!checked.ok) {
        return { ok: false, reason: 'invalid-state', clientID: entry.clientID };
      }
      candidates.push({ ...entry, stateJSON: checked.json });
    }
    const accepted: AwarenessEntry[] = [];
    for (const entry of candidates) {
      const isRemoval = entry.stateJSON === 'null';
      const relayClock = this.nextRelayClock(this.states.get(entry.clientID));
      this.states.set(entry.clientID, {
        relayClock,
        ownerClock: entry.clock,
        json: entry.stateJSON,
        owner: isRemoval ? null : owner,
      });
      if (isRemoval) ownedIds.delete(entry.clientID);
      else ownedIds.add(entry.clientID);
      accepted.push({ clientID: entry.clientID, clock: relayClock, stateJSON: entry.stateJSON });
    }
    return { ok: true, accepted, dropped };
  }

  /** The first non-empty `user.name` among the states of `ids` (already cleaned by the awareness
   * guard), or null. Parses the stored JSON: for occasional lookups (version authors). */
  userName(ids: Iterable<number>): string | null {
    for (const id of ids) {
      const json = this.states.get(id)?.json;
      if (json === undefined || json === 'null') continue;
      try {
        const name = (JSON.parse(json) as { user?: { name?: unknown } } | null)?.user?.name;
        if (typeof name === 'string' && name.trim() !== '') return name;
      } catch {
        // Stored states are valid JSON (checked on the way in); nothing to name otherwise.
      }
    }
    return null;
  }

  /** Removes every state `owner` set; returns the removal entries to broadcast. */
  removeOwned(owner: object, ownedIds: Set<number>): AwarenessEntry[] {
    const removed: AwarenessEntry[] = [];
    for (const clientID of ownedIds) {
      const current = this.states.get(clientID);
      if (!current || current.owner !== owner) continue;
      current.owner = null;
      if (current.json !== 'null') {
        current.json = 'null';
        current.relayClock = this.nextRelayClock(current);
        removed.push({ clientID, clock: current.relayClock, stateJSON: 'null' });
      }
    }
    ownedIds.clear();
    return removed;
  }

  /** Every present (non-null) state, for a client that joins or asks, with fresh relay clocks:
   * a client that reconnects still holds the clocks it saw before and would refuse them. */
  present(): AwarenessEntry[] {
    const entries: AwarenessEntry[] = [];
    for (const [clientID, s] of this.states) {
      if (s.json === 'null') continue;
      s.relayClock = this.nextRelayClock(s);
      entries.push({ clientID, clock: s.relayClock, stateJSON: s.json });
    }
    return entries;
  }

  get size(): number {
    return this.states.size;
  }

  /** Whether `owner` may set this entry. The owner's own entries must be newer than its last
   * (or an equal-clock removal); an ID nobody owns may be taken by a connection that owns none
   * yet (its first announcement, as after a reconnect), or if it was never seen. An ID unowned
   * since its connection closed is not taken by a connection that already has one: that is an
   * echo of the departed client's old state, which would come back as a ghost. */
  private mayChange(
    owner: object,
    ownedIds: Set<number>,
    entry: AwarenessEntry,
    current: StoredState | undefined,
  ): boolean {
    const isRemoval = entry.stateJSON === 'null';
    if (!current) return !isRemoval;
    if (current.owner === owner) {
      return (
        entry.clock > current.ownerClock ||
        (isRemoval && entry.clock === current.ownerClock && current.json !== 'null')
      );
    }
    if (current.owner !== null) return false; // another live connection's ID
    return !isRemoval && ownedIds.size === 0;
  }

  private nextRelayClock(current: StoredState | undefined): number {
    return Math.max((current?.relayClock ?? 0) + 1, this.now());
  }
}
