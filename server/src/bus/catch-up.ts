/**
 * Catch-up from storage for a room that missed bus messages: the store's reads (with a fallback
 * to full loads for an adapter without the catch-up methods), and the merge of what was read
 * into the room as one 'bus' change — only what the document lacks, relayed to this instance's
 * peers, neither stored nor published again (room/change-origin.ts).
 *
 * Behind a compaction the read is the snapshot plus the log after it: merged the same way, that
 * is the reload an instance needs when the updates it missed are no longer in the log.
 */
import * as Y from 'yjs';
import type { LogTail, StorageAdapter } from '../storage/adapter.js';
import type { ApplyResult, Room } from '../room/room.js';
import { wholeDocumentTail } from '../storage/log-tail.js';

export interface CatchUpReader {
  /** What `name` holds after `afterSeq`, or null when it does not exist. */
  readTail(name: string, afterSeq: number): Promise<LogTail | null>;
  /** The head seq of each named document that exists. */
  heads(names: readonly string[]): Promise<Map<string, number>>;
}

export function catchUpReader(storage: StorageAdapter): CatchUpReader {
  return {
    readTail: (name, afterSeq) =>
      storage.readLogAfter
        ? storage.readLogAfter(name, afterSeq)
        : loadAsTail(storage, name, afterSeq),
    heads: async (names) => {
      if (names.length === 0) return new Map();
      if (storage.headSeqs) return storage.headSeqs(names);
      // One load per document: what an adapter without headSeqs costs (see adapter.ts).
      const heads = new Map<string, number>();
      for (const name of names) {
        const stored = await storage.load(name);
        if (stored) heads.set(name, Math.max(stored.lastSeq, stored.compactedThrough));
      }
      return heads;
    },
  };
}

/** The whole document as a tail: merging it is harmless (Yjs ignores what it has). */
async function loadAsTail(
  storage: StorageAdapter,
  name: string,
  afterSeq: number,
): Promise<LogTail | null> {
  const stored = await storage.load(name);
  return stored ? wholeDocumentTail(stored, afterSeq) : null;
}

/** Applies what `tail` has and the room lacks, as one change. Throws when the stored bytes are
 * not valid Yjs updates (the caller logs and counts it). */
export function mergeTail(room: Room, tail: LogTail): ApplyResult {
  const parts = tail.snapshot ? [tail.snapshot, ...tail.updates] : tail.updates;
  if (parts.length === 0) return 'unchanged';
  const merged = parts.length === 1 ? parts[0]! : Y.mergeUpdates(parts);
  // Only what the room lacks: a snapshot merged whole would be relayed whole to every peer.
  const missing = Y.diffUpdate(merged, Y.encodeStateVector(room.doc));
  return room.apply(missing, { kind: 'bus' });
}
