/**
 * The embedded default store: one SQLite database file (better-sqlite3, WAL mode) in the data
 * directory. Writes commit to the WAL with synchronous=NORMAL, so a resolved append survives a
 * process crash (the bytes are in the OS page cache); `sync()` fsyncs the WAL so everything
 * committed so far also survives power loss. That split is what makes group commit possible:
 * many appends, one fsync.
 *
 * Document names are only ever SQL values, never file names, so no name can touch the file system.
 */
import { mkdirSync, openSync, closeSync, fsync as fsyncCallback } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { DocumentInfo, StorageAdapter, StoredDocument } from './adapter.js';

const fsync = promisify(fsyncCallback);

export const SQLITE_FILE_NAME = 'quire.sqlite';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY,
    snapshot BLOB,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS updates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS updates_by_doc ON updates (doc, seq);
`;

export interface SqliteStorageOptions {
  /** Directory holding the database file; created if missing. */
  dataDir: string;
}

export class SqliteStorage implements StorageAdapter {
  readonly path: string;
  private readonly db: Database.Database;
  private walFd: number | null = null;
  private readonly statements;
  private readonly appendTx: (name: string, update: Uint8Array, now: number) => number;
  private readonly compactTx: (
    name: string,
    snapshot: Uint8Array,
    through: number,
    now: number,
  ) => void;

  constructor(options: SqliteStorageOptions) {
    mkdirSync(options.dataDir, { recursive: true });
    this.path = join(options.dataDir, SQLITE_FILE_NAME);
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.statements = {
      snapshot: this.db.prepare<[string], { snapshot: Buffer | null }>(
        'SELECT snapshot FROM documents WHERE name = ?',
      ),
      log: this.db.prepare<[string], { seq: number; data: Buffer }>(
        'SELECT seq, data FROM updates WHERE doc = ? ORDER BY seq',
      ),
      touch: this.db.prepare<[string, number]>(
        'INSERT INTO documents (name, snapshot, updated_at) VALUES (?, NULL, ?) ON CONFLICT (name) DO NOTHING',
      ),
      insert: this.db.prepare<[string, Uint8Array, number]>(
        'INSERT INTO updates (doc, data, created_at) VALUES (?, ?, ?)',
      ),
      setSnapshot: this.db.prepare<[Uint8Array, number, string]>(
        'UPDATE documents SET snapshot = ?, updated_at = ? WHERE name = ?',
      ),
      dropLog: this.db.prepare<[string, number]>('DELETE FROM updates WHERE doc = ? AND seq <= ?'),
      list: this.db.prepare<[], { name: string; updatedAt: number; size: number }>(`
        SELECT d.name AS name,
               MAX(d.updated_at, COALESCE(MAX(u.created_at), 0)) AS updatedAt,
               COALESCE(LENGTH(d.snapshot), 0) + COALESCE(SUM(LENGTH(u.data)), 0) AS size
        FROM documents d LEFT JOIN updates u ON u.doc = d.name
        GROUP BY d.name`),
      deleteDoc: this.db.prepare<[string]>('DELETE FROM documents WHERE name = ?'),
      deleteLog: this.db.prepare<[string]>('DELETE FROM updates WHERE doc = ?'),
    };
    this.appendTx = this.db.transaction((name: string, update: Uint8Array, now: number) => {
      this.statements.touch.run(name, now);
      return Number(this.statements.insert.run(name, update, now).lastInsertRowid);
    });
    this.compactTx = this.db.transaction(
      (name: string, snapshot: Uint8Array, throughSeq: number, now: number) => {
        this.statements.touch.run(name, now);
        this.statements.setSnapshot.run(snapshot, now, name);
        this.statements.dropLog.run(name, throughSeq);
      },
    );
  }

  async load(name: string): Promise<StoredDocument | null> {
    const row = this.statements.snapshot.get(name);
    if (!row) return null;
    const log = this.statements.log.all(name);
    return {
      snapshot: row.snapshot ? new Uint8Array(row.snapshot) : null,
      updates: log.map((u) => new Uint8Array(u.data)),
      lastSeq: log.at(-1)?.seq ?? 0,
    };
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    return this.appendTx(name, update, Date.now());
  }

  async compact(name: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.compactTx(name, snapshot, throughSeq, Date.now());
  }

  async sync(): Promise<void> {
    // fsync on any descriptor of the WAL file flushes that file's dirty pages: every commit made
    // so far becomes durable. The WAL keeps its inode while this connection is open.
    if (this.walFd === null) this.walFd = openSync(`${this.path}-wal`, 'r');
    await fsync(this.walFd);
  }

  async list(): Promise<DocumentInfo[]> {
    return this.statements.list.all();
  }

  async delete(name: string): Promise<void> {
    this.db.transaction(() => {
      this.statements.deleteLog.run(name);
      this.statements.deleteDoc.run(name);
    })();
  }

  async close(): Promise<void> {
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
    if (this.db.open) this.db.close();
  }
}
