/**
 * SqliteStorage's webhook outbox (webhooks/outbox.ts): the `webhook_outbox` table of the same
 * database file (sqlite-schema.ts). Statements run synchronously on the store's connection, so
 * an event added in the turn that appends the update it reports is in the WAL with it: a
 * process crash keeps both. A claim is one transaction, so processes sharing the file never
 * lease one row twice.
 */
import type Database from 'better-sqlite3';
import type {
  DeadLetter,
  NewOutboxEvent,
  OutboxDelivery,
  OutboxStats,
  WebhookOutbox,
} from '../webhooks/outbox.js';
import { deadLetterOf, deliveryOf, OUTBOX_COLUMNS, type OutboxRow } from './outbox-rows.js';

export class SqliteOutbox implements WebhookOutbox {
  private readonly statements;
  private readonly claimTx: (
    receiver: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ) => OutboxRow[];

  constructor(private readonly db: Database.Database) {
    this.statements = {
      insert: db.prepare<[string, string, string, string, string, number, number]>(
        `INSERT INTO webhook_outbox (event_id, receiver, event, doc, payload, created_at, available_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      update: db.prepare<[string, number, string]>(
        `UPDATE webhook_outbox SET payload = ?, available_at = ?
         WHERE event_id = ? AND attempts = 0 AND lease_until = 0 AND dead_at IS NULL`,
      ),
      cancel: db.prepare<[string]>(
        `DELETE FROM webhook_outbox
         WHERE event_id = ? AND attempts = 0 AND lease_until = 0 AND dead_at IS NULL`,
      ),
      due: db.prepare<[string, number, number, number], OutboxRow>(
        `SELECT ${OUTBOX_COLUMNS} FROM webhook_outbox
         WHERE receiver = ? AND dead_at IS NULL AND available_at <= ? AND lease_until <= ?
         ORDER BY seq LIMIT ?`,
      ),
      lease: db.prepare<[string, number, number]>(
        'UPDATE webhook_outbox SET lease_owner = ?, lease_until = ? WHERE seq = ?',
      ),
      complete: db.prepare<[number]>('DELETE FROM webhook_outbox WHERE seq = ?'),
      retry: db.prepare<[number, string, number]>(
        `UPDATE webhook_outbox SET attempts = attempts + 1, available_at = ?, last_error = ?,
           lease_owner = NULL, lease_until = 0
         WHERE seq = ?`,
      ),
      renew: db.prepare<[number, number, string]>(
        `UPDATE webhook_outbox SET lease_until = ?
         WHERE seq = ? AND lease_owner = ? AND lease_until > 0`,
      ),
      release: db.prepare<[number]>(
        'UPDATE webhook_outbox SET lease_owner = NULL, lease_until = 0 WHERE seq = ?',
      ),
      bury: db.prepare<[number, string, string, number, number]>(
        `UPDATE webhook_outbox SET dead_at = ?, last_error = COALESCE(last_error, ?)
         WHERE receiver = ? AND dead_at IS NULL AND created_at < ? AND lease_until <= ?`,
      ),
      dead: db.prepare<[number, number], OutboxRow>(
        `SELECT ${OUTBOX_COLUMNS} FROM webhook_outbox WHERE dead_at IS NOT NULL AND seq > ?
         ORDER BY seq LIMIT ?`,
      ),
      replay: db.prepare<[number, number, number]>(
        `UPDATE webhook_outbox SET dead_at = NULL, attempts = 0, created_at = ?, available_at = ?,
           lease_owner = NULL, lease_until = 0
         WHERE seq = ? AND dead_at IS NOT NULL`,
      ),
      total: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM webhook_outbox'),
      // Each count reads one partial index, never the table: this runs on the event loop.
      pendingCount: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM webhook_outbox WHERE receiver = ? AND dead_at IS NULL',
      ),
      deadCount: db.prepare<[string], { n: number }>(
        'SELECT COUNT(*) AS n FROM webhook_outbox WHERE dead_at IS NOT NULL AND receiver = ?',
      ),
      // The first waiting row in seq order (due, or in backoff after a failure): rows are added
      // in time order (a replayed one is young).
      oldestDue: db.prepare<[string, number], { created_at: number }>(
        `SELECT created_at FROM webhook_outbox
         WHERE receiver = ? AND dead_at IS NULL AND (available_at <= ? OR attempts > 0)
         ORDER BY seq LIMIT 1`,
      ),
      purge: db.prepare<[number, number]>(
        `DELETE FROM webhook_outbox WHERE seq IN (
           SELECT seq FROM webhook_outbox WHERE dead_at IS NOT NULL AND dead_at < ? LIMIT ?)`,
      ),
    };
    this.claimTx = db.transaction((receiver, owner, now, leaseUntil, limit) => {
      const rows = this.statements.due.all(receiver, now, now, limit);
      for (const row of rows) this.statements.lease.run(owner, leaseUntil, row.seq);
      return rows;
    });
  }

  async add(event: NewOutboxEvent, receivers: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      for (const receiver of receivers) {
        this.statements.insert.run(
          event.eventId,
          receiver,
          event.event,
          event.doc,
          event.payload,
          event.createdAt,
          event.availableAt,
        );
      }
    })();
  }

  async update(eventId: string, payload: string, availableAt: number): Promise<void> {
    this.statements.update.run(payload, availableAt, eventId);
  }

  async cancel(eventId: string): Promise<void> {
    this.statements.cancel.run(eventId);
  }

  async claim(
    receiver: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<OutboxDelivery[]> {
    return this.claimTx(receiver, owner, now, leaseUntil, limit).map(deliveryOf);
  }

  async complete(seq: number): Promise<void> {
    this.statements.complete.run(seq);
  }

  async retryLater(seq: number, availableAt: number, error: string): Promise<void> {
    this.statements.retry.run(availableAt, error, seq);
  }

  async renew(seqs: readonly number[], owner: string, leaseUntil: number): Promise<void> {
    this.db.transaction(() => {
      for (const seq of seqs) this.statements.renew.run(leaseUntil, seq, owner);
    })();
  }

  async release(seqs: readonly number[]): Promise<void> {
    this.db.transaction(() => {
      for (const seq of seqs) this.statements.release.run(seq);
    })();
  }

  async buryExpired(
    receiver: string,
    createdBefore: number,
    now: number,
    error: string,
  ): Promise<number> {
    return this.statements.bury.run(now, error, receiver, createdBefore, now).changes;
  }

  async deadLetters(limit: number, afterSeq = 0): Promise<DeadLetter[]> {
    return this.statements.dead.all(afterSeq, limit).map(deadLetterOf);
  }

  async replay(seq: number, now: number): Promise<boolean> {
    return this.statements.replay.run(now, now, seq).changes > 0;
  }

  async stats(receivers: readonly string[], now: number): Promise<OutboxStats> {
    const stats: OutboxStats = {
      pending: 0,
      dead: 0,
      total: this.statements.total.get()!.n,
      oldestDueAt: null,
    };
    for (const receiver of receivers) {
      stats.pending += this.statements.pendingCount.get(receiver)!.n;
      stats.dead += this.statements.deadCount.get(receiver)!.n;
      const oldest = this.statements.oldestDue.get(receiver, now)?.created_at;
      if (oldest !== undefined) stats.oldestDueAt = Math.min(stats.oldestDueAt ?? oldest, oldest);
    }
    return stats;
  }

  async purgeDead(before: number, limit: number): Promise<number> {
    return this.statements.purge.run(before, limit).changes;
  }
}
