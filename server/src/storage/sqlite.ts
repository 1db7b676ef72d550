/**
 * The embedded default store: one SQLite database file (better-sqlite3, WAL mode) in the data
 * directory. Writes commit to the WAL with synchronous=NORMAL, so a resolved append survives a
 * process crash (the bytes are in the OS page cache); `sync()` fsyncs the WAL so everything
 * committed so far also survives power loss. That split is what makes group commit possible:
 * many appends, one fsync.
 *
 * Integrity: SQLite has no page checksums, so every snapshot and logged update carries a CRC-32
 * of its bytes. A logged update that fails its checksum is left out and reported
 * (`StoredDocument.damaged`); a snapshot that fails it is replaced by the previous generation
 * (sqlite-generations.ts, which also holds loads and compactions).
 *
 * Seqs come from one AUTOINCREMENT counter for all documents: increasing per document, but not
 * gapless (`gaplessSeqs` stays unset), so a bus receiver cannot tell a gap from another
 * document's seqs and relies on the periodic head check instead (bus/seq-tracker.ts).
 *
 * Big writes (a compaction, a pasted file) have their WAL checkpoint done on a worker thread, not
 * inside the commit on the event loop: sqlite-checkpointer.ts.
 *
 * Document names are only ever SQL values, never file names, so no name can touch the file system.
 */
import { mkdirSync, openSync, closeSync, fsync as fsyncCallback } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32 } from './checksum.js';
import { SqliteAppendBatch } from './sqlite-append-batch.js';
import { SqliteCheckpointer, type CheckpointerStats } from './sqlite-checkpointer.js';
import { createConsoleLogger, type Logger } from '../log.js';
import Database from 'better-sqlite3';
import type {
  CompactionCover,
  DocumentInfo,
  ListOptions,
  LogTail,
  StorageAdapter,
  StoredDocument,
} from './adapter.js';
import { migrateSchema } from './sqlite-schema.js';
import { listDocuments } from './sqlite-list.js';
import { SqliteCatalog } from './sqlite-catalog.js';
import { SqliteLifecycle } from './sqlite-lifecycle.js';
import { SqliteVersions } from './sqlite-versions.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteGenerations } from './sqlite-generations.js';

const fsync = promisify(fsyncCallback);

export const SQLITE_FILE_NAME = 'quire.sqlite';

export interface SqliteStorageOptions {
  /** Directory holding the database file; created if missing. */
  dataDir: string;
  /** Where checkpoint worker problems are logged. Default: warnings and errors to stderr. */
  logger?: Logger;
}

export class SqliteStorage implements StorageAdapter {
  readonly path: string;
  /** Create-once and tombstones, in this database (sqlite-lifecycle.ts). */
  readonly lifecycle: SqliteLifecycle;
  /** Saved versions, in this database's `versions` table (sqlite-versions.ts). */
  readonly versions: SqliteVersions;
  /** Webhook deliveries, in this database's `webhook_outbox` table (sqlite-outbox.ts). */
  readonly outbox: SqliteOutbox;
  /** Titles and rename, in this database (sqlite-catalog.ts). */
  readonly catalog: SqliteCatalog;
  private readonly dataDir: string;
  private readonly db: Database.Database;
  private walFd: number | null = null;
  private dirSynced = false;
  /** Takes big writes' WAL checkpoints off the event loop (sqlite-checkpointer.ts). */
  private readonly checkpointer: SqliteCheckpointer;
  private readonly statements;
  /** Appends of one turn, committed together (sqlite-append-batch.ts). */
  private readonly appends: SqliteAppendBatch;
  /** Snapshot generations: loads, tails and compactions (sqlite-generations.ts). */
  private readonly generations: SqliteGenerations;

