/**
 * PostgresStorage's catch-up reads (StorageAdapter.readLogAfter and headSeqs), for instances
 * that missed a bus message. Both read `last_seq` from the document row: it is the newest seq
 * assigned, in the same transaction as the update row, so it is exact and never runs ahead of
 * what a reader can see.
 */
import type { ClientBase } from 'pg';
import { intact } from './checksum.js';
import type { LogTail } from './adapter.js';
import type { Tables } from './postgres-schema.js';

interface HeadRow {
  compacted_through: number;
  last_seq: number;
}

/** The document's head and what its snapshot covers, or null when it does not exist. Run in
 * the same REPEATABLE READ transaction as `readLogRows`, so both see one state. */
export async function readHead(
  client: ClientBase,
  t: Tables,
  name: string,
): Promise<HeadRow | null> {
  const result = await client.query<HeadRow>(
    `SELECT compacted_through, last_seq FROM ${t.documents} WHERE name = $1`,
    [name],
  );
  return result.rows[0] ?? null;
}

/** The logged updates after `afterSeq`, oldest first; damaged rows are left out and named. */
export async function readLogRows(
  client: ClientBase,
  t: Tables,
  name: string,
  afterSeq: number,
  headSeq: number,
): Promise<LogTail> {
  const log = await client.query<{ seq: number; data: Buffer; crc: number }>(
    `SELECT seq, data, crc FROM ${t.updates} WHERE doc = $1 AND seq > $2 ORDER BY seq`,
    [name, afterSeq],
  );
  const tail: LogTail = { snapshot: null, updates: [], headSeq: Math.max(afterSeq, headSeq) };
  const damaged: string[] = [];
  for (const u of log.rows) {
    if (intact(u.data, u.crc)) tail.updates.push(new Uint8Array(u.data));
    else damaged.push(`update ${u.seq} checksum mismatch: left out`);
  }
  if (damaged.length > 0) tail.damaged = damaged;
  return tail;
}

/** The head seq of each named document that exists, in one query. */
export async function readHeads(
  client: ClientBase,
  t: Tables,
  names: readonly string[],
): Promise<Map<string, number>> {
  const result = await client.query<{ name: string; last_seq: number }>(
    `SELECT name, last_seq FROM ${t.documents} WHERE name = ANY($1::text[])`,
    [names],
  );
  return new Map(result.rows.map((r) => [r.name, r.last_seq]));
}
