/**
 * The shared store for running several instances: PostgreSQL is both the log and the ordering
 * authority. Each document has one row (its snapshot, what the snapshot covers, the newest seq)
 * and an append log keyed by (document, seq).
 *
 * Sequence numbers are per document, gapless, and assigned in the committing transaction: an
 * append increments the document row's `last_seq` and inserts the update in one statement, so
 * the row lock it takes serializes the appends of one document and is held until COMMIT. Seq n+1
 * therefore cannot commit before seq n, and a reader that sees seq n sees every earlier one.
 *
 * Durability: `append` resolves after COMMIT, and with synchronous commit (which every session
 * of this store turns on if the server has it off) PostgreSQL has flushed its WAL by then. So
 * `sync()` has nothing left to do and resolves at once.
 *
 * Integrity: every snapshot and logged update carries a CRC-32 of its bytes, as in the SQLite
 * store, and compaction keeps one previous generation (the old snapshot and the log since it). A
 * snapshot that fails its checksum is replaced on load by the previous generation plus the log;
 * without an intact previous one, load throws. A damaged logged update is left out. Both are
 * reported in `StoredDocument.damaged`.
 */
import { crc32 } from './checksum.js';
import type { PoolClient } from 'pg';
import type {
  CompactionCover,
  DocumentInfo,
  ListOptions,
  LogTail,
  StorageAdapter,
  StoredDocument,
} from './adapter.js';
import { readHead, readHeads, readLogRows } from './postgres-catch-up.js';
import { createSchema, tablesIn, type Tables } from './postgres-schema.js';
import { loadDocument } from './postgres-load.js';
import { compactDocument } from './postgres-compact.js';
import { wholeDocumentTail } from './log-tail.js';
import { listDocuments } from './postgres-list.js';
import { PostgresCatalog } from './postgres-catalog.js';
import { PostgresLifecycle } from './postgres-lifecycle.js';
import { ConnectionPool, type PostgresPoolOptions } from './postgres-pool.js';
import { commitAppendBatch } from './postgres-append-sql.js';
import {
  AppendBatcher,
  type AppendBatchOptions,
  type AppendBatchStats,
  type CommitObserver,
  type OutboxRowInsert,
  type TimedQuery,
} from './postgres-append-batch.js';
import { DEFAULT_CHECK_INTERVAL_MS, PostgresHealth, withDeadline } from './postgres-health.js';
import { PostgresVersions } from './postgres-versions.js';
import { PostgresOutbox } from './postgres-outbox.js';

export interface PostgresStorageOptions {
  /** Where the database is, e.g. `postgres://user:password@host:5432/quire` (pg's connection
   * string syntax; PGHOST, PGUSER, … fill in what it leaves out). Required. */
  connectionString: string;
  /** The PostgreSQL schema holding the `quire_` tables; created if missing. Default `public`. */
  schema?: string;
  /** Connection pool settings: `max` connections (default 10), `connectionTimeoutMs` to open
   * one (default 10 000), `queryTimeoutMs` for any query's answer (default 30 000). */
  pool?: PostgresPoolOptions;
  /** Group commit of appends (postgres-append-batch.ts): `windowMs` an append waits for others
   * to share its transaction (default 0: the rest of the event loop's turn), at most
   * `maxUpdates` (default 256) and `maxBytes` (default 4 MiB) per transaction, at most
   * `maxInFlight` transactions at once (default 4). */
  appendBatch?: AppendBatchOptions;
  /** An append transaction or a reachability probe PostgreSQL has not answered within this many
   * ms counts as PostgreSQL unreachable: from then on every call fails at once until a probe
   * succeeds (postgres-health.ts). It bounds how long one outage holds up local editing. A
   * commit that merely took longer costs a repair of the documents involved. Default 3 000. */
  unreachableAfterMs?: number;
  /** While PostgreSQL is reachable and the store idle, how often a `SELECT 1` checks that it
   * still is (so readiness notices an outage when no one writes); 0 turns it off.
   * Default 5 000. */
  checkIntervalMs?: number;
}

/** Default of `unreachableAfterMs`. */
export const DEFAULT_UNREACHABLE_AFTER_MS = 3_000;

export class PostgresStorage implements StorageAdapter {
  /** The server this store talks to, as `host:port/database` (never the password). */
  readonly server: string;
  /** Seqs are per document and gapless (see the top). */
  readonly gaplessSeqs = true;
  /** Create-once and tombstones, in `quire_deleted_documents` (postgres-lifecycle.ts). */
  readonly lifecycle: PostgresLifecycle;
  /** Saved versions, in the `quire_versions` table (postgres-versions.ts). */
  readonly versions: PostgresVersions;
  /** Webhook deliveries, in `quire_webhook_outbox` (postgres-outbox.ts). */
  readonly outbox: PostgresOutbox;
  /** Titles and rename (postgres-catalog.ts). */
  readonly catalog: PostgresCatalog;
  private readonly pool: ConnectionPool;
  private readonly tables: Tables;
  private readonly batcher: AppendBatcher;
  private readonly health: PostgresHealth;
  private readonly unreachableAfterMs: number;
  private readying: Promise<void> | null = null;
  private closed = false;

  constructor(options: PostgresStorageOptions) {
    this.tables = tablesIn(options.schema ?? 'public');
    this.pool = new ConnectionPool(options.connectionString, options.pool);
    this.server = this.pool.server;
    this.lifecycle = new PostgresLifecycle(this.tables, (fn) => this.withClient(fn));
    this.catalog = new PostgresCatalog(this.tables, (fn) => this.withClient(fn));
    this.unreachableAfterMs = options.unreachableAfterMs ?? DEFAULT_UNREACHABLE_AFTER_MS;
    this.health = new PostgresHealth(
      this.server,
      () => this.probe(),
      options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
    );
    this.batcher = new AppendBatcher(
      (rows, outbox) => this.commitBatch(rows, outbox),
      options.appendBatch,
    );
    this.versions = new PostgresVersions(this.tables, (fn) => this.withClient(fn));
    // An event's row joins the transaction of its document's queued append (see add()).
    this.outbox = new PostgresOutbox(
      this.tables,
      (fn) => this.withClient(fn),
      (doc, rows) => this.batcher.attach(doc, rows),
    );
  }

