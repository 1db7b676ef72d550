/**
 * PostgresStorage's webhook outbox (webhooks/outbox.ts): the `quire_webhook_outbox` table
 * beside the documents (postgres-schema.ts), shared by every instance on the database.
 *
 * A claim is one statement: the due rows are picked `FOR UPDATE SKIP LOCKED` and leased in the
 * same UPDATE, so two instances claiming at once get disjoint rows (neither waits for the
 * other's locks, neither gets a row the other leased), and a leased row is not due again until
 * its lease has run out. Every other method is one statement too, so one transaction.
 */
import type { QueryResultRow } from 'pg';
import type {
  DeadLetter,
  NewOutboxEvent,
  OutboxDelivery,
  OutboxStats,
  WebhookOutbox,
} from '../webhooks/outbox.js';
import { deadLetterOf, deliveryOf, OUTBOX_COLUMNS, type OutboxRow } from './outbox-rows.js';
import type { WithClient } from './postgres-versions.js';
import type { Tables } from './postgres-schema.js';
import type { OutboxRowInsert } from './postgres-append-batch.js';

/** Rows never attempted and not being sent (see WebhookOutbox.update). */
const UNTRIED = 'event_id = $1 AND attempts = 0 AND lease_until = 0 AND dead_at IS NULL';

export class PostgresOutbox implements WebhookOutbox {
  private readonly t: string;

  constructor(
    tables: Tables,
    private readonly withClient: WithClient,
    /** Puts rows into the transaction of the document's append still queued, if there is one
     * (postgres-append-batch.ts `attach`); null when there is none. */
    private readonly attachToAppend?: (
      doc: string,
      rows: OutboxRowInsert[],
    ) => Promise<void> | null,
  ) {
    this.t = tables.outbox;
  }

  async add(event: NewOutboxEvent, receivers: readonly string[]): Promise<void> {
    // An event is recorded in the turn of the change it reports, whose append is still queued:
    // its rows then commit in that append's transaction, so a crash can never keep the change
    // and lose its event. Should that append fail, the rows are written on their own (the
    // change is repaired later, and the event still reports it).
    const attached = this.attachToAppend?.(
      event.doc,
      receivers.map((receiver) => ({ ...event, receiver })),
    );
    if (attached) {
      try {
        await attached;
        return;
      } catch {
        // Written below.
      }
    }
    await this.query(
      `INSERT INTO ${this.t} (event_id, receiver, event, doc, payload, created_at, available_at)
       SELECT $1, r, $2, $3, $4, $5, $6 FROM unnest($7::text[]) AS r`,
      [
        event.eventId,
        event.event,
        event.doc,
        event.payload,
        event.createdAt,
        event.availableAt,
        [...receivers],
      ],
    );
  }

  async update(eventId: string, payload: string, availableAt: number): Promise<void> {
    await this.query(`UPDATE ${this.t} SET payload = $2, available_at = $3 WHERE ${UNTRIED}`, [
      eventId,
      payload,
      availableAt,
    ]);
  }

  async cancel(eventId: string): Promise<void> {
    await this.query(`DELETE FROM ${this.t} WHERE ${UNTRIED}`, [eventId]);
  }

