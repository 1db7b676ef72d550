/**
 * StorageAdapter: a deliberately dumb byte store. It knows nothing about Yjs; the persistence
 * policy (when to compact, what to retry) lives in persistence.ts. Every adapter must pass the
 * shared acceptance suite in server/test/storage/adapter-acceptance.ts, including its cases with
 * two writers on one store.
 *
 * Per document it keeps one snapshot plus an append-only log of updates written since. The
 * document's state is the snapshot merged with every logged update.
 *
 * Several writers may share one store (several processes on one SQLite file, several instances
 * on one database). So what a snapshot covers is stated in the store's own terms, never in a
 * writer's local counters: a snapshot covers the previous snapshot plus every logged update with
 * a sequence number up to `throughSeq`, as read from this store. Sequence numbers of one document
 * increase in commit order, so a reader that sees sequence n also sees every earlier one. A
 * compaction is a compare-and-set on the snapshot it started from (`baseSeq`): two writers that
 * compact one document at once cannot both win, and the loser changes nothing.
 *
 * Catch-up reads (`readLogAfter`, `headSeqs`) serve instances on a shared store that missed a
 * bus message (bus/room-link.ts): they are optional, and a store without them is caught up by
 * full loads. `gaplessSeqs` says whether a receiver may treat seq n+1 after n as "nothing in
 * between": only then can a gap be seen from the seqs alone.
 */

import type { VersionStore } from '../history/version-store.js';
import type { WebhookOutbox } from '../webhooks/outbox.js';

import type { DocumentCatalog } from './catalog.js';
import type { DocumentLifecycle } from './lifecycle.js';

export interface StoredDocument {
  /** The compacted state, or null if the document was never compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, oldest first. */
  updates: Uint8Array[];
  /** The sequence number of the newest logged update (0 when the log is empty). */
  lastSeq: number;
  /** What the store's current snapshot covers (0: no snapshot): the `baseSeq` a compaction
   * computed from this read must name. */
  compactedThrough: number;
  /** Set when the adapter detected damaged records (checksum mismatch) and left them out or fell
   * back to an earlier intact generation; one line per problem, for the server's error log. */
  damaged?: string[];
}

/** What a document's log holds after a given seq (`StorageAdapter.readLogAfter`). */
export interface LogTail {
  /** null when the log after the requested seq is all there: `updates` is every update after
   * it. Otherwise a compaction has folded part of that range into the snapshot: this is the
   * current snapshot, to merge before `updates` (the log after the snapshot). */
  snapshot: Uint8Array | null;
  /** Oldest first. */
  updates: Uint8Array[];
  /** The newest seq this read covers: once it is merged, the reader holds every update up to
   * it (never less than the seq asked for). */
  headSeq: number;
  /** As in StoredDocument: damaged records that were left out. */
  damaged?: string[];
}

export interface DocumentInfo {
  name: string;
  /** Milliseconds since the epoch of the last append or compaction. */
  updatedAt: number;
  /** Bytes stored for the document (snapshot plus log). */
  size: number;
  /** The title recorded with `catalog.setTitle`; null when none was. Adapters without a
   * catalog may leave it out. */
  title?: string | null;
}

export type ListOrder = 'name' | 'recent';

export interface ListOptions {
  /** Only names that start with this (case-sensitive, as names are). */
  prefix?: string;
  /** At most this many; default: every match. */
  limit?: number;
  /** 'name' (code point order, the default) or 'recent' (most recently changed first, then by
   * name). */
  order?: ListOrder;
  /** Continue after the item this cursor was made from (`listCursor`). */
  cursor?: string;
  /** Only documents whose name or title contains this, ignoring ASCII case (other letters
   * match exactly). Adapters without a catalog match names only. */
  search?: string;
}

export interface CompactionCover {
  /** The new snapshot contains every logged update with a sequence number up to this one. */
  throughSeq: number;
  /** The `compactedThrough` of the read the snapshot was computed from. If the store's snapshot
   * has changed since (another writer compacted), the compaction changes nothing. */
  baseSeq: number;
}

