/**
 * SqliteStorage's versions: the `versions` table of the same database file (sqlite-schema.ts),
 * so a version is written, synced (the store's group-commit fsync) and backed up with the
 * documents it belongs to. Statements run synchronously on the store's connection, like the
 * document statements. The state column holds zlib-compressed bytes, whose own checksum (Adler-32)
 * catches damage when a version is decoded.
 */
import type Database from 'better-sqlite3';
import {
  versionInfo,
  type NewVersion,
  type StoredVersion,
  type VersionInfo,
  type VersionListOptions,
  type VersionStore,
} from '../history/version-store.js';
import { VERSION_INFO_COLUMNS, type VersionInfoRow, type VersionRow } from './version-rows.js';

/** SQLite's -1 LIMIT means "no limit". */
const ALL = -1;

export class SqliteVersions implements VersionStore {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare<[string, number, string, string | null, string, Uint8Array, string]>(
        `INSERT INTO versions (doc, created_at, kind, label, authors, state, state_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      list: db.prepare<[string, number], VersionInfoRow>(
        `SELECT ${VERSION_INFO_COLUMNS} FROM versions WHERE doc = ?
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      ),
      listBefore: db.prepare<[string, number, string, number], VersionInfoRow>(
        `SELECT ${VERSION_INFO_COLUMNS} FROM versions WHERE doc = ?
           AND (created_at, id) < (SELECT created_at, id FROM versions WHERE id = ? AND doc = ?)
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      ),
      get: db.prepare<[string, number], VersionRow>(
        `SELECT ${VERSION_INFO_COLUMNS}, state, state_hash FROM versions WHERE doc = ? AND id = ?`,
      ),
      latest: db.prepare<[string], { id: number; state_hash: string }>(
        `SELECT id, state_hash FROM versions WHERE doc = ?
         ORDER BY created_at DESC, id DESC LIMIT 1`,
      ),
      remove: db.prepare<[string, number]>('DELETE FROM versions WHERE doc = ? AND id = ?'),
      documents: db.prepare<[string, number], { doc: string }>(
        'SELECT DISTINCT doc FROM versions WHERE doc > ? ORDER BY doc LIMIT ?',
      ),
    };
    this.removeTx = db.transaction((doc: string, ids: readonly number[]) => {
      let removed = 0;
      for (const id of ids) removed += this.statements.remove.run(doc, id).changes;
      return removed;
    });
  }

  private readonly removeTx: (doc: string, ids: readonly number[]) => number;

  async add(v: NewVersion): Promise<number> {
    const result = this.statements.insert.run(
      v.doc,
      v.createdAt,
      v.kind,
      v.label ?? null,
      JSON.stringify(v.authors),
      v.state,
      v.stateHash,
    );
    return Number(result.lastInsertRowid);
  }

  async list(doc: string, options: VersionListOptions = {}): Promise<VersionInfo[]> {
    const limit = options.limit ?? ALL;
    const rows =
      options.before === undefined
        ? this.statements.list.all(doc, limit)
        : this.statements.listBefore.all(doc, options.before, doc, limit);
    return rows.map(versionInfo);
  }

  async get(doc: string, id: number): Promise<StoredVersion | null> {
    const row = this.statements.get.get(doc, id);
    if (!row) return null;
    return {
      ...versionInfo(row),
      doc,
      state: new Uint8Array(row.state),
      stateHash: row.state_hash,
    };
  }

  async latest(doc: string): Promise<{ id: number; stateHash: string } | null> {
    const row = this.statements.latest.get(doc);
    return row ? { id: row.id, stateHash: row.state_hash } : null;
  }

  async remove(doc: string, ids: readonly number[]): Promise<number> {
    return this.removeTx(doc, ids);
  }

  async documents(options: { after?: string; limit: number }): Promise<string[]> {
    // '' sorts before every name (names are never empty).
    return this.statements.documents.all(options.after ?? '', options.limit).map((r) => r.doc);
  }
}
