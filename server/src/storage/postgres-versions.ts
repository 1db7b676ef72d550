/**
 * PostgresStorage's versions: the `quire_versions` table beside the documents
 * (postgres-schema.ts), so every instance sees every version. Ids come from the table's
 * identity sequence: unique across instances and increasing in insert order. The state column
 * holds zlib-compressed bytes, whose own checksum (Adler-32) catches damage when a version is
 * decoded. Each method is one statement, so one transaction.
 */
import type { PoolClient, QueryResultRow } from 'pg';
import {
  versionInfo,
  type NewVersion,
  type StoredVersion,
  type VersionInfo,
  type VersionListOptions,
  type VersionStore,
} from '../history/version-store.js';
import type { Tables } from './postgres-schema.js';
import { VERSION_INFO_COLUMNS, type VersionInfoRow, type VersionRow } from './version-rows.js';

/** How the versions reach a connection: PostgresStorage's pool, after its schema is ready. */
export type WithClient = <T>(fn: (client: PoolClient) => Promise<T>) => Promise<T>;

export class PostgresVersions implements VersionStore {
  constructor(
    private readonly tables: Tables,
    private readonly withClient: WithClient,
  ) {}

  async add(v: NewVersion): Promise<number> {
    const rows = await this.query<{ id: number }>(
      `INSERT INTO ${this.tables.versions} (doc, created_at, kind, label, authors, state, state_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [
        v.doc,
        v.createdAt,
        v.kind,
        v.label ?? null,
        JSON.stringify(v.authors),
        Buffer.from(v.state),
        v.stateHash,
      ],
    );
    return rows[0]!.id;
  }

  async list(doc: string, options: VersionListOptions = {}): Promise<VersionInfo[]> {
    const t = this.tables.versions;
    // LIMIT NULL means no limit.
    const limit = options.limit ?? null;
    const rows =
      options.before === undefined
        ? await this.query<VersionInfoRow>(
            `SELECT ${VERSION_INFO_COLUMNS} FROM ${t} WHERE doc = $1
             ORDER BY created_at DESC, id DESC LIMIT $2`,
            [doc, limit],
          )
        : await this.query<VersionInfoRow>(
            `SELECT ${VERSION_INFO_COLUMNS} FROM ${t} WHERE doc = $1
               AND (created_at, id) < (SELECT created_at, id FROM ${t} WHERE id = $2 AND doc = $1)
             ORDER BY created_at DESC, id DESC LIMIT $3`,
            [doc, options.before, limit],
          );
    return rows.map(versionInfo);
  }

  async get(doc: string, id: number): Promise<StoredVersion | null> {
    const rows = await this.query<VersionRow>(
      `SELECT ${VERSION_INFO_COLUMNS}, state, state_hash FROM ${this.tables.versions} WHERE doc = $1 AND id = $2`,
      [doc, id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      ...versionInfo(row),
      doc,
      state: new Uint8Array(row.state),
      stateHash: row.state_hash,
    };
  }

  async latest(doc: string): Promise<{ id: number; stateHash: string } | null> {
    const rows = await this.query<{ id: number; state_hash: string }>(
      `SELECT id, state_hash FROM ${this.tables.versions} WHERE doc = $1
       ORDER BY created_at DESC, id DESC LIMIT 1`,
      [doc],
    );
    const row = rows[0];
    return row ? { id: row.id, stateHash: row.state_hash } : null;
  }

  async remove(doc: string, ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = await this.query<{ id: number }>(
      `DELETE FROM ${this.tables.versions} WHERE doc = $1 AND id = ANY($2::bigint[]) RETURNING id`,
      [doc, [...ids]],
    );
    return rows.length;
  }

  async documents(options: { after?: string; limit: number }): Promise<string[]> {
    const rows = await this.query<{ doc: string }>(
      `SELECT DISTINCT doc FROM ${this.tables.versions} WHERE doc > $1 ORDER BY doc LIMIT $2`,
      [options.after ?? '', options.limit],
    );
    return rows.map((r) => r.doc);
  }

  private query<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    return this.withClient(async (client) => (await client.query<R>(sql, params)).rows);
  }
}
