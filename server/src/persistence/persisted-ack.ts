/**
 * The persisted ack (Quire protocol extension, message type 100): tells opted-in clients which
 * document state is durably on disk, as a Yjs state vector. A client shows "Saved" once that
 * vector covers its own.
 *
 * One instance per loaded document, taking part in the group commit: right before each fsync it
 * captures the state vector of what has been written so far, and after the fsync succeeded it
 * sends that vector to every opted-in peer. It captures nothing while a write is still in flight
 * or while a failed write awaits repair, so no ack ever covers bytes that are not on disk.
 */
import * as Y from 'yjs';
import { encodePersistedAck } from '@quire/shared';
import type { CommitParticipant, GroupCommit } from './group-commit.js';
import type { Peer } from '../room/peer.js';

/** The fsync still has to happen (the writes need it); there is just no one to send an ack to. */
const NOTHING_TO_ACKNOWLEDGE = (): void => {};

export class PersistedAck implements CommitParticipant {
  private inFlight = 0;
  /** The last state vector known durable; null until the first fsync after load, and after a
   * round in which no opted-in peer was present (see prepare). */
  private durable: Uint8Array | null = null;
  private peers: Iterable<Peer> = [];
  private disposed = false;

  constructor(
    private readonly doc: Y.Doc,
    private readonly commit: GroupCommit,
    private readonly hooks: {
      /** True while storage lacks part of the document (a failed write not yet repaired). */
      needsRepair(): boolean;
      /** An fsync failed: the writes it should have covered must be rewritten. */
      onSyncFailed(): void;
    },
  ) {
    doc.on('destroy', () => {
      this.disposed = true;
      this.peers = [];
    });
    // What was just loaded came from disk, but maybe from a page cache a crash left unsynced:
    // one fsync makes it durable, and its ack tells the first clients where they stand.
    commit.request(this);
  }

  /** The peers to acknowledge: the room's live set. */
  bind(peers: Iterable<Peer>): void {
    this.peers = peers;
  }

  /** A newly joined peer learns the durable state at once (if it is known yet); it has sent
   * nothing yet, so none of its messages are counted. */
  join(peer: Peer): void {
    if (!peer.extensions) return;
    if (this.durable) peer.send(encodePersistedAck(this.durable, 0));
    // Not captured since the last write (no opted-in peer wanted it then): one more commit round
    // captures it now that someone does. Nothing is dirty, so its fsync is cheap.
    else if (!this.disposed) this.commit.request(this);
  }

  /** An ack after the next fsync even though nothing was written: a peer's message that changed
   * nothing still has to be counted as durable. */
  requestRound(): void {
    if (!this.disposed) this.commit.request(this);
  }

  writeStarted(): void {
    this.inFlight++;
  }

  /** A write (append or compaction) ended; a successful one asks for an fsync. */
  writeEnded(succeeded: boolean): void {
    this.inFlight--;
    if (succeeded) this.commit.request(this);
  }

  prepare(): (() => void) | null {
    // A destroyed document has no peers left, but its final writes still need the fsync.
    if (this.disposed) return () => {};
    if (this.inFlight > 0 || this.hooks.needsRepair()) return null;
    // With no write in flight, every update message handled so far is written: the fsync that
    // follows makes each peer's count durable too.
    let handled: Map<Peer, number> | null = null;
    for (const peer of this.peers) {
      if (peer.extensions) (handled ??= new Map()).set(peer, peer.updatesHandled);
    }
    if (handled === null) {
      // Nobody to tell. Encoding the state vector on every round is a measurable share of a
      // busy relay's CPU, so the durable state becomes "unknown" and join() asks for it.
      this.durable = null;
      return NOTHING_TO_ACKNOWLEDGE;
    }
    const stateVector = Y.encodeStateVector(this.doc);
    const counts = handled;
    return () => this.acknowledge(stateVector, counts);
  }

  syncFailed(): void {
    this.hooks.onSyncFailed();
  }

  private acknowledge(stateVector: Uint8Array, handled: ReadonlyMap<Peer, number>): void {
    this.durable = stateVector;
    if (this.disposed) return;
    for (const peer of this.peers) {
      // A peer that joined after prepare() gets 0: none of its messages are covered yet.
      if (peer.extensions) peer.send(encodePersistedAck(stateVector, handled.get(peer) ?? 0));
    }
  }
}
