/**
 * The persisted ack (Quire protocol extension, message type 100): which document state is durably
 * on disk, as a Yjs state vector. A client shows "Saved" once that vector covers its own.
 *
 * One instance per loaded document, taking part in the group commit: right before each fsync it
 * captures the state vector of what has been written so far, and after the fsync succeeded it
 * reports "durable up to here" to its listener (the room, which sends the frames). It captures
 * nothing while a write is still in flight or while a failed write awaits repair, so no ack ever
 * covers bytes that are not on disk.
 */
import * as Y from 'yjs';
import type { CommitParticipant, GroupCommit } from './group-commit.js';

/** Who hears about durability: the room. `T` is what it captures at the moment of the fsync. */
export interface DurabilityListener<T> {
  /** Whether anyone wants to hear now (an opted-in peer is present). When not, no state vector
   * is captured this round: encoding it is a measurable share of a busy relay's CPU. */
  wanted(): boolean;
  /** Right before the fsync, with no write in flight: what else the report needs (each peer's
   * count of handled messages, all of which are written by then). */
  capture(): T;
  /** After the fsync: everything in `stateVector`, and everything captured, is durable. */
  durable(stateVector: Uint8Array, captured: T): void;
}

/** The fsync still has to happen (the writes need it); there is just no one to tell. */
const NOTHING_TO_REPORT = (): void => {};

export class PersistedAck implements CommitParticipant {
  private inFlight = 0;
  /** The last state vector known durable; null until the first fsync after load, and after a
   * round in which no one wanted it (see prepare). */
  private lastDurable: Uint8Array | null = null;
  private listener: DurabilityListener<unknown> | null = null;
  private disposed = false;
  /** When the oldest write not yet covered by a prepared fsync started (null: none), and the
   * one the fsync in progress covers (restored if it fails: those writes are not durable). */
  private oldestWriteAt: number | null = null;
  private coveredSince: number | null = null;

  constructor(
    private readonly doc: Y.Doc,
    private readonly commit: GroupCommit,
    private readonly hooks: {
      /** True while storage lacks part of the document (a failed write not yet repaired). */
      needsRepair(): boolean;
      /** An fsync failed: the writes it should have covered must be rewritten. */
      onSyncFailed(): void;
      /** After each successful fsync that covered writes: seconds since the oldest of them
       * started (for metrics: how long "Saving…" lasted at most). */
      durableAfter?(seconds: number): void;
      /** The document's state vector (default: encoded from `doc`), for a document whose
       * Y.Doc is built only when needed (document-content.ts). */
      stateVector?(): Uint8Array;
    },
  ) {
    doc.on('destroy', () => {
      this.disposed = true;
      this.listener = null;
    });
    // What was just loaded came from disk, but maybe from a page cache a crash left unsynced:
    // one fsync makes it durable, and its report tells the first clients where they stand.
    commit.request(this);
  }

  listen<T>(listener: DurabilityListener<T>): void {
    this.listener = listener as DurabilityListener<unknown>;
  }

  /** The last durable state vector, for a peer that joins; null when unknown, in which case
   * `requestRound` gets one. */
  get durableStateVector(): Uint8Array | null {
    return this.lastDurable;
  }

  /** A report after the next fsync even though nothing was written: a joiner wants to know, or a
   * peer's message that changed nothing still has to be counted as durable. */
  requestRound(): void {
    if (!this.disposed) this.commit.request(this);
  }

  writeStarted(): void {
    this.inFlight++;
    this.oldestWriteAt ??= performance.now();
  }

  /** A write ended; a successful one asks for an fsync. */
  writeEnded(succeeded: boolean): void {
    this.inFlight--;
    if (succeeded) this.commit.request(this);
  }

  prepare(): (() => void) | null {
    // A destroyed document has no one left to tell, but its final writes still need the fsync.
    if (this.disposed) return NOTHING_TO_REPORT;
    if (this.inFlight > 0 || this.hooks.needsRepair()) return null;
    const since = (this.coveredSince = this.oldestWriteAt);
    this.oldestWriteAt = null;
    const timed = () => {
      this.coveredSince = null;
      if (since !== null) this.hooks.durableAfter?.((performance.now() - since) / 1000);
    };
    const listener = this.listener;
    if (listener === null || !listener.wanted()) {
      this.lastDurable = null;
      return since === null ? NOTHING_TO_REPORT : timed;
    }
    // With no write in flight, everything handled so far is written: the fsync that follows
    // makes all of it durable.
    const captured = listener.capture();
    const stateVector = this.hooks.stateVector?.() ?? Y.encodeStateVector(this.doc);
    return () => {
      timed();
      this.lastDurable = stateVector;
      if (!this.disposed) listener.durable(stateVector, captured);
    };
  }

  syncFailed(): void {
    // Those writes are not durable yet: the time until they are counts from their start.
    if (this.coveredSince !== null) {
      this.oldestWriteAt = Math.min(this.coveredSince, this.oldestWriteAt ?? Infinity);
      this.coveredSince = null;
    }
    this.hooks.onSyncFailed();
  }
}