  constructor(options: SqliteStorageOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.dataDir = options.dataDir;
    this.path = join(options.dataDir, SQLITE_FILE_NAME);
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    migrateSchema(this.db);
    this.checkpointer = new SqliteCheckpointer(
      this.db,
      this.path,
      options.logger ?? createConsoleLogger('warn'),
    );
    this.lifecycle = new SqliteLifecycle(this.db);
    this.versions = new SqliteVersions(this.db);
    this.outbox = new SqliteOutbox(this.db);
    this.catalog = new SqliteCatalog(this.db);
    this.generations = new SqliteGenerations(this.db);
    this.statements = {
      // Keeps updated_at current, so listing by recency reads one indexed column. The row is
      // small whatever the document's size (snapshots live in their own table).
      touch: this.db.prepare<[string, number]>(
        `INSERT INTO documents (name, updated_at) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at
         WHERE excluded.updated_at <> documents.updated_at`,
      ),
      insert: this.db.prepare<[string, Uint8Array, number, number]>(
        'INSERT INTO updates (doc, data, crc, created_at) VALUES (?, ?, ?, ?)',
      ),
      // The head: the newest seq logged or covered by the snapshot (a compaction keeps the
      // previous generation's log, so the newest row is still there after one).
      heads: this.db.prepare<[string], { name: string; head: number }>(
        `SELECT d.name AS name, MAX(
           COALESCE((SELECT MAX(s.through) FROM snapshots s WHERE s.doc = d.name), 0),
           COALESCE((SELECT MAX(u.seq) FROM updates u WHERE u.doc = d.name), 0)) AS head
         FROM documents d WHERE d.name IN (SELECT value FROM json_each(?))`,
      ),
      deleteDoc: this.db.prepare<[string]>('DELETE FROM documents WHERE name = ?'),
      deleteLog: this.db.prepare<[string]>('DELETE FROM updates WHERE doc = ?'),
      deleteVersions: this.db.prepare<[string]>('DELETE FROM versions WHERE doc = ?'),
    };
    const insertOne = (name: string, update: Uint8Array, now: number): number => {
      this.statements.touch.run(name, now);
      const crc = crc32(update);
      return Number(this.statements.insert.run(name, update, crc, now).lastInsertRowid);
    };
    const writeOne = this.db.transaction(insertOne);
    const writeMany = this.db.transaction(
      (items: readonly { name: string; update: Uint8Array }[], now: number) =>
        items.map((item) => insertOne(item.name, item.update, now)),
    );
    this.appends = new SqliteAppendBatch(
      (name, update, now) =>
        this.checkpointer.write(update.length, () => writeOne(name, update, now)),
      (items, now) =>
        this.checkpointer.write(
          items.reduce((sum, item) => sum + item.update.length, 0),
          () => writeMany(items, now),
        ),
    );
  }

  async load(name: string): Promise<StoredDocument | null> {
    this.appends.flush();
    return this.generations.load(name);
  }

  async readLogAfter(name: string, afterSeq: number): Promise<LogTail | null> {
    this.appends.flush();
    return this.generations.readLogAfter(name, afterSeq);
  }

  async headSeqs(names: readonly string[]): Promise<Map<string, number>> {
    this.appends.flush();
    const rows = this.statements.heads.all(JSON.stringify(names));
    return new Map(rows.map((r) => [r.name, r.head]));
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    return this.appends.add(name, update);
  }

  async compact(name: string, snapshot: Uint8Array, cover: CompactionCover): Promise<boolean> {
    this.appends.flush();
    // What the commit writes: the new snapshot (the generations it drops only free pages).
    return this.checkpointer.write(snapshot.length, () =>
      this.generations.compact(name, snapshot, cover, Date.now()),
    );
  }

  async sync(): Promise<void> {
    this.appends.flush(); // so the fsync covers them too
    // fsync on any descriptor of the WAL file flushes that file's dirty pages: every commit made
    // so far becomes durable. The WAL keeps its inode while this connection is open.
    if (this.walFd === null) this.walFd = openSync(`${this.path}-wal`, 'r');
    await fsync(this.walFd);
    // Once: make the directory entries of the database and its WAL durable too, or a power loss
    // right after the first start could lose the files themselves.
    if (!this.dirSynced) {
      const dirFd = openSync(this.dataDir, 'r');
      try {
        await fsync(dirFd);
      } finally {
        closeSync(dirFd);
      }
      this.dirSynced = true;
    }
  }

  async list(options: ListOptions = {}): Promise<DocumentInfo[]> {
    this.appends.flush();
    return listDocuments(this.db, options);
  }

  async delete(name: string): Promise<void> {
    this.appends.flush();
    this.db.transaction(() => {
      this.statements.deleteLog.run(name);
      this.statements.deleteVersions.run(name);
      this.generations.deleteAll(name);
      this.statements.deleteDoc.run(name);
    })();
  }

  /** The checkpoint worker's figures (tests, diagnostics). */
  checkpointStats(): CheckpointerStats {
    return this.checkpointer.stats();
  }

  async close(): Promise<void> {
    if (this.db.open) this.appends.flush();
    // The worker's connection closes first, so the main connection's close, as the last one,
    // checkpoints the whole WAL into the database file and removes it, as it always did.
    await this.checkpointer.close();
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
    if (this.db.open) this.db.close();
  }
}
