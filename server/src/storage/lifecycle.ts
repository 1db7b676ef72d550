/**
 * Creating a document exactly once, and deleting it with a tombstone (the document API,
 * documents/document-service.ts). A StorageAdapter offers these as its `lifecycle`; without
 * one, the API's create and delete routes answer 501.
 *
 * A tombstone marks a document deleted without removing its content: until it is purged the
 * document can be restored exactly as it was. Tombstones live in the same store as the
 * documents (so every instance on a shared store sees them, and they survive restarts).
 */
export interface DocumentLifecycle {
  /** Stores `initialUpdate` as the first update of `name` if the store holds nothing under
   * that name, atomically: of concurrent calls (from any writer on the store) at most one
   * resolves true. False when the document exists, with content or as a deleted one. */
  create(name: string, initialUpdate: Uint8Array): Promise<boolean>;
  /** Marks an existing document deleted at `at` (ms since the epoch). False when there is no
   * such document or it is already marked. */
  markDeleted(name: string, at: number): Promise<boolean>;
  /** Removes the mark (restore). False when the document is not marked. */
  unmarkDeleted(name: string): Promise<boolean>;
  /** When each of the named documents was deleted; names not marked are absent. */
  deletedAt(names: readonly string[]): Promise<Map<string, number>>;
  /** Removes up to `limit` documents marked before `before`, content and mark in one atomic
   * step each, and returns their names. */
  purgeDeleted(before: number, limit: number): Promise<string[]>;
}
