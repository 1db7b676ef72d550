/**
 * SqliteStorage's titles and rename (catalog.ts), on the store's own connection. A rename is
 * one transaction, and SQLite serializes writers on a file, so it is atomic against another
 * process's rename, create or append: the document rows are the lock.
 */
import type Database from 'better-sqlite3';
import type { DocumentCatalog, RenameResult } from './catalog.js';

export class SqliteCatalog implements DocumentCatalog {
  private readonly renameTx: Database.Transaction<
    (from: string, to: string, at: number) => RenameResult
  >;
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      setTitle: db.prepare<[string | null, string]>(
        'UPDATE documents SET title = ? WHERE name = ?',
      ),
      // A deleted document (a tombstone over content) is not renamed: restore it first.
      movable: db.prepare<[string, string], { name: string }>(
        `SELECT name FROM documents WHERE name = ?
         AND NOT EXISTS (SELECT 1 FROM deleted_documents WHERE name = ?)`,
      ),
      taken: db.prepare<[string], { name: string }>('SELECT name FROM documents WHERE name = ?'),
      moveDoc: db.prepare<[string, string]>('UPDATE documents SET name = ? WHERE name = ?'),
      moveLog: db.prepare<[string, string]>('UPDATE updates SET doc = ? WHERE doc = ?'),
      moveSnapshots: db.prepare<[string, string]>('UPDATE snapshots SET doc = ? WHERE doc = ?'),
      moveVersions: db.prepare<[string, string]>('UPDATE versions SET doc = ? WHERE doc = ?'),
      unmark: db.prepare<[string]>('DELETE FROM deleted_documents WHERE name = ?'),
      mark: db.prepare<[string, number, string]>(
        `INSERT INTO deleted_documents (name, deleted_at, renamed_to) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE
         SET deleted_at = excluded.deleted_at, renamed_to = excluded.renamed_to`,
      ),
      renamedTo: db.prepare<[string], { name: string; renamed_to: string }>(
        `SELECT name, renamed_to FROM deleted_documents
         WHERE renamed_to IS NOT NULL AND name IN (SELECT value FROM json_each(?))`,
      ),
    };
    this.renameTx = db.transaction((from: string, to: string, at: number): RenameResult => {
      const s = this.statements;
      if (!s.movable.get(from, from)) return 'not-found';
      if (s.taken.get(to)) return 'exists';
      s.moveDoc.run(to, from);
      s.moveLog.run(to, from);
      s.moveSnapshots.run(to, from);
      s.moveVersions.run(to, from);
      // A tombstone on `to` without content was left by a rename away from it.
      s.unmark.run(to);
      s.mark.run(from, at, to);
      return 'renamed';
    });
  }

  async setTitle(name: string, title: string | null): Promise<void> {
    this.statements.setTitle.run(title, name);
  }

  async renamedTo(names: readonly string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const rows = this.statements.renamedTo.all(JSON.stringify(names));
    return new Map(rows.map((r) => [r.name, r.renamed_to]));
  }

  async rename(from: string, to: string, at: number): Promise<RenameResult> {
    // IMMEDIATE: the write lock is taken before the first read, so two processes renaming
    // onto one name cannot both see it free.
    return this.renameTx.immediate(from, to, at);
  }
}
