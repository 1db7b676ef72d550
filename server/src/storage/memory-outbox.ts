/** MemoryStorage's webhook outbox (webhooks/outbox.ts): in-process, nothing survives it. */
import type {
  DeadLetter,
  NewOutboxEvent,
  OutboxDelivery,
  OutboxStats,
  WebhookOutbox,
} from '../webhooks/outbox.js';

interface MemoryRow extends OutboxDelivery {
  availableAt: number;
  leaseOwner: string | null;
  leaseUntil: number;
  deadAt: number | null;
}

export class MemoryOutbox implements WebhookOutbox {
  /** By seq; a Map keeps insert order, which is seq order. */
  private readonly rows = new Map<number, MemoryRow>();
  private nextSeq = 1;

  constructor(private readonly assertOpen: () => void = () => {}) {}

  async add(event: NewOutboxEvent, receivers: readonly string[]): Promise<void> {
    this.assertOpen();
    for (const receiver of receivers) {
      const seq = this.nextSeq++;
      this.rows.set(seq, {
        seq,
        eventId: event.eventId,
        receiver,
        event: event.event,
        doc: event.doc,
        payload: event.payload,
        createdAt: event.createdAt,
        availableAt: event.availableAt,
        attempts: 0,
        lastError: null,
        leaseOwner: null,
        leaseUntil: 0,
        deadAt: null,
      });
    }
  }

  async update(eventId: string, payload: string, availableAt: number): Promise<void> {
    this.assertOpen();
    for (const row of this.untried(eventId)) {
      row.payload = payload;
      row.availableAt = availableAt;
    }
  }

  async cancel(eventId: string): Promise<void> {
    this.assertOpen();
    for (const row of this.untried(eventId)) this.rows.delete(row.seq);
  }

  async claim(
    receiver: string,
    owner: string,
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<OutboxDelivery[]> {
    this.assertOpen();
    const claimed: OutboxDelivery[] = [];
    for (const row of this.rows.values()) {
      if (claimed.length >= limit) break;
      if (row.receiver !== receiver || row.deadAt !== null) continue;
      if (row.availableAt > now || row.leaseUntil > now) continue;
      row.leaseOwner = owner;
      row.leaseUntil = leaseUntil;
      claimed.push(delivery(row));
    }
    return claimed;
  }

  async complete(seq: number): Promise<void> {
    this.assertOpen();
    this.rows.delete(seq);
  }

  async retryLater(seq: number, availableAt: number, error: string): Promise<void> {
    this.assertOpen();
    const row = this.rows.get(seq);
    if (!row) return;
    row.attempts++;
    row.availableAt = availableAt;
    row.leaseUntil = 0;
    row.lastError = error;
  }

  async renew(seqs: readonly number[], owner: string, leaseUntil: number): Promise<void> {
    this.assertOpen();
    for (const seq of seqs) {
      const row = this.rows.get(seq);
      if (row?.leaseOwner === owner && row.leaseUntil > 0) row.leaseUntil = leaseUntil;
    }
  }

  async release(seqs: readonly number[]): Promise<void> {
    this.assertOpen();
    for (const seq of seqs) {
      const row = this.rows.get(seq);
      if (row) row.leaseUntil = 0;
    }
  }

  async buryExpired(
    receiver: string,
    createdBefore: number,
    now: number,
    error: string,
  ): Promise<number> {
    this.assertOpen();
    let buried = 0;
    for (const row of this.rows.values()) {
      if (row.receiver !== receiver || row.deadAt !== null || row.leaseUntil > now) continue;
      if (row.createdAt >= createdBefore) continue;
      row.deadAt = now;
      row.lastError ??= error;
      buried++;
    }
    return buried;
  }

  async deadLetters(limit: number, afterSeq = 0): Promise<DeadLetter[]> {
    this.assertOpen();
    const dead: DeadLetter[] = [];
    for (const row of this.rows.values()) {
      if (dead.length >= limit) break;
      if (row.deadAt !== null && row.seq > afterSeq) {
        dead.push({ ...delivery(row), deadAt: row.deadAt });
      }
    }
    return dead;
  }

  async replay(seq: number, now: number): Promise<boolean> {
    this.assertOpen();
    const row = this.rows.get(seq);
    if (!row || row.deadAt === null) return false;
    Object.assign(row, { deadAt: null, attempts: 0, createdAt: now, availableAt: now });
    row.leaseUntil = 0;
    return true;
  }

  async stats(receivers: readonly string[], now: number): Promise<OutboxStats> {
    this.assertOpen();
    const wanted = new Set(receivers);
    const stats: OutboxStats = { pending: 0, dead: 0, total: this.rows.size, oldestDueAt: null };
    for (const row of this.rows.values()) {
      if (!wanted.has(row.receiver)) continue;
      if (row.deadAt !== null) {
        stats.dead++;
        continue;
      }
      stats.pending++;
      const waiting = row.availableAt <= now || row.attempts > 0;
      if (waiting && (stats.oldestDueAt ?? Infinity) > row.createdAt) {
        stats.oldestDueAt = row.createdAt;
      }
    }
    return stats;
  }

  async purgeDead(before: number, limit: number): Promise<number> {
    this.assertOpen();
    let purged = 0;
    for (const row of [...this.rows.values()]) {
      if (purged >= limit) break;
      if (row.deadAt !== null && row.deadAt < before) {
        this.rows.delete(row.seq);
        purged++;
      }
    }
    return purged;
  }

  private untried(eventId: string): MemoryRow[] {
    // Never claimed, or released unattempted: a row being sent keeps what it was sent with.
    return [...this.rows.values()].filter(
      (r) => r.eventId === eventId && r.attempts === 0 && r.deadAt === null && r.leaseUntil === 0,
    );
  }
}

function delivery(row: MemoryRow): OutboxDelivery {
  const { seq, eventId, receiver, event, doc, payload, createdAt, attempts, lastError } = row;
  return { seq, eventId, receiver, event, doc, payload, createdAt, attempts, lastError };
}
