/**
 * When versions are saved, and who they name as authors. A version is saved
 * - after a pause in editing: `autoVersionIdleMs` after the last change made on this instance
 *   (kind 'auto');
 * - when the last person leaves a room that was changed since its last version ('leave'), and
 *   when a changed room unloads without anyone having left (a room only the API wrote to), or
 *   at shutdown ('auto');
 * - before every restore ('restore') and every API write ('api'): `saveBefore`;
 * - on request, optionally with a label ('manual'): `saveNow`.
 * An unchanged document (the newest stored version has the same state hash) saves nothing new:
 * the newest version's id is the answer. A labelled request saves anyway, since the label names
 * that moment, unless the newest version already is that state with that label. A document nothing was ever written to saves nothing, unless on request.
 *
 * Changes another instance made reach this one over the bus; that instance saves them, so they
 * neither start a timer nor name authors here (two instances editing one document may both save
 * after a pause; the second finds the first's hash when they have converged).
 *
 * Authors: who changed the document since the previous version, in the order they first did:
 * a connection's token subject, else the display name its awareness state announced
 * (`user.name`), looked up at its first change (again at the save, if it had announced none
 * yet); an API call's token subject. Changes of anonymous callers name nobody.
 *
 * Saves of one document run one after another, each captured synchronously when it is asked
 * for (so `saveBefore` holds exactly the state the caller is about to change).
 */
import type * as Y from 'yjs';
import type { ChangeOrigin } from '../room/change-origin.js';
import type { Peer } from '../room/peer.js';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { captureState, compressState } from './version-state.js';
import type { VersionKind, VersionStore } from './version-store.js';
import type { PreparedEvent } from '../webhooks/event-recorder.js';

/** Default `autoVersionIdleMs`: 2 minutes without changes after a change. */
export const DEFAULT_AUTO_VERSION_IDLE_MS = 120_000;

/** What history needs of a room (room/room.ts implements it). */
export interface VersionedRoom {
  readonly name: string;
  readonly doc: Y.Doc;
  /** A peer's token subject or announced display name, or null when it has neither. */
  authorName(peer: Peer): string | null;
}

export interface VersionPolicyOptions {
  versions: VersionStore;
  log: Logger;
  metrics: Metrics;
  /** A version is saved this long after the last change (0: never after a pause). */
  autoVersionIdleMs: number;
  /** The clock versions are stamped with (tests inject one). Default Date.now. */
  now?: () => number;
  /** Webhooks (webhooks/webhooks.ts): told in the turn a version's write starts, and whether
   * it was stored. Default: none. */
  onVersionSaving?(doc: string): PreparedEvent;
}

/** What a save did: the version's id and whether it is new (false: the document was unchanged
 * since that version). Null: nothing was ever written to the document (automatic saves and
 * saveBefore only). */
export type SaveOutcome = { id: number; created: boolean } | null;

/** Longest author name kept (display names are already cleaned and capped by the awareness
 * guard; token subjects are not). */
const MAX_AUTHOR_LENGTH = 200;

interface RoomHistory {
  /** Changed on this instance since its last version. */
  dirty: boolean;
  /** Names, in the order of their first change. */
  authors: string[];
  /** Peers already named (or known to be named in `authors`). */
  named: Set<Peer>;
  /** Peers that changed the document before announcing a name. */
  unnamed: Set<Peer>;
  timer: NodeJS.Timeout | null;
  /** When the last change came (this policy's clock): the pause timer re-arms itself for what is
   * left of the pause instead of being reset on every keystroke. */
  lastChangeAt: number;
}

export class VersionPolicy {
  private readonly rooms = new Map<VersionedRoom, RoomHistory>();
  /** The last save of each document, which the next one waits for. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: VersionPolicyOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A change a room routed (room.ts `onChange`). */
  changed(room: VersionedRoom, origin: ChangeOrigin): void {
    if (origin.kind === 'bus') return;
    const state = this.stateOf(room);
    state.dirty = true;
    if (origin.kind === 'connection') this.notePeer(room, state, origin.peer);
    else if (origin.actor !== undefined) addAuthor(state, origin.actor);
    state.lastChangeAt = this.now();
    if (this.options.autoVersionIdleMs > 0 && !state.timer) this.armPause(room, state);
  }

  /** Saves once the document has had no change for the idle time. */
  private armPause(room: VersionedRoom, state: RoomHistory): void {
    const idle = this.options.autoVersionIdleMs;
    const wait = Math.max(0, state.lastChangeAt + idle - this.now());
    state.timer = setTimeout(() => {
      state.timer = null;
      if (this.rooms.get(room) !== state || !state.dirty) return;
      if (this.now() - state.lastChangeAt < idle) this.armPause(room, state);
      else this.saveInBackground(room, 'auto');
    }, wait);
    state.timer.unref();
  }

  /** The room's last peer left. */
  emptied(room: VersionedRoom): void {
    if (this.rooms.get(room)?.dirty) this.saveInBackground(room, 'leave');
  }

  /** The room is about to be destroyed (unload or shutdown): what changed since its last
   * version is saved now, and the room is forgotten. */
  unloaded(room: VersionedRoom): void {
    const state = this.rooms.get(room);
    if (!state) return;
    if (state.dirty) this.saveInBackground(room, 'auto');
    if (state.timer) clearTimeout(state.timer);
    this.rooms.delete(room);
  }

