/**
 * The embedded default store: one SQLite database file (better-sqlite3, WAL mode) in the data
 * directory. Writes commit to the WAL with synchronous=NORMAL, so a resolved append survives a
 * process crash (the bytes are in the OS page cache); `sync()` fsyncs the WAL so everything
 * committed so far also survives power loss. That split is what makes group commit possible:
 * many appends, one fsync.
 *
 * Integrity: SQLite has no page checksums, so every snapshot and logged update carries a CRC-32
 * of its bytes. Compaction keeps one previous generation (the old snapshot and the log since it;
 * the snapshots table in sqlite-schema.ts holds one row per generation),
 * so a snapshot that fails its checksum is replaced on load by the previous good one plus the
 * log, which together hold the same document. A logged update that fails its checksum is left
 * out and reported (`StoredDocument.damaged`). Compaction is one transaction: a crash at any
 * instant leaves either the old or the new generation, never a mix.
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
import { crc32, intact } from './checksum.js';
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
import { wholeDocumentTail } from './log-tail.js';

const fsync = promisify(fsyncCallback);

export const SQLITE_FILE_NAME = 'quire.sqlite';

export interface SqliteStorageOptions {
  /** Directory holding the database file; created if missing. */
  dataDir: string;
  /** Where checkpoint worker problems are logged. Default: warnings and errors to stderr. */
  logger?: Logger;
}

/** One generation's snapshot: `data` NULL is the empty document, `crc` NULL predates checksums. */
interface SnapshotRow {
  through: number;
  crc: number | null;
  data: Buffer | null;
}

/** A document that was never compacted: no snapshot, the whole log. */
const NO_SNAPSHOT: SnapshotRow = { through: 0, crc: null, data: null };

