/**
 * StorageAdapter: a deliberately dumb byte store. It knows nothing about Yjs; the persistence
 * policy (when to compact, what to retry) lives in persistence.ts. Every adapter must pass the
 * shared acceptance suite in server/test/storage/adapter-acceptance.ts.
 *
 * Per document it keeps one snapshot plus an append-only log of updates written since. The
 * document's state is the snapshot merged with every logged update.
 */

export interface StoredDocument {
  /** The compacted state, or null if the document was never compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, oldest first. */
  updates: Uint8Array[];
  /** The sequence number of the newest logged update (0 when the log is empty). */
  lastSeq: number;
  /** Set when the adapter detected damaged records (checksum mismatch) and left them out or fell
   * back to an earlier intact generation; one line per problem, for the server's error log. */
  damaged?: string[];
}

export interface DocumentInfo {
  name: string;
  /** Milliseconds since the epoch of the last append or compaction. */
  updatedAt: number;
  /** Bytes stored for the document (snapshot plus log). */
  size: number;
}

export interface StorageAdapter {
  /** The stored document, or null if nothing was ever stored under that name. Must throw (never
   * return null) when the store cannot be read: a caller would otherwise serve an empty doc. */
  load(name: string): Promise<StoredDocument | null>;

  /** Appends one update to the document's log and returns its sequence number, which is greater
   * than every earlier one for that document. Resolves once the bytes survive a process crash. */
  append(name: string, update: Uint8Array): Promise<number>;

  /** Atomically replaces the snapshot with `snapshot` and drops logged updates with sequence
   * number ≤ `throughSeq` (they are contained in the snapshot). All or nothing. */
  compact(name: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;

  /** Makes every write that has resolved so far durable against power loss (fsync). A rejection
   * means none of them may be assumed durable (after a failed fsync the OS may drop dirty pages). */
  sync(): Promise<void>;

  /** Every stored document. */
  list(): Promise<DocumentInfo[]>;

  /** Removes a document and its log. Resolves also when it did not exist. */
  delete(name: string): Promise<void>;

  /** Releases the store; no calls may follow. */
  close(): Promise<void>;
}
