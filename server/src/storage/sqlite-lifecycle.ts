/**
 * SqliteStorage's create-once and tombstones (lifecycle.ts), on the store's own connection and
 * database file. Each method is one transaction, and SQLite serializes writers on a file, so a
 * create races safely with another process's create or append: the document row is the lock.
 */
import type Database from 'better-sqlite3';
import { crc32 } from './checksum.js';
import type { DocumentLifecycle } from './lifecycle.js';

export class SqliteLifecycle implements DocumentLifecycle {
  private readonly createTx: (name: string, update: Uint8Array, now: number) => boolean;
  private readonly purgeTx: (before: number, limit: number) => string[];
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      // Every append creates the document row first (sqlite.ts), so "no row" is "nothing stored".
      claim: db.prepare<[string, number]>(
        `INSERT INTO documents (name, updated_at) VALUES (?, ?)
         ON CONFLICT (name) DO NOTHING`,
      ),
      insert: db.prepare<[string, Uint8Array, number, number]>(
        'INSERT INTO updates (doc, data, crc, created_at) VALUES (?, ?, ?, ?)',
      ),
      mark: db.prepare<[string, number, string]>(
        `INSERT INTO deleted_documents (name, deleted_at)
         SELECT ?, ? WHERE EXISTS (SELECT 1 FROM documents WHERE name = ?)
         ON CONFLICT (name) DO NOTHING`,
      ),
      unmark: db.prepare<[string]>('DELETE FROM deleted_documents WHERE name = ?'),
      deletedAt: db.prepare<[string], { name: string; deleted_at: number }>(
        `SELECT name, deleted_at FROM deleted_documents
         WHERE name IN (SELECT value FROM json_each(?))`,
      ),
      expired: db.prepare<[number, number], { name: string }>(
        'SELECT name FROM deleted_documents WHERE deleted_at < ? ORDER BY deleted_at LIMIT ?',
      ),
      dropLog: db.prepare<[string]>('DELETE FROM updates WHERE doc = ?'),
      dropSnapshots: db.prepare<[string]>('DELETE FROM snapshots WHERE doc = ?'),
      dropDoc: db.prepare<[string]>('DELETE FROM documents WHERE name = ?'),
    };
    this.createTx = db.transaction((name: string, update: Uint8Array, now: number) => {
      if (this.statements.claim.run(name, now).changes === 0) return false;
      this.statements.insert.run(name, update, crc32(update), now);
      return true;
    });
    this.purgeTx = db.transaction((before: number, limit: number) => {
      const names = this.statements.expired.all(before, limit).map((r) => r.name);
      for (const name of names) {
        this.statements.dropLog.run(name);
        this.statements.dropSnapshots.run(name);
        this.statements.dropDoc.run(name);
        this.statements.unmark.run(name);
      }
      return names;
    });
  }

  async create(name: string, initialUpdate: Uint8Array): Promise<boolean> {
    return this.createTx(name, initialUpdate, Date.now());
  }

  async markDeleted(name: string, at: number): Promise<boolean> {
    return this.statements.mark.run(name, at, name).changes > 0;
  }

  async unmarkDeleted(name: string): Promise<boolean> {
    return this.statements.unmark.run(name).changes > 0;
  }

  async deletedAt(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const rows = this.statements.deletedAt.all(JSON.stringify(names));
    return new Map(rows.map((r) => [r.name, r.deleted_at]));
  }

  async purgeDeleted(before: number, limit: number): Promise<string[]> {
    return this.purgeTx(before, limit);
  }
}
