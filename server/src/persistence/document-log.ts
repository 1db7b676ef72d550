/**
 * What the document store knows about one loaded document: what its log holds since the last
 * compaction, whether storage lacks part of it, its persisted acks and its content
 * (document-store.ts owns the policy; this is the per-document state it keeps).
 */
import type * as Y from 'yjs';
import { DocumentContent } from './document-content.js';
import type { GroupCommit } from './group-commit.js';
import { PersistedAck } from './persisted-ack.js';
import { SaveRetry } from './save-retry.js';

/** What the store knows about one loaded document's log. */
export class DocumentLog {
  /** Updates and bytes appended since the last compaction (a threshold, not an exact count of
   * the store's log: other writers may append too). */
  count = 0;
  bytes = 0;
  /** Size of the snapshot the store holds, as last read or written here: the compaction
   * thresholds grow with it (shouldCompact). */
  snapshotBytes = 0;
  /** Set when a write failed: storage lacks part of the document until a compaction rewrites
   * the whole state. */
  needsRepair = false;
  /** Acknowledges durable state to the document's opted-in peers. */
  readonly ack: PersistedAck;
  /** Retries the repair while it fails. */
  readonly retry: SaveRetry;
  /** The save (repair and compaction) in progress, if any: saves of one document never
   * overlap. */
  saving: Promise<boolean> | null = null;
  /** Told of the repair write (the full state, appended once storage is back) and its seq, so
   * other instances get what this one could not store meanwhile (bus/room-link.ts). */
  onRepairStored: ((update: Uint8Array, seq: number) => void) | null = null;

  /** The document's content: its Y.Doc, which a dormant document builds on first use
   * (document-content.ts). */
  readonly content: DocumentContent;

  constructor(
    doc: Y.Doc,
    commit: GroupCommit,
    onFailure: (log: DocumentLog) => void,
    repair: (log: DocumentLog) => Promise<boolean>,
    onDurable?: (seconds: number) => void,
    /** Stored state not yet integrated into `doc` (a dormant document). */
    dormantState: Uint8Array | null = null,
  ) {
    this.content = new DocumentContent(doc, dormantState);
    this.retry = new SaveRetry(() => repair(this));
    this.ack = new PersistedAck(doc, commit, {
      needsRepair: () => this.needsRepair,
      onSyncFailed: () => onFailure(this),
      stateVector: () => this.content.stateVector(),
      ...(onDurable ? { durableAfter: onDurable } : {}),
    });
    doc.on('destroy', () => this.retry.stop());
  }

  /** The Y.Doc with everything stored in it (built now if the document was dormant). */
  get doc(): Y.Doc {
    return this.content.doc;
  }
}
