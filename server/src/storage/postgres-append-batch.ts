/**
 * Group commit for PostgresStorage: the appends of a short window, across every document of this
 * instance, go to PostgreSQL as ONE statement, so one transaction and one synchronous COMMIT
 * (one WAL flush) instead of one each. Under typing load most windows hold a few updates from a
 * few documents; under bursts the saving is large.
 *
 * Rounds: the first append of a round starts a timer of `windowMs` (0: the rest of this turn of
 * the event loop, what arrived in one read of the sockets); when it fires, the queued
 * appends (up to `maxUpdates` / `maxBytes`) are committed. Up to `maxInFlight` transactions run
 * at once, on separate connections; when all are busy, appends wait and the next round starts as
 * soon as one ends (they have waited at least that long already), so the busier the store, the
 * bigger the batches. A document is in at most one transaction at a time: its later appends wait
 * for the next round, so its seqs follow the order its appends were made in.
 *
 * Seqs stay gapless and commit-ordered (see postgres.ts): the statement bumps each document's
 * `last_seq` by its k updates under the row lock and inserts the k rows below it. Rows are locked
 * in name order, so two instances batching the same documents cannot deadlock; should PostgreSQL
 * still report a deadlock or a serialization failure, the batch is retried once, then its
 * appends fail. Every append resolves with its own seq after COMMIT, or rejects with the batch.
 */
import type { QueryConfig } from 'pg';

export interface AppendBatchOptions {
  /** Longest an append waits for others to share its transaction, in ms. Every update is relayed
   * only after its COMMIT, so this adds to edit latency. 0 (the default) waits for nothing but
   * the rest of the current turn of the event loop: batches then form from what arrives together
   * and while transactions are in flight, which grows with the load. Default 0. */
  windowMs?: number;
  /** Most updates in one transaction. Default 256. */
  maxUpdates?: number;
  /** Most update bytes in one transaction; a larger single update commits alone. Default 4 MiB. */
  maxBytes?: number;
  /** Most transactions in flight at once (each holds a pooled connection). Default 4. */
  maxInFlight?: number;
}

export const DEFAULT_APPEND_WINDOW_MS = 0;
export const DEFAULT_APPEND_MAX_UPDATES = 256;
export const DEFAULT_APPEND_MAX_BYTES = 4 * 1024 * 1024;
/** Below the pool's 10 connections: loads and compactions keep some. */
export const DEFAULT_APPEND_MAX_IN_FLIGHT = 4;

/** One update to append. */
export interface AppendRow {
  name: string;
  data: Buffer;
  crc: number;
}

/** A webhook outbox row (postgres-outbox.ts) written in the same transaction as an append: the
 * event commits with the change it reports, or neither does. */
export interface OutboxRowInsert {
  eventId: string;
  receiver: string;
  event: string;
  doc: string;
  payload: string;
  createdAt: number;
  availableAt: number;
}

interface Companion {
  rows: OutboxRowInsert[];
  resolve(): void;
  reject(error: unknown): void;
}

export interface AppendBatchStats {
  /** Transactions committed. */
  commits: number;
  /** Appends those transactions carried. */
  appends: number;
  /** Batches retried after a deadlock or serialization failure. */
  retries: number;
  /** Batches whose appends were rejected. */
  failedBatches: number;
}

/** Hears each transaction (for metrics): how long it took, how many appends it carried, and
 * whether it committed. */
export type CommitObserver = (seconds: number, appends: number, committed: boolean) => void;

interface Pending extends AppendRow {
  resolve(seq: number): void;
  reject(error: unknown): void;
  /** Outbox rows that ride in this append's transaction (attach). */
  companions?: Companion[];
}

/** A query with its own answer timeout (pg supports `query_timeout` per query; its types only
 * declare it for the whole client). */
export type TimedQuery = QueryConfig & { query_timeout: number };

