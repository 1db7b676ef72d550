/**
 * What the document list and the rename route need from a store beyond bytes (the document
 * API, documents/document-titles.ts and documents/document-rename.ts). A StorageAdapter offers
 * it as its `catalog`; without one, titles are not kept (the list shows names only) and the
 * rename route answers 501.
 *
 * A title is one short line of text per document, kept beside its content so the list can show
 * and search it without loading any document. The store keeps what it is given; deciding what a
 * document's title is (its first heading) is documents/document-title.ts.
 */

export type RenameResult = 'renamed' | 'not-found' | 'exists';

export interface DocumentCatalog {
  /** Records `title` (null: none) for a stored document. Does nothing when nothing is stored
   * under `name`, and never changes the document's `updatedAt`: a title follows the content,
   * it is not a change of its own. */
  setTitle(name: string, title: string | null): Promise<void>;

  /**
   * Moves everything stored under `from` (snapshot, log, title, saved versions) to `to` and
   * leaves a tombstone (lifecycle.ts) on `from` dated `at`, all in one atomic step, so every
   * instance on the store sees the old name as gone at once and a late writer or a stale
   * client cannot bring it back (its upgrades answer 410 Gone, as for a deleted document).
   * - 'not-found': nothing is stored under `from`, or `from` carries a tombstone (deleted).
   * - 'exists': something is stored under `to`, including a deleted document that can still be
   *   restored. A tombstone on `to` without content (left by an earlier rename away from `to`)
   *   does not count: it is lifted, so a rename can be undone by renaming back.
   * Of concurrent renames onto one name (from any writer on the store) at most one wins.
   */
  rename(from: string, to: string, at: number): Promise<RenameResult>;

  /** For the tombstoned ones of `names` that a rename left, the name each was renamed to
   * (others are absent): instances sharing the store tell their open sessions where the
   * document went (documents/document-service.ts evictDeletedRooms). One round trip. */
  renamedTo(names: readonly string[]): Promise<Map<string, string>>;
}