export interface StorageAdapter {
  /** The stored document, or null if nothing was ever stored under that name. Must throw (never
   * return null) when the store cannot be read: a caller would otherwise serve an empty doc. */
  load(name: string): Promise<StoredDocument | null>;

  /** Appends one update to the document's log and returns its sequence number, which is greater
   * than every earlier one for that document. Resolves once the bytes survive a process crash. */
  append(name: string, update: Uint8Array): Promise<number>;

  /** Atomically replaces the snapshot with `snapshot` and drops logged updates with sequence
   * number ≤ `cover.throughSeq`, if the store's snapshot still is the one `cover.baseSeq` names.
   * Resolves true when it did, false (nothing changed) when another compaction came first. All
   * or nothing. */
  compact(name: string, snapshot: Uint8Array, cover: CompactionCover): Promise<boolean>;

  /** Makes every write that has resolved so far durable against power loss (fsync). A rejection
   * means none of them may be assumed durable (after a failed fsync the OS may drop dirty pages). */
  sync(): Promise<void>;

  /** Stored documents, one page at a time (see ListOptions), without reading their content. */
  list(options?: ListOptions): Promise<DocumentInfo[]>;

  /** Removes a document and its log. Resolves also when it did not exist. */
  delete(name: string): Promise<void>;

  /** True when the seqs of one document are gapless (1, 2, 3…, in commit order): a reader that
   * holds seq n and sees n + 2 knows n + 1 exists and is missing. A store with one counter for
   * all documents (SQLite) leaves this unset. Default false. */
  readonly gaplessSeqs?: boolean;

  /** Catch-up for an instance holding `name` up to `afterSeq`: the updates logged after it, or,
   * when a compaction has dropped part of them, the snapshot plus the log after it (LogTail).
   * One consistent read. Null when the document does not exist. Optional: without it, catch-up
   * falls back to `load`. */
  readLogAfter?(name: string, afterSeq: number): Promise<LogTail | null>;

  /** The head seq of each named document (the newest seq it has assigned, compacted or not), in
   * one round trip; documents that do not exist are absent from the map. For the periodic check
   * that finds instances behind a lost last message. Optional: without it, that check loads
   * every open document. */
  headSeqs?(names: readonly string[]): Promise<Map<string, number>>;

  /** Create-once and delete with a tombstone, for the document API (lifecycle.ts). Optional:
   * without it, the API's create and delete routes answer 501. */
  readonly lifecycle?: DocumentLifecycle;

  /** Titles and rename (catalog.ts). Optional: without it, the list shows names only and the
   * rename route answers 501. */
  readonly catalog?: DocumentCatalog;

  /** Releases the store; no calls may follow. */
  close(): Promise<void>;

  /** Saved versions of the documents, kept in this same store (history/version-store.ts). The
   * built-in adapters have it; without it, version history is off. `delete` removes a
   * document's versions too. */
  readonly versions?: VersionStore;

  /** Webhook deliveries still to make, kept in this same store so an event survives what the
   * document's write survives (webhooks/outbox.ts). The built-in adapters have it; without it,
   * webhooks cannot be configured. */
  readonly outbox?: WebhookOutbox;
}

/** The cursor that continues a listing after `doc`, in `order`. Opaque to callers. */
export function listCursor(doc: DocumentInfo, order: ListOrder = 'name'): string {
  const key = order === 'recent' ? [doc.updatedAt, doc.name] : [doc.name];
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The position a cursor names, or null when it is not one `listCursor` made for `order`. */
export function parseListCursor(
  cursor: string,
  order: ListOrder,
): { name: string; updatedAt: number } | null {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(key)) return null;
  if (order === 'name' && key.length === 1 && typeof key[0] === 'string') {
    return { name: key[0], updatedAt: 0 };
  }
  if (
    order === 'recent' &&
    key.length === 2 &&
    typeof key[0] === 'number' &&
    typeof key[1] === 'string'
  ) {
    return { name: key[1], updatedAt: key[0] };
  }
  return null;
}