  /** The room's document was deleted: it is forgotten without a save (nothing to version). */
  forget(room: VersionedRoom): void {
    const state = this.rooms.get(room);
    if (state?.timer) clearTimeout(state.timer);
    this.rooms.delete(room);
  }

  /** Saves the state a restore or an API write is about to change. `actor`: who asked (logs). */
  saveBefore(room: VersionedRoom, kind: 'restore' | 'api', actor?: string): Promise<SaveOutcome> {
    return this.save(room, kind, undefined, actor);
  }

  /** A save on request (POST …/versions). */
  saveNow(room: VersionedRoom, label?: string, actor?: string): Promise<SaveOutcome> {
    return this.save(room, 'manual', label, actor);
  }

  /** Resolves once every save started so far has finished (shutdown, before the store closes). */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Stops the pause timers (shutdown); saves already started still finish (`drain`). */
  close(): void {
    for (const state of this.rooms.values()) if (state.timer) clearTimeout(state.timer);
  }

  private save(
    room: VersionedRoom,
    kind: VersionKind,
    label: string | undefined,
    actor: string | undefined,
  ): Promise<SaveOutcome> {
    const captured = captureState(room.doc);
    const authors = this.takeAuthors(room);
    const doc = room.name;
    const { versions, metrics, log } = this.options;
    const run = async (): Promise<SaveOutcome> => {
      // Automatic saves and saves before a write skip a document nothing was ever written to
      // (there is nothing to lose); a save on request keeps it, as asked.
      if (captured.empty && kind !== 'manual') return null;
      const latest = await versions.latest(doc);
      if (latest?.stateHash === captured.stateHash) {
        // A labelled request saves anyway, unless it repeats the newest version's own label (a
        // resent request must not pile up copies that retention never removes).
        const repeated =
          label !== undefined && (await versions.list(doc, { limit: 1 }))[0]?.label === label;
        if (label === undefined || repeated) {
          metrics.versionsUnchanged++;
          return { id: latest.id, created: false };
        }
      }
      const state = await compressState(captured.update);
      const createdAt = this.now();
      const event = this.options.onVersionSaving?.(doc);
      const id = await versions
        .add({
          doc,
          createdAt,
          kind,
          ...(label === undefined ? {} : { label }),
          authors,
          state,
          stateHash: captured.stateHash,
        })
        .catch((error: unknown) => {
          event?.cancel();
          throw error;
        });
      event?.confirm({ version: { id, createdAt, kind, label: label ?? null, authors } });
      metrics.versionsSaved++;
      log.debug('version saved', { doc, id, kind, actor });
      return { id, created: true };
    };
    const previous = this.chains.get(doc) ?? Promise.resolve();
    const result = previous.then(run, run).catch((error: unknown) => {
      metrics.versionSaveFailures++;
      log.error('saving a version failed', { doc, kind, actor, error: errorMessage(error) });
      this.giveBack(room, authors);
      throw error;
    });
    const settled = result.catch(() => {});
    this.chains.set(doc, settled);
    this.background.add(settled);
    void settled.then(() => {
      this.background.delete(settled);
      if (this.chains.get(doc) === settled) this.chains.delete(doc);
    });
    return result;
  }

  private saveInBackground(room: VersionedRoom, kind: VersionKind): void {
    // Failures are logged and counted by save; the authors wait for the next version.
    this.save(room, kind, undefined, undefined).catch(() => {});
  }

  private stateOf(room: VersionedRoom): RoomHistory {
    let state = this.rooms.get(room);
    if (!state) {
      state = {
        dirty: false,
        authors: [],
        named: new Set(),
        unnamed: new Set(),
        timer: null,
        lastChangeAt: 0,
      };
      this.rooms.set(room, state);
    }
    return state;
  }

  private notePeer(room: VersionedRoom, state: RoomHistory, peer: Peer): void {
    if (state.named.has(peer)) return;
    const name = room.authorName(peer);
    if (name === null) {
      state.unnamed.add(peer);
      return;
    }
    state.unnamed.delete(peer);
    state.named.add(peer);
    addAuthor(state, name);
  }

  /** The authors of the version being captured; the room starts a new period. */
  private takeAuthors(room: VersionedRoom): string[] {
    const state = this.rooms.get(room);
    if (!state) return [];
    for (const peer of [...state.unnamed]) this.notePeer(room, state, peer);
    const authors = state.authors;
    state.authors = [];
    state.named.clear();
    state.unnamed.clear();
    state.dirty = false;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    return authors;
  }

  /** A failed save: its authors belong to the next version. */
  private giveBack(room: VersionedRoom, authors: string[]): void {
    const state = this.rooms.get(room);
    if (!state) return;
    state.dirty = true;
    const later = state.authors;
    state.authors = [];
    for (const name of [...authors, ...later]) addAuthor(state, name);
  }
}

function addAuthor(state: RoomHistory, name: string): void {
  const kept = name.slice(0, MAX_AUTHOR_LENGTH);
  if (kept !== '' && !state.authors.includes(kept)) state.authors.push(kept);
}
