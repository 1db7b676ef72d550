/**
 * A loaded document's content, kept as its stored bytes until something needs the Y.Doc.
 *
 * A document that is open but not being edited (a tab left open, a reader) needs only what the
 * sync protocol asks of it: its state vector, and what a peer lacks. Both can be computed from
 * the stored update itself (Yjs reads encoded updates without building a document), so a
 * document loaded from a snapshot alone stays "dormant": it holds the snapshot bytes (the same
 * array the early sync and the new-tab reply already send) and an empty Y.Doc shell that every
 * listener is attached to. Integrating an update into a Y.Doc costs several times its encoded
 * size in objects (an Item, its IDs and its content per struct, ≈ 250 bytes each): ≈ 2 MiB for
 * a 200 KB document with real history, against the 0.2 MiB of its bytes. The first reader of
 * `doc` (a change to apply, an API read, a version, the bus) integrates the bytes into the shell;
 * from then on the document is an ordinary Y.Doc until it unloads.
 *
 * Only a snapshot with nothing logged after it is left dormant (see DocumentStore.load): those
 * bytes alone are the whole document, exactly what the Y.Doc would be built from.
 */
import * as Y from 'yjs';

/** An empty state vector (no clients) encodes as a single zero byte. */
const isEmptyStateVector = (sv: Uint8Array) => sv.length === 1 && sv[0] === 0;
/** An update with no structs and no deletions: a new tab's answer to our sync step 1. */
const isEmptyUpdate = (update: Uint8Array) =>
  update.length === 2 && update[0] === 0 && update[1] === 0;

/** Answers a dormant document computes by a pass over its stored bytes (a diff for a sync step 1
 * that is not empty, a delete-set check) before it is built anyway. One pass costs ≈ 15–45 ms
 * for a 330 KB document on the benchmark machine, integrating it ≈ 130 ms: a document asked
 * more often than this (a reconnect wave, a client repeating its sync step 1) is built instead,
 * so no client can make a dormant document cost more CPU than a loaded one. */
export const DORMANT_BYTE_PASSES = 8;

export class DocumentContent {
  /** The stored state, until it is integrated into `shell`; null once it is (or if there was
   * nothing to defer). */
  private stored: Uint8Array | null;
  /** The stored state's state vector, computed on first use while dormant. */
  private storedStateVector: Uint8Array | null = null;
  private bytePassesLeft = DORMANT_BYTE_PASSES;

  constructor(
    private readonly shell: Y.Doc,
    dormantState: Uint8Array | null = null,
  ) {
    this.stored = dormantState;
  }

  /** True while the stored state has not been integrated into the Y.Doc. */
  get dormant(): boolean {
    return this.stored !== null;
  }

  /** The Y.Doc, with the stored state integrated first if the document was dormant. */
  get doc(): Y.Doc {
    const stored = this.stored;
    if (stored !== null) {
      this.stored = null;
      this.storedStateVector = null;
      Y.applyUpdate(this.shell, stored);
    }
    return this.shell;
  }

  /** The document's state vector, without building the Y.Doc. */
  stateVector(): Uint8Array {
    if (this.stored === null) return Y.encodeStateVector(this.shell);
    return (this.storedStateVector ??= Y.encodeStateVectorFromUpdate(this.stored));
  }

  /** What a peer whose state vector is `stateVector` lacks (everything, without one), without
   * building the Y.Doc. Throws on a state vector that does not decode. */
  missingFrom(stateVector?: Uint8Array): Uint8Array {
    const stored = this.stored;
    if (stored === null) return Y.encodeStateAsUpdate(this.shell, stateVector);
    if (stateVector === undefined || isEmptyStateVector(stateVector)) return stored;
    if (!this.takeBytePass()) return Y.encodeStateAsUpdate(this.doc, stateVector);
    return Y.diffUpdate(stored, stateVector);
  }

  /** Whether a dormant document already holds everything in `update`, decided on the bytes: a
   * new tab's empty answer, or a reconnecting tab's answer that carries only deletions the
   * document has (Yjs sends the whole delete set in every sync step 2). False for a document
   * that is not dormant (the room applies the update as usual) and for bytes that do not decode
   * (the guard refuses them). */
  holdsAlready(update: Uint8Array): boolean {
    if (this.stored === null) return false;
    if (isEmptyUpdate(update)) return true;
    if (!this.takeBytePass()) return false;
    try {
      // Structs beyond the stored state vector are new: answered without decoding the document.
      const stateVector = Y.decodeStateVector(this.stateVector());
      for (const [client, clock] of Y.parseUpdateMeta(update).to) {
        if (clock > (stateVector.get(client) ?? 0)) return false;
      }
      // The stored delete set is read by decoding the stored state: transient garbage, but far
      // less work and memory than integrating it for good.
      const { ds } = Y.decodeUpdate(this.stored);
      return Y.snapshotContainsUpdate(Y.createSnapshot(ds, stateVector), update);
    } catch {
      return false;
    }
  }

  private takeBytePass(): boolean {
    if (this.bytePassesLeft === 0) return false;
    this.bytePassesLeft--;
    return true;
  }

  /** Destroys the Y.Doc without integrating what it never needed. */
  destroy(): void {
    this.stored = null;
    this.storedStateVector = null;
    this.shell.destroy();
  }
}
