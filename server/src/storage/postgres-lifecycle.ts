/**
 * PostgresStorage's create-once and tombstones (lifecycle.ts), in the `quire_deleted_documents`
 * table beside the documents, so every instance sees every tombstone. Each method is one
 * statement, so one transaction; the document row's primary key makes create-if-absent atomic
 * across instances (a racing INSERT waits for the winner's commit, then does nothing).
 */
import type { PoolClient } from 'pg';
import { crc32 } from './checksum.js';
import type { DocumentLifecycle } from './lifecycle.js';
import { NOW_MS, type Tables } from './postgres-schema.js';

type WithClient = <T>(fn: (client: PoolClient) => Promise<T>) => Promise<T>;

export class PostgresLifecycle implements DocumentLifecycle {
  constructor(
    private readonly t: Tables,
    private readonly withClient: WithClient,
  ) {}

  async create(name: string, initialUpdate: Uint8Array): Promise<boolean> {
    const data = Buffer.from(initialUpdate);
    const { t } = this;
    // As an append (postgres.ts) whose document row must not exist yet: seq 1.
    const sql = `
      WITH claimed AS (
        INSERT INTO ${t.documents} (name, last_seq, updated_at) VALUES ($1, 1, ${NOW_MS})
        ON CONFLICT (name) DO NOTHING
        RETURNING last_seq, updated_at
      )
      INSERT INTO ${t.updates} (doc, seq, data, crc, created_at)
      SELECT $1, last_seq, $2, $3, updated_at FROM claimed`;
    const result = await this.withClient((c) => c.query(sql, [name, data, crc32(data)]));
    return result.rowCount === 1;
  }

  async markDeleted(name: string, at: number): Promise<boolean> {
    const { t } = this;
    const result = await this.withClient((c) =>
      c.query(
        `INSERT INTO ${t.deleted} (name, deleted_at)
         SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM ${t.documents} WHERE name = $1)
         ON CONFLICT (name) DO NOTHING`,
        [name, at],
      ),
    );
    return result.rowCount === 1;
  }

  async unmarkDeleted(name: string): Promise<boolean> {
    const result = await this.withClient((c) =>
      c.query(`DELETE FROM ${this.t.deleted} WHERE name = $1`, [name]),
    );
    return result.rowCount === 1;
  }

  async deletedAt(names: readonly string[]): Promise<Map<string, number>> {
    if (names.length === 0) return new Map();
    const result = await this.withClient((c) =>
      c.query<{ name: string; deleted_at: number }>(
        `SELECT name, deleted_at FROM ${this.t.deleted} WHERE name = ANY($1::text[])`,
        [names],
      ),
    );
    return new Map(result.rows.map((r) => [r.name, r.deleted_at]));
  }

  async purgeDeleted(before: number, limit: number): Promise<string[]> {
    const { t } = this;
    // SKIP LOCKED: a tombstone another instance is purging, or one being restored right now,
    // is left to that transaction. The log goes with the document row (ON DELETE CASCADE).
    const result = await this.withClient((c) =>
      c.query<{ name: string }>(
        `WITH gone AS (
           DELETE FROM ${t.deleted} WHERE name IN (
             SELECT name FROM ${t.deleted} WHERE deleted_at < $1
             ORDER BY deleted_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING name
         ), docs AS (
           DELETE FROM ${t.documents} WHERE name IN (SELECT name FROM gone)
         )
         SELECT name FROM gone`,
        [before, limit],
      ),
    );
    return result.rows.map((r) => r.name);
  }
}
