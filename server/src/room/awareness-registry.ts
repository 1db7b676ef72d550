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
 *
 * Other instances (bus/presence-link.ts): their clients' states are kept here too, owned by a
 * RemoteOwner per instance, so joiners and queries see everyone and relays use the same clocks.
 * A remote instance's client ID is as taken as a live local connection's: no local connection
 * can change it (stock clients echo it back), and a remote entry never changes an ID a live local
 * connection owns. A remote state is checked like a local one (size, JSON, names, colors): the bus
 * is not trusted to carry only what a well-behaved instance publishes.
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

/** One other instance's clients in one room. */
export class RemoteOwner {
  /** The client IDs whose current state came from this instance. */
  readonly ids = new Set<number>();
  constructor(readonly instanceId: string) {}
}

export interface RemoteVerdict {
  /** What to relay to this instance's peers, with relay clocks. */
  accepted: AwarenessEntry[];
  /** Entries not taken: invalid or too large states, and new IDs past the cap. */
  refused: number;
}

/** A removed client's entry is kept this long (its relay clock says when it was removed):
 * long enough that no peer still echoes its old state (stock clients drop a state not renewed
 * for 30 s), and dropping it then keeps relay clocks increasing (a new one is at least now). */
export const TOMBSTONE_KEEP_MS = 60_000;
/** Removals between two sweeps for old tombstones (a sweep visits every entry once). */
const REMOVALS_PER_SWEEP = 256;

export class AwarenessRegistry {
  private readonly states = new Map<number, StoredState>();
  private removalsSinceSweep = 0;

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
    this.removed(accepted.filter((e) => e.stateJSON === 'null').length);
    return { ok: true, accepted, dropped };
  }

  /** Applies another instance's entries (already decoded). `replaceAll`: they are everything
   * that instance has in this room, so its IDs missing from them are removed. An entry is
   * newer than the last from that instance (its clocks are its relay clocks, strictly
   * increasing per ID) or ignored; it never refuses the whole message. At most `maxIds` IDs
   * per instance: a new ID beyond that is refused. */
  applyRemote(
    owner: RemoteOwner,
    entries: readonly AwarenessEntry[],
    replaceAll: boolean,
    maxIds: number,
  ): RemoteVerdict {
    const accepted: AwarenessEntry[] = [];
    let refused = 0;
    const named = new Set<number>();
    for (const entry of entries) {
      named.add(entry.clientID);
      const current = this.states.get(entry.clientID);
      const isRemoval = entry.stateJSON === 'null';
      if (isRemoval) {
        if (current?.owner === owner && current.json !== 'null') {
          accepted.push(this.removeRemote(owner, entry.clientID, current));
        }
        continue;
      }
      if (current?.owner && !(current.owner instanceof RemoteOwner)) continue; // a live local ID
      if (current?.owner === owner && entry.clock <= current.ownerClock && !replaceAll) continue;
      const checked =
        entry.stateJSON.length > this.maxStateBytes
          ? ({ ok: false } as const)
          : checkAwarenessState(entry.stateJSON);
      if (!checked.ok || (!owner.ids.has(entry.clientID) && owner.ids.size >= maxIds)) {
        refused++;
        continue;
      }
      if (replaceAll && current?.owner === owner && current.json === checked.json) {
        current.ownerClock = Math.max(current.ownerClock, entry.clock);
        continue; // a re-announcement of what peers here already have
      }
      // Another instance's client that now announces itself here (it reconnected there).
      if (current?.owner instanceof RemoteOwner) current.owner.ids.delete(entry.clientID);
      const relayClock = this.nextRelayClock(current);
      this.states.set(entry.clientID, {
        relayClock,
        ownerClock: entry.clock,
        json: checked.json,
        owner,
      });
      owner.ids.add(entry.clientID);
      accepted.push({ clientID: entry.clientID, clock: relayClock, stateJSON: checked.json });
    }
    if (replaceAll) {
      for (const clientID of [...owner.ids]) {
        const current = this.states.get(clientID);
        if (!named.has(clientID) && current) {
          accepted.push(this.removeRemote(owner, clientID, current));
        }
      }
    }
    this.removed(accepted.filter((e) => e.stateJSON === 'null').length);
    return { accepted, refused };
  }

  /** The states of this instance's own peers (no other instance's), for announcing to the other
   * instances, with fresh relay clocks so they are newer than anything announced before. */
  localPresent(): AwarenessEntry[] {
    const entries: AwarenessEntry[] = [];
    for (const [clientID, s] of this.states) {
      if (s.json === 'null' || s.owner === null || s.owner instanceof RemoteOwner) continue;
      s.relayClock = this.nextRelayClock(s);
      entries.push({ clientID, clock: s.relayClock, stateJSON: s.json });
    }
    return entries;
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
    this.removed(removed.length);
    return removed;
  }

  /** Without this, every client that ever left a long-lived room would stay in it as a
   * tombstone (with other instances' clients, many more than its own). */
  private removed(count: number): void {
    this.removalsSinceSweep += count;
    if (this.removalsSinceSweep < REMOVALS_PER_SWEEP) return;
    this.removalsSinceSweep = 0;
    const before = this.now() - TOMBSTONE_KEEP_MS;
    for (const [clientID, s] of this.states) {
      if (s.json === 'null' && s.owner === null && s.relayClock < before) {
        this.states.delete(clientID);
      }
    }
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

  private removeRemote(owner: RemoteOwner, clientID: number, current: StoredState): AwarenessEntry {
    owner.ids.delete(clientID);
    current.owner = null;
    current.json = 'null';
    current.relayClock = this.nextRelayClock(current);
    return { clientID, clock: current.relayClock, stateJSON: 'null' };
  }

  private nextRelayClock(current: StoredState | undefined): number {
    return Math.max((current?.relayClock ?? 0) + 1, this.now());
  }
}
