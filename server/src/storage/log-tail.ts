/**
 * A whole stored document as a LogTail: what readLogAfter answers when the reader is behind the
 * compaction (part of what it lacks is in the snapshot only). Merging all of it is harmless,
 * since Yjs ignores what a document already has. One function for every store, so that they agree
 * on the head they report.
 */
import type { LogTail, StoredDocument } from './adapter.js';

/** `stored` as a tail for a reader at `afterSeq`: its head is the newest of the reader's seq, the
 * log's and what the snapshot covers (a log emptied by compaction has no seq of its own). */
export function wholeDocumentTail(stored: StoredDocument, afterSeq: number): LogTail {
  const tail: LogTail = {
    snapshot: stored.snapshot,
    updates: stored.updates,
    headSeq: Math.max(afterSeq, stored.lastSeq, stored.compactedThrough),
  };
  if (stored.damaged) tail.damaged = stored.damaged;
  return tail;
}