  /** Connects and creates the schema if missing. Every other method waits for it; call it at
   * startup to fail early. Rejects with a message naming the server when it cannot be reached;
   * a later call tries again. */
  ready(): Promise<void> {
    this.readying ??= this.health
      .observe(this.pool.run((client) => createSchema(client, this.tables)))
      .then(
        () => this.health.start(),
        (error: unknown) => {
          this.readying = null;
          throw error;
        },
      );
    return this.readying;
  }

  /** Why PostgreSQL counts as unreachable now, or null (for readiness; see postgres-health.ts). */
  unavailableReason(): string | null {
    return this.health.unreachableReason;
  }

  /** `listener` hears each change: the reason when PostgreSQL becomes unreachable, null when it
   * answers again. Returns the remover. */
  onAvailabilityChange(listener: (reason: string | null) => void): () => void {
    return this.health.onChange(listener);
  }

  /** Commits and appends so far (group commit). */
  appendStats(): AppendBatchStats {
    return this.batcher.stats();
  }

  /** `observer` hears each append transaction (time, appends, committed): for metrics. */
  observeCommits(observer: CommitObserver | null): void {
    this.batcher.observe(observer);
  }

  async load(name: string): Promise<StoredDocument | null> {
    return this.transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', (client) =>
      loadDocument(client, this.tables, name),
    );
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    if (this.closed) throw new Error('storage is closed');
    // Copied now: the caller may reuse its buffer as soon as this returns.
    const data = Buffer.from(update);
    const crc = crc32(data);
    this.health.check();
    // Group commit (postgres-append-batch.ts): one transaction for the appends of a window.
    // Queued at once, so close() drains it.
    return this.batcher.append({ name, data, crc });
  }

  /** One batch of appends as one statement. The whole call (connection included) is bounded by
   * `unreachableAfterMs`: a stalled link would otherwise hold every queued append. Its result
   * then no longer counts, even if PostgreSQL commits it later; the caller repairs (the same
   * content again, which a Yjs document absorbs). */
  private async commitBatch(
    rows: Parameters<typeof commitAppendBatch>[2],
    outbox: OutboxRowInsert[],
  ): Promise<number[]> {
    this.health.check();
    await this.ready();
    const ms = this.unreachableAfterMs;
    const work = this.pool.run((client) =>
      commitAppendBatch(client, this.tables, rows, ms, outbox),
    );
    return this.health.observe(withDeadline(work, ms, this.server));
  }

  /** A trivial query through the pool, bounded like a batch: the breaker's probe. */
  private probe(): Promise<void> {
    const ms = this.unreachableAfterMs;
    const work = this.pool.run(async (client) => {
      const query: TimedQuery = { text: 'SELECT 1', query_timeout: ms };
      await client.query(query);
    });
    return withDeadline(work, ms, this.server);
  }

  async compact(name: string, snapshot: Uint8Array, cover: CompactionCover): Promise<boolean> {
    const data = Buffer.from(snapshot);
    const crc = crc32(data);
    return this.transaction('BEGIN', (client) =>
      compactDocument(client, this.tables, name, data, crc, cover),
    );
  }

  async readLogAfter(name: string, afterSeq: number): Promise<LogTail | null> {
    const read = await this.transaction(
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      async (client) => {
        const head = await readHead(client, this.tables, name);
        if (!head) return null;
        // Compacted past afterSeq: the whole current generation, read below as load reads it.
        if (afterSeq < head.compacted_through) return 'compacted' as const;
        return readLogRows(client, this.tables, name, afterSeq, head.last_seq);
      },
    );
    if (read !== 'compacted') return read;
    const stored = await this.load(name);
    return stored ? wholeDocumentTail(stored, afterSeq) : null;
  }

  async headSeqs(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    return this.withClient((client) => readHeads(client, this.tables, names));
  }

  async sync(): Promise<void> {
    // Nothing to flush: every append resolved after a synchronous COMMIT (see the top).
    if (this.closed) throw new Error('storage is closed');
  }

  async list(options: ListOptions = {}): Promise<DocumentInfo[]> {
    return this.withClient((client) => listDocuments(client, this.tables, options));
  }

  async delete(name: string): Promise<void> {
    // The log goes with the row (ON DELETE CASCADE), the versions by the CTE: one statement.
    await this.withClient((client) =>
      client.query(
        `WITH versions AS (DELETE FROM ${this.tables.versions} WHERE doc = $1)
         DELETE FROM ${this.tables.documents} WHERE name = $1`,
        [name],
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.health.stop();
    // Appends already accepted still commit (or fail) before the pool goes.
    await this.batcher.drain();
    await this.pool.end();
  }

  /** Runs `fn` in a transaction opened with `begin`; a `false` or `null` result, or a throw,
   * rolls it back (a throw by discarding the connection). A refused compaction so leaves no
   * trace, not even the row it created. */
  private transaction<T>(begin: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query(begin);
      const result = await fn(client);
      await client.query(result === false || result === null ? 'ROLLBACK' : 'COMMIT');
      return result;
    });
  }

  /** Runs `fn` on a pooled connection once the schema is ready. */
  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('storage is closed');
    this.health.check();
    await this.ready();
    return this.health.observe(this.pool.run(fn));
  }
}