  async claim(
    receiver: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<OutboxDelivery[]> {
    const rows = await this.query<OutboxRow>(
      `UPDATE ${this.t} SET lease_owner = $2, lease_until = $4
       WHERE seq IN (
         SELECT seq FROM ${this.t}
         WHERE receiver = $1 AND dead_at IS NULL AND available_at <= $3 AND lease_until <= $3
         ORDER BY seq LIMIT $5
         FOR UPDATE SKIP LOCKED)
       RETURNING ${OUTBOX_COLUMNS}`,
      [receiver, owner, now, leaseUntil, limit],
    );
    return rows.map(deliveryOf).sort((a, b) => a.seq - b.seq);
  }

  async complete(seq: number): Promise<void> {
    await this.query(`DELETE FROM ${this.t} WHERE seq = $1`, [seq]);
  }

  async retryLater(seq: number, availableAt: number, error: string): Promise<void> {
    await this.query(
      `UPDATE ${this.t} SET attempts = attempts + 1, available_at = $2, last_error = $3,
         lease_owner = NULL, lease_until = 0
       WHERE seq = $1`,
      [seq, availableAt, error],
    );
  }

  async renew(seqs: readonly number[], owner: string, leaseUntil: number): Promise<void> {
    if (seqs.length === 0) return;
    await this.query(
      `UPDATE ${this.t} SET lease_until = $3
       WHERE seq = ANY($1::bigint[]) AND lease_owner = $2 AND lease_until > 0`,
      [[...seqs], owner, leaseUntil],
    );
  }

  async release(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.query(
      `UPDATE ${this.t} SET lease_owner = NULL, lease_until = 0 WHERE seq = ANY($1::bigint[])`,
      [[...seqs]],
    );
  }

  async buryExpired(
    receiver: string,
    createdBefore: number,
    now: number,
    error: string,
  ): Promise<number> {
    const rows = await this.query<{ seq: number }>(
      `UPDATE ${this.t} SET dead_at = $3, last_error = COALESCE(last_error, $4)
       WHERE receiver = $1 AND dead_at IS NULL AND created_at < $2 AND lease_until <= $3
       RETURNING seq`,
      [receiver, createdBefore, now, error],
    );
    return rows.length;
  }

  async deadLetters(limit: number, afterSeq = 0): Promise<DeadLetter[]> {
    const rows = await this.query<OutboxRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM ${this.t} WHERE dead_at IS NOT NULL AND seq > $1
       ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map(deadLetterOf);
  }

  async replay(seq: number, now: number): Promise<boolean> {
    const rows = await this.query<{ seq: number }>(
      `UPDATE ${this.t} SET dead_at = NULL, attempts = 0, created_at = $2, available_at = $2,
         lease_owner = NULL, lease_until = 0
       WHERE seq = $1 AND dead_at IS NOT NULL RETURNING seq`,
      [seq, now],
    );
    return rows.length > 0;
  }

  async stats(receivers: readonly string[], now: number): Promise<OutboxStats> {
    const rows = await this.query<{
      pending: number;
      dead: number;
      total: number;
      oldest: number | null;
    }>(
      // Index-only counts; the oldest waiting row (due, or in backoff after a failure) is the
      // first one in seq order (rows are added in time order; a replayed one is young).
      `SELECT (SELECT COUNT(*) FROM ${this.t}
                WHERE receiver = ANY($1::text[]) AND dead_at IS NULL)::int AS pending,
              (SELECT COUNT(*) FROM ${this.t}
                WHERE receiver = ANY($1::text[]) AND dead_at IS NOT NULL)::int AS dead,
              (SELECT COUNT(*) FROM ${this.t})::int AS total,
              (SELECT MIN(first) FROM unnest($1::text[]) AS r(key), LATERAL (
                 SELECT created_at AS first FROM ${this.t}
                 WHERE receiver = r.key AND dead_at IS NULL AND (available_at <= $2 OR attempts > 0)
                 ORDER BY seq LIMIT 1) AS due) AS oldest`,
      [[...receivers], now],
    );
    const row = rows[0]!;
    return { pending: row.pending, dead: row.dead, total: row.total, oldestDueAt: row.oldest };
  }

  async purgeDead(before: number, limit: number): Promise<number> {
    const rows = await this.query<{ seq: number }>(
      `DELETE FROM ${this.t} WHERE seq IN (
         SELECT seq FROM ${this.t} WHERE dead_at IS NOT NULL AND dead_at < $1 LIMIT $2)
       RETURNING seq`,
      [before, limit],
    );
    return rows.length;
  }

  private query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return this.withClient(async (client) => (await client.query<R>(sql, params)).rows);
  }
}
