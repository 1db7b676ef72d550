/**
 * PostgresStorage.compact's statements: a compare-and-set that replaces a document's snapshot
 * when nobody compacted it since the caller read it. Compaction keeps one previous generation
 * (the old snapshot and the log since it), so that load can fall back to it when the new
 * snapshot turns out damaged.
 */
import type { ClientBase } from 'pg';
import type { CompactionCover } from './adapter.js';
import { NOW_MS, type Tables } from './postgres-schema.js';

/** Writes `data` (with its `crc`) as the snapshot covering `cover`; false when another writer's
 * compaction came first. Run it in a transaction, and roll it back on false: a refused compaction
 * then leaves no trace, not even the row it created. */
export async function compactDocument(
  client: ClientBase,
  t: Tables,
  name: string,
  data: Buffer,
  crc: number,
  cover: CompactionCover,
): Promise<boolean> {
  // A compaction may come before any append: the row must exist to be locked. Only a row it
  // creates gets a time: a compaction changes no content, so it leaves updated_at alone and
  // 'recent' listings keep their order.
  await client.query(
    `INSERT INTO ${t.documents} (name, updated_at) VALUES ($1, ${NOW_MS})
     ON CONFLICT (name) DO NOTHING`,
    [name],
  );
  // The row lock holds off appends and other compactions of this document until COMMIT.
  const row = (
    await client.query<{ compacted_through: number }>(
      `SELECT compacted_through FROM ${t.documents} WHERE name = $1 FOR UPDATE`,
      [name],
    )
  ).rows[0]!;
  // The compare-and-set: another writer's compaction since the caller's read wins.
  if (row.compacted_through !== cover.baseSeq) return false;
  // The current generation becomes the previous one, and keeps the log it needs. A cover past
  // the newest seq is held to it: later appends must stay after what the snapshot covers.
  await client.query(
    `UPDATE ${t.documents} SET
       prev_snapshot = snapshot, prev_crc = snapshot_crc, prev_through = compacted_through,
       snapshot = $2, snapshot_crc = $3,
       compacted_through = GREATEST(compacted_through, LEAST($4::bigint, last_seq))
     WHERE name = $1`,
    [name, data, crc, cover.throughSeq],
  );
  await client.query(`DELETE FROM ${t.updates} WHERE doc = $1 AND seq <= $2`, [
    name,
    row.compacted_through,
  ]);
  return true;
}
