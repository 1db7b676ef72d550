/**
 * PostgresStorage.load's queries: a document's row and its log, checked against their CRC-32s.
 * A snapshot that fails its checksum is replaced by the previous generation plus its log; without
 * an intact previous one this throws. A damaged logged update is left out. Both are reported in
 * `StoredDocument.damaged`.
 */
import type { ClientBase } from 'pg';
import { intact } from './checksum.js';
import type { StoredDocument } from './adapter.js';
import type { Tables } from './postgres-schema.js';

interface DocumentRow {
  snapshot: Buffer | null;
  snapshot_crc: number | null;
  compacted_through: number;
  prev_snapshot: Buffer | null;
  prev_crc: number | null;
  prev_through: number | null;
}

interface UpdateRow {
  seq: number;
  data: Buffer;
  crc: number;
}

/** The stored document, or null when it does not exist. Run it in one REPEATABLE READ
 * transaction: a compaction committing between its two reads could otherwise yield a snapshot
 * and a log that do not fit together. */
export async function loadDocument(
  client: ClientBase,
  t: Tables,
  name: string,
): Promise<StoredDocument | null> {
  const row = (
    await client.query<DocumentRow>(
      `SELECT snapshot, snapshot_crc, compacted_through, prev_snapshot, prev_crc, prev_through
       FROM ${t.documents} WHERE name = $1`,
      [name],
    )
  ).rows[0];
  if (!row) return null;
  const damaged: string[] = [];
  let snapshot = row.snapshot;
  let from = row.compacted_through;
  if (!intact(row.snapshot, row.snapshot_crc)) {
    if (row.prev_through === null || !intact(row.prev_snapshot, row.prev_crc)) {
      throw new Error('stored snapshot failed its checksum and no intact previous one exists');
    }
    snapshot = row.prev_snapshot;
    from = row.prev_through;
    damaged.push('snapshot checksum mismatch: previous used');
  }
  const log = await client.query<UpdateRow>(
    `SELECT seq, data, crc FROM ${t.updates} WHERE doc = $1 AND seq > $2 ORDER BY seq`,
    [name, from],
  );
  const updates: Uint8Array[] = [];
  for (const u of log.rows) {
    if (intact(u.data, u.crc)) updates.push(new Uint8Array(u.data));
    else damaged.push(`update ${u.seq} checksum mismatch: left out`);
  }
  const result: StoredDocument = {
    snapshot: snapshot ? new Uint8Array(snapshot) : null,
    updates,
    lastSeq: log.rows.at(-1)?.seq ?? 0,
    // Whichever generation was read, a compaction must name the current one.
    compactedThrough: row.compacted_through,
  };
  if (damaged.length > 0) result.damaged = damaged;
  return result;
}
