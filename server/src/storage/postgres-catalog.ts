/**
 * PostgresStorage's titles and rename (catalog.ts). A rename is one transaction: the source row
 * is locked first (FOR UPDATE, which an append to it waits for, as it waits for the append), the
 * target row is inserted as a copy (the primary key makes two renames onto one name give one
 * winner), the log and versions are re-pointed, the source row goes, and the tombstone on the
 * old name is written. The log's foreign key has no ON UPDATE CASCADE, so the row is copied
 * rather than updated in place.
 */
import type { PoolClient } from 'pg';
import type { DocumentCatalog, RenameResult } from './catalog.js';
import type { Tables } from './postgres-schema.js';

type WithClient = <T>(fn: (client: PoolClient) => Promise<T>) => Promise<T>;

/** Every column of the documents table but its name: what a rename copies. A column added to
 * the schema must be added here too (the rename acceptance case checks what it copies). */
const DOCUMENT_COLUMNS = [
  'snapshot',
  'snapshot_crc',
  'compacted_through',
  'prev_snapshot',
  'prev_crc',
  'prev_through',
  'last_seq',
  'updated_at',
  'title',
].join(', ');

export class PostgresCatalog implements DocumentCatalog {
  constructor(
    private readonly t: Tables,
    private readonly withClient: WithClient,
  ) {}

  async setTitle(name: string, title: string | null): Promise<void> {
    await this.withClient((c) =>
      c.query(`UPDATE ${this.t.documents} SET title = $1 WHERE name = $2`, [title, name]),
    );
  }

  async renamedTo(names: readonly string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const result = await this.withClient((c) =>
      c.query<{ name: string; renamed_to: string }>(
        `SELECT name, renamed_to FROM ${this.t.deleted}
         WHERE renamed_to IS NOT NULL AND name = ANY($1::text[])`,
        [names],
      ),
    );
    return new Map(result.rows.map((r) => [r.name, r.renamed_to]));
  }

  async rename(from: string, to: string, at: number): Promise<RenameResult> {
    return this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        const result = await this.renameIn(c, from, to, at);
        await c.query(result === 'renamed' ? 'COMMIT' : 'ROLLBACK');
        return result;
      } catch (error) {
        await c.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  private async renameIn(
    c: PoolClient,
    from: string,
    to: string,
    at: number,
  ): Promise<RenameResult> {
    const { t } = this;
    const source = await c.query(
      `SELECT 1 FROM ${t.documents} WHERE name = $1
       AND NOT EXISTS (SELECT 1 FROM ${t.deleted} WHERE name = $1) FOR UPDATE`,
      [from],
    );
    if (source.rowCount !== 1) return 'not-found';
    // A racing rename onto `to` waits here for the first one's commit, then inserts nothing.
    const copied = await c.query(
      `INSERT INTO ${t.documents} (name, ${DOCUMENT_COLUMNS})
       SELECT $2, ${DOCUMENT_COLUMNS} FROM ${t.documents} WHERE name = $1
       ON CONFLICT (name) DO NOTHING`,
      [from, to],
    );
    if (copied.rowCount !== 1) return 'exists';
    await c.query(`UPDATE ${t.updates} SET doc = $2 WHERE doc = $1`, [from, to]);
    await c.query(`UPDATE ${t.versions} SET doc = $2 WHERE doc = $1`, [from, to]);
    await c.query(`DELETE FROM ${t.documents} WHERE name = $1`, [from]);
    // A tombstone on `to` without content was left by a rename away from it.
    await c.query(`DELETE FROM ${t.deleted} WHERE name = $1`, [to]);
    await c.query(
      `INSERT INTO ${t.deleted} (name, deleted_at, renamed_to) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE
       SET deleted_at = EXCLUDED.deleted_at, renamed_to = EXCLUDED.renamed_to`,
      [from, at, to],
    );
    return 'renamed';
  }
}
