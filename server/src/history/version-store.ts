/**
 * VersionStore: where a document's saved versions live, beside the document in the same store
 * (SQLite table, PostgreSQL table, memory), reached as `StorageAdapter.versions`. Like the
 * document store it is a dumb byte store: it never decodes a state. What a version holds and
 * when one is saved is the history layer's business (version-state.ts, version-policy.ts).
 *
 * A version is one row: its id (a positive integer, increasing in insert order across the whole
 * store), the document, when it was saved, why (`kind`), an optional label, who had changed the
 * document since the version before, the document's full Yjs state as compressed bytes, and a
 * hash that names the state's content, so a save can tell "unchanged" without decoding anything.
 *
 * Removing a document from its adapter (`StorageAdapter.delete`) removes its versions in the same
 * call: a purged document leaves no history behind.
 */

/** Why a version was saved. */
export type VersionKind =
  /** After a pause in editing. */
  | 'auto'
  /** When the last person left the document. */
  | 'leave'
  /** Right before a version was restored: the state the restore replaced. */
  | 'restore'
  /** Right before a write through the document API. */
  | 'api'
  /** On request (`POST /api/docs/<name>/versions`), usually with a label. */
  | 'manual';

export const VERSION_KINDS: readonly VersionKind[] = ['auto', 'leave', 'restore', 'api', 'manual'];

/** What listing shows of a version: everything but the state. */
export interface VersionInfo {
  id: number;
  /** Milliseconds since the epoch. */
  createdAt: number;
  kind: VersionKind;
  /** Set for versions named on request; such versions are kept until deleted. */
  label?: string;
  /** Who changed the document since the previous version (token subjects or display names),
   * in the order they first changed it; empty when nobody known did. */
  authors: string[];
}

export interface NewVersion {
  doc: string;
  createdAt: number;
  kind: VersionKind;
  label?: string;
  authors: string[];
  /** The encoded, compressed state (version-state.ts). */
  state: Uint8Array;
  /** Names the state's content: equal hashes mean an unchanged document. */
  stateHash: string;
}

export interface StoredVersion extends VersionInfo {
  doc: string;
  state: Uint8Array;
  stateHash: string;
}

export interface VersionListOptions {
  /** At most this many (newest first). Default: all. */
  limit?: number;
  /** Only versions older than the one with this id (the next page after it). */
  before?: number;
}

export interface VersionStore {
  /** Stores a version; resolves with its id once written (durable with the store's next sync,
   * like document writes). */
  add(version: NewVersion): Promise<number>;

  /** A document's versions, newest first (by createdAt, then id). Empty for an unknown doc. */
  list(doc: string, options?: VersionListOptions): Promise<VersionInfo[]>;

  /** One version with its state, or null when the document has no version with that id. */
  get(doc: string, id: number): Promise<StoredVersion | null>;

  /** The newest version's id and state hash (what an "unchanged?" check needs), or null. */
  latest(doc: string): Promise<{ id: number; stateHash: string } | null>;

  /** Deletes these versions of `doc` (ids it does not have are ignored); resolves with how many
   * were deleted. */
  remove(doc: string, ids: readonly number[]): Promise<number>;

  /** Names of documents that have versions, in code point order, after `after`, at most `limit`:
   * how retention walks the store a page at a time. */
  documents(options: { after?: string; limit: number }): Promise<string[]>;
}

/** Shared by the adapters: the authors column holds a JSON array of strings. */
export function parseAuthors(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/** A row's fields as VersionInfo (no label key when there is none). */
export function versionInfo(row: {
  id: number;
  created_at: number;
  kind: string;
  label: string | null;
  authors: string;
}): VersionInfo {
  const info: VersionInfo = {
    id: row.id,
    createdAt: row.created_at,
    kind: row.kind as VersionKind,
    authors: parseAuthors(row.authors),
  };
  if (row.label !== null) info.label = row.label;
  return info;
}
