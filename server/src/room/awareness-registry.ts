/**
 * One room's awareness (presence, cursors) without y-protocols' Awareness class: states are kept
 * as the JSON text clients sent, so relaying never re-parses or re-stringifies, and one timer-free
 * map serves the whole room.
 *
 * Rules (compatible with y-protocols/awareness):
 * - an entry is accepted when its clock is newer, or equal with a `null` state that removes one;
 * - a client ID belongs to the live connection that announced it; others cannot change it;
 * - when a connection closes, its states are removed and the removal is broadcast with the same
 *   clock, so a client that reconnects and bumps its clock is accepted again everywhere.
 */
import type { AwarenessEntry } from '@quire/shared';
import { checkAwarenessState } from '../guards/awareness-state.js';
import { MAX_AWARENESS_IDS_PER_CONNECTION } from '../limits.js';

interface StoredState {
  clock: number;
  /** JSON text; 'null' once the client has gone away (kept so stale clocks stay refused). */
  json: string;
  owner: object | null;
}

export type AwarenessVerdict =
  | {
      ok: true;
      accepted: AwarenessEntry[];
      /** impersonation attempts ignored */
      dropped: number;
      /** Some accepted state was cleaned (name/colors): relay `accepted`, not the sender's bytes. */
      rewritten: boolean;
    }
  | {
      ok: false;
      reason: 'invalid-state' | 'state-too-large' | 'too-many-client-ids';
      clientID: number;
    };

export class AwarenessRegistry {
  private readonly states = new Map<number, StoredState>();

  constructor(private readonly maxStateBytes: number) {}

  /** Applies entries sent by `owner`; returns the ones to relay, or why the message is refused.
   * Stock y-websocket clients echo every awareness change they receive, including other clients'
   * states, so entries that are not newer are skipped silently, and a newer entry for a client ID
   * another live connection owns (impersonation) is dropped without touching the victim's state. */
  apply(
    owner: object,
    ownedIds: Set<number>,
    entries: readonly AwarenessEntry[],
  ): AwarenessVerdict {
    const candidates: AwarenessEntry[] = [];
    let dropped = 0;
    let rewritten = false;
    const newIds = new Set<number>();
    for (const entry of entries) {
      const current = this.states.get(entry.clientID);
      const isRemoval = entry.stateJSON === 'null';
      const newer =
        !current ||
        current.clock < entry.clock ||
        (current.clock === entry.clock && isRemoval && current.json !== 'null');
      if (!newer) continue;
      if (current?.owner && current.owner !== owner) {
        dropped++;
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
      if (checked.json !== entry.stateJSON) rewritten = true;
      candidates.push({ ...entry, stateJSON: checked.json });
    }
    for (const entry of candidates) {
      const isRemoval = entry.stateJSON === 'null';
      this.states.set(entry.clientID, {
        clock: entry.clock,
        json: entry.stateJSON,
        owner: isRemoval ? null : owner,
      });
      if (isRemoval) ownedIds.delete(entry.clientID);
      else ownedIds.add(entry.clientID);
    }
    return { ok: true, accepted: candidates, dropped, rewritten };
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
        removed.push({ clientID, clock: current.clock, stateJSON: 'null' });
      }
    }
    ownedIds.clear();
    return removed;
  }

  /** Every present (non-null) state, for a client that joins or asks. */
  present(): AwarenessEntry[] {
    const entries: AwarenessEntry[] = [];
    for (const [clientID, s] of this.states) {
      if (s.json !== 'null') entries.push({ clientID, clock: s.clock, stateJSON: s.json });
    }
    return entries;
  }

  get size(): number {
    return this.states.size;
  }
}
