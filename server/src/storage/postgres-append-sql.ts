/**
 * The one SQL statement a group commit sends (postgres-append-batch.ts): every document's
 * `last_seq` bumped under its row lock, the update rows below it, and the webhook outbox rows
 * that ride in the same transaction.
 */
import type { PoolClient } from 'pg';
import { NOW_MS, type Tables } from './postgres-schema.js';
import type { AppendRow, OutboxRowInsert, TimedQuery } from './postgres-append-batch.js';

/** The one statement of a batch: per document (locked in name order) `last_seq` goes up by its
 * k updates; each update row takes `last_seq - back`, where `back` counts the document's later
 * updates in the batch, so a document's updates get consecutive seqs in batch order. */
function batchSql(t: Tables, withOutbox: boolean): string {
  const updates = `INSERT INTO ${t.updates} (doc, seq, data, crc, created_at)
    SELECT u.doc, docs.last_seq - u.back, u.data, u.crc, docs.updated_at
    FROM unnest($3::text[], $4::bigint[], $5::bytea[], $6::bigint[]) AS u(doc, back, data, crc)
    JOIN docs ON docs.name = u.doc
    RETURNING doc, seq`;
  // Outbox rows ride in the same statement, so in the same transaction (data-modifying CTEs).
  const tail = withOutbox
    ? `, ups AS (${updates}),
    ob AS (
      INSERT INTO ${t.outbox} (event_id, receiver, event, doc, payload, created_at, available_at)
      SELECT * FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                           $12::bigint[], $13::bigint[])
    )
    SELECT doc, seq FROM ups`
    : `
    ${updates}`;
  return `
    WITH docs AS (
      INSERT INTO ${t.documents} AS d (name, last_seq, updated_at)
      SELECT name, k, ${NOW_MS} FROM unnest($1::text[], $2::bigint[]) AS i(name, k)
      ORDER BY name COLLATE "C"
      ON CONFLICT (name) DO UPDATE
        SET last_seq = d.last_seq + excluded.last_seq, updated_at = excluded.updated_at
      RETURNING name, last_seq, updated_at
    )${tail}`;
}

/** Commits `rows` on `client` as one statement (one implicit transaction) and returns each
 * row's seq, in row order. `timeoutMs` bounds the wait for PostgreSQL's answer. */
export async function commitAppendBatch(
  client: PoolClient,
  tables: Tables,
  rows: AppendRow[],
  timeoutMs: number,
  outbox: readonly OutboxRowInsert[] = [],
): Promise<number[]> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
  const remaining = new Map(counts);
  const backs = rows.map((row) => {
    const left = remaining.get(row.name)! - 1;
    remaining.set(row.name, left);
    return left;
  });
  const query: TimedQuery = {
    text: batchSql(tables, outbox.length > 0),
    values: [
      [...counts.keys()],
      [...counts.values()],
      rows.map((r) => r.name),
      backs,
      rows.map((r) => r.data),
      rows.map((r) => r.crc),
      ...(outbox.length > 0
        ? [
            outbox.map((o) => o.eventId),
            outbox.map((o) => o.receiver),
            outbox.map((o) => o.event),
            outbox.map((o) => o.doc),
            outbox.map((o) => o.payload),
            outbox.map((o) => o.createdAt),
            outbox.map((o) => o.availableAt),
          ]
        : []),
    ],
    query_timeout: timeoutMs,
  };
  const result = await client.query<{ doc: string; seq: number }>(query);
  if (result.rows.length !== rows.length) {
    throw new Error(`append batch stored ${result.rows.length} of ${rows.length} updates`);
  }
  // Per document, ascending seqs belong to its updates in batch order.
  const seqsOf = new Map<string, number[]>();
  for (const { doc, seq } of result.rows) {
    const list = seqsOf.get(doc);
    if (list) list.push(seq);
    else seqsOf.set(doc, [seq]);
  }
  for (const list of seqsOf.values()) list.sort((a, b) => a - b);
  const next = new Map<string, number>();
  return rows.map((row) => {
    const i = next.get(row.name) ?? 0;
    next.set(row.name, i + 1);
    return seqsOf.get(row.name)![i]!;
  });
}