interface UpdateRow {
  seq: number;
  data: Buffer;
  crc: number | null;
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
  private readonly compactTx: (
    name: string,
    snapshot: Uint8Array,
    cover: CompactionCover,
    now: number,
  ) => boolean;

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
    this.statements = {
      exists: this.db.prepare<[string], { name: string }>(
        'SELECT name FROM documents WHERE name = ?',
      ),
      current: this.db.prepare<[string], SnapshotRow>(
        'SELECT through, crc, data FROM snapshots WHERE doc = ? ORDER BY through DESC LIMIT 1',
      ),
      // The generation below `through`: the previous one when `through` is the current one's.
      below: this.db.prepare<[string, number], SnapshotRow>(
        `SELECT through, crc, data FROM snapshots WHERE doc = ? AND through < ?
         ORDER BY through DESC LIMIT 1`,
      ),
      log: this.db.prepare<[string, number], UpdateRow>(
        'SELECT seq, data, crc FROM updates WHERE doc = ? AND seq > ? ORDER BY seq',
      ),
      // Keeps updated_at current, so listing by recency reads one indexed column. The row is
      // small whatever the document's size (snapshots live in their own table).
      touch: this.db.prepare<[string, number]>(
        `INSERT INTO documents (name, updated_at) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at
         WHERE excluded.updated_at <> documents.updated_at`,
      ),
      compactedThrough: this.db.prepare<[string], { through: number }>(
        'SELECT COALESCE(MAX(through), 0) AS through FROM snapshots WHERE doc = ?',
      ),
      hasSnapshot: this.db.prepare<[string], { doc: string }>(
        'SELECT doc FROM snapshots WHERE doc = ? LIMIT 1',
      ),
      insert: this.db.prepare<[string, Uint8Array, number, number]>(
        'INSERT INTO updates (doc, data, crc, created_at) VALUES (?, ?, ?, ?)',
      ),
      // A compaction at the current generation's seq (a heal of a damaged snapshot) replaces it.
      putSnapshot: this.db.prepare<[string, number, number, Uint8Array]>(
        `INSERT INTO snapshots (doc, through, crc, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (doc, through) DO UPDATE SET crc = excluded.crc, data = excluded.data`,
      ),
      // A first compaction keeps "no snapshot and the whole log" as its previous generation.
      putEmptyBase: this.db.prepare<[string]>(
        `INSERT INTO snapshots (doc, through, crc, data) VALUES (?, 0, NULL, NULL)
         ON CONFLICT (doc, through) DO NOTHING`,
      ),
      dropOlderSnapshots: this.db.prepare<[string, number]>(
        'DELETE FROM snapshots WHERE doc = ? AND through < ?',
      ),
      // A compaction changes no content, so it leaves updated_at alone ('recent' order).
      create: this.db.prepare<[string, number]>(
        `INSERT INTO documents (name, updated_at) VALUES (?, ?)
         ON CONFLICT (name) DO NOTHING`,
      ),
      dropLogThrough: this.db.prepare<[string, number]>(
        'DELETE FROM updates WHERE doc = ? AND seq <= ?',
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
      deleteSnapshots: this.db.prepare<[string]>('DELETE FROM snapshots WHERE doc = ?'),
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
    // The compare-and-set: another writer's compaction since the caller's read wins, and this
    // one changes nothing (its snapshot may lack what that one dropped from the log).
    this.compactTx = this.db.transaction(
      (name: string, snapshot: Uint8Array, cover: CompactionCover, now: number) => {
        const s = this.statements;
        const current = s.compactedThrough.get(name)?.through ?? 0;
        if (current !== cover.baseSeq) return false;
        // A snapshot never moves the document's seq back (a document with an empty log after
        // its snapshot reads as lastSeq 0).
        const through = Math.max(cover.throughSeq, current);
        s.create.run(name, now);
        if (!s.hasSnapshot.get(name)) s.putEmptyBase.run(name);
        s.putSnapshot.run(name, through, crc32(snapshot), snapshot);
        // Two generations stay: this one and the one below it, with the log after that one.
        const previous = s.below.get(name, through);
        if (previous) {
          s.dropOlderSnapshots.run(name, previous.through);
          s.dropLogThrough.run(name, previous.through);
        }
        return true;
      },
    );
  }

  async load(name: string): Promise<StoredDocument | null> {
    this.appends.flush();
    return this.db.transaction(() => this.loadDocument(name))();
  }

  /** The document and its log (see the top for the fallback), or null if none is stored. Runs
   * inside a read transaction, so another connection's compaction cannot land between reads. */
  private loadDocument(name: string): StoredDocument | null {
    if (!this.statements.exists.get(name)) return null;
    const row = this.statements.current.get(name) ?? NO_SNAPSHOT;
    const current = this.generation(name, row.data, row.through);
    if (intact(row.data, row.crc)) return current;
    // The previous snapshot is read only when it is needed.
    const prev = this.statements.below.get(name, row.through);
    if (!prev || !intact(prev.data, prev.crc)) {
      throw new Error('stored snapshot failed its checksum and no intact previous one exists');
    }
    const previous = this.generation(name, prev.data, prev.through);
    // Whichever generation is returned, a compaction must name the current one.
    previous.compactedThrough = row.through;
    previous.damaged = [...(previous.damaged ?? []), 'snapshot checksum mismatch: previous used'];
    return previous;
  }

  /** One generation: a snapshot and every intact logged update after the seq it covers. */
  private generation(name: string, snapshot: Buffer | null, through: number): StoredDocument {
    const rows = this.statements.log.all(name, through);
    const good = rows.filter((u) => intact(u.data, u.crc));
    const result: StoredDocument = {
      snapshot: snapshot ? new Uint8Array(snapshot) : null,
      updates: good.map((u) => new Uint8Array(u.data)),
      lastSeq: rows.at(-1)?.seq ?? 0,
      compactedThrough: through,
    };
    if (good.length < rows.length) {
      result.damaged = rows
        .filter((u) => !intact(u.data, u.crc))
        .map((u) => `update ${u.seq} checksum mismatch: left out`);
    }
    return result;
  }

  async readLogAfter(name: string, afterSeq: number): Promise<LogTail | null> {
    this.appends.flush();
    // One read transaction: a compaction by another connection cannot land between the reads.
    return this.db.transaction((): LogTail | null => {
      if (!this.statements.exists.get(name)) return null;
      const compactedThrough = this.statements.compactedThrough.get(name)?.through ?? 0;
      if (afterSeq < compactedThrough) {
        // Part of what the reader lacks is in the snapshot only: the whole current generation
        // (with load's fallback to the previous one when the snapshot is damaged).
        const stored = this.loadDocument(name);
        return stored && wholeDocumentTail(stored, afterSeq);
      }
      const rows = this.statements.log.all(name, afterSeq);
      const tail: LogTail = {
        snapshot: null,
        updates: rows.filter((u) => intact(u.data, u.crc)).map((u) => new Uint8Array(u.data)),
        headSeq: Math.max(afterSeq, rows.at(-1)?.seq ?? 0),
      };
      const damaged = rows
        .filter((u) => !intact(u.data, u.crc))
        .map((u) => `update ${u.seq} checksum mismatch: left out`);
      if (damaged.length > 0) tail.damaged = damaged;
      return tail;
    })();
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
      this.compactTx(name, snapshot, cover, Date.now()),
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
      this.statements.deleteSnapshots.run(name);
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