/** SQLSTATEs after which the same batch may well succeed at once. */
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export class AppendBatcher {
  private readonly windowMs: number;
  private readonly maxUpdates: number;
  private readonly maxBytes: number;
  private readonly maxInFlight: number;
  private queue: Pending[] = [];
  private timer: { cancel(): void } | null = null;
  private readonly running = new Set<Promise<void>>();
  /** Documents with appends in a transaction in flight. */
  private readonly busy = new Set<string>();
  private readonly counts: AppendBatchStats = {
    commits: 0,
    appends: 0,
    retries: 0,
    failedBatches: 0,
  };
  private observer: CommitObserver | null = null;

  /** `commit` writes the rows (and the outbox rows) in one transaction and returns each row's
   * seq, in row order. */
  constructor(
    private readonly commit: (rows: AppendRow[], outbox: OutboxRowInsert[]) => Promise<number[]>,
    options: AppendBatchOptions = {},
  ) {
    this.windowMs = options.windowMs ?? DEFAULT_APPEND_WINDOW_MS;
    this.maxUpdates = options.maxUpdates ?? DEFAULT_APPEND_MAX_UPDATES;
    this.maxBytes = options.maxBytes ?? DEFAULT_APPEND_MAX_BYTES;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_APPEND_MAX_IN_FLIGHT);
  }

  append(row: AppendRow): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ ...row, resolve, reject });
      this.schedule();
    });
  }

  /** Writes `rows` in the transaction of `doc`'s latest append still queued (not yet sent), so
   * they commit together or not at all; null when no append of `doc` is queued. Resolves after
   * that COMMIT; rejects when the append fails. */
  attach(doc: string, rows: OutboxRowInsert[]): Promise<void> | null {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const pending = this.queue[i]!;
      if (pending.name !== doc) continue;
      return new Promise<void>((resolve, reject) => {
        (pending.companions ??= []).push({ rows, resolve, reject });
      });
    }
    return null;
  }

  stats(): AppendBatchStats {
    return { ...this.counts };
  }

  /** `observer` hears every transaction from now on (null: none). */
  observe(observer: CommitObserver | null): void {
    this.observer = observer;
  }

  /** Commits everything queued so far (close, tests). Never rejects. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.running.size > 0) await Promise.all(this.running);
      else if (this.queue.length > 0) this.startRound();
      else return;
    }
  }

  private schedule(): void {
    if (this.running.size >= this.maxInFlight || this.queue.length === 0) return;
    if (this.queue.length >= this.maxUpdates) {
      this.startRound();
      return;
    }
    this.timer ??= later(this.windowMs, () => this.startRound());
  }

  private startRound(): void {
    this.timer?.cancel();
    this.timer = null;
    const batch = this.take();
    // Everything queued belongs to documents already in flight: their end starts the next.
    if (batch.length === 0) return;
    for (const p of batch) this.busy.add(p.name);
    const round: Promise<void> = this.commitBatch(batch).finally(() => {
      this.running.delete(round);
      for (const p of batch) this.busy.delete(p.name);
      // The appends queued during the commit have waited long enough: no new window.
      if (this.queue.length > 0 && this.running.size < this.maxInFlight) this.startRound();
    });
    this.running.add(round);
    // What this batch left (over its limits, or of documents in flight) gets its own round.
    this.schedule();
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    let seqs: number[];
    try {
      seqs = await this.timedCommit(batch);
    } catch (error) {
      if (!RETRYABLE.has(sqlState(error))) return this.fail(batch, error);
      this.counts.retries++;
      try {
        seqs = await this.timedCommit(batch);
      } catch (again) {
        return this.fail(batch, again);
      }
    }
    this.counts.commits++;
    this.counts.appends += batch.length;
    batch.forEach((p, i) => p.resolve(seqs[i]!));
    for (const p of batch) for (const c of p.companions ?? []) c.resolve();
  }

  private async timedCommit(batch: Pending[]): Promise<number[]> {
    const started = performance.now();
    let committed = false;
    try {
      const outbox = batch.flatMap((p) => (p.companions ?? []).flatMap((c) => c.rows));
      const seqs = await this.commit(batch, outbox);
      committed = true;
      return seqs;
    } finally {
      this.observer?.((performance.now() - started) / 1000, batch.length, committed);
    }
  }

  private fail(batch: Pending[], error: unknown): void {
    this.counts.failedBatches++;
    for (const p of batch) {
      p.reject(error);
      for (const c of p.companions ?? []) c.reject(error);
    }
  }

  /** The oldest queued appends within the limits, leaving those of documents in flight (and
   * every later append of a document one of whose appends is left) for a later round. */
  private take(): Pending[] {
    const taken: Pending[] = [];
    const left: Pending[] = [];
    const waiting = new Set(this.busy);
    let bytes = 0;
    for (const p of this.queue) {
      const full =
        taken.length >= this.maxUpdates ||
        (taken.length > 0 && bytes + p.data.length > this.maxBytes);
      if (full || waiting.has(p.name)) {
        left.push(p);
        waiting.add(p.name);
        continue;
      }
      taken.push(p);
      bytes += p.data.length;
    }
    this.queue = left;
    return taken;
  }
}

/** Runs `fn` after `ms`, or for 0 once the current turn of the event loop is over. */
function later(ms: number, fn: () => void): { cancel(): void } {
  if (ms <= 0) {
    const immediate = setImmediate(fn);
    return { cancel: () => clearImmediate(immediate) };
  }
  const timer = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(timer) };
}

function sqlState(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}
