/**
 * The PostgreSQL schema of PostgresStorage. Every table is prefixed `quire_` so the store can
 * share a schema (even `public`) with other applications' tables.
 *
 * Creation is idempotent (`IF NOT EXISTS`) and runs under a transaction-scoped advisory lock: two
 * instances starting at once on an empty database would otherwise race in the catalog (PostgreSQL
 * reports a duplicate key in pg_type for the loser of two concurrent CREATE TABLE IF NOT EXISTS).
 * A later change to this schema adds `ALTER TABLE ... ADD COLUMN IF NOT EXISTS` statements here,
 * under the same lock.
 */
import { escapeIdentifier, type PoolClient } from 'pg';

/** Qualified, quoted table names for one schema. */
export interface Tables {
  schema: string;
  documents: string;
  updates: string;
  versions: string;
  deleted: string;
  outbox: string;
}

export function tablesIn(schema: string): Tables {
  const qualified = (table: string) => `${escapeIdentifier(schema)}.${table}`;
  return {
    schema,
    documents: qualified('quire_documents'),
    updates: qualified('quire_updates'),
    versions: qualified('quire_versions'),
    deleted: qualified('quire_deleted_documents'),
    outbox: qualified('quire_webhook_outbox'),
  };
}

/** The time columns hold milliseconds since the epoch, read from the database's clock: one
 * clock for every instance, and exactly the number a list cursor carries (a timestamptz has
 * microseconds, which a cursor made from `updatedAt` could not name). */
export const NOW_MS = `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`;

function schemaSql(t: Tables): string {
  // `name` uses the "C" collation: byte order, which for UTF-8 is code point order, the order
  // `list` promises; the primary key's index then serves name-ordered listing and prefixes.
  return `
    CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(t.schema)};
    CREATE TABLE IF NOT EXISTS ${t.documents} (
      name text COLLATE "C" PRIMARY KEY,
      -- The compacted state and its CRC-32 (NULL: never compacted).
      snapshot bytea,
      snapshot_crc bigint,
      -- The highest update seq the snapshot contains; the log after it is the live tail.
      compacted_through bigint NOT NULL DEFAULT 0,
      -- The generation before the last compaction: the fallback when \`snapshot\` is damaged.
      -- prev_through NULL: no previous generation (never compacted).
      prev_snapshot bytea,
      prev_crc bigint,
      prev_through bigint,
      -- The newest seq assigned to this document. Appends increment it under the row lock, in
      -- the transaction that inserts the update, which makes seqs gapless and in commit order.
      last_seq bigint NOT NULL DEFAULT 0,
      updated_at bigint NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ${t.updates} (
      doc text COLLATE "C" NOT NULL REFERENCES ${t.documents} (name) ON DELETE CASCADE,
      seq bigint NOT NULL,
      data bytea NOT NULL,
      crc bigint NOT NULL,
      created_at bigint NOT NULL,
      PRIMARY KEY (doc, seq)
    );
    CREATE INDEX IF NOT EXISTS quire_documents_by_recent
      ON ${t.documents} (updated_at DESC, name);
    -- Tombstones of deleted documents (postgres-lifecycle.ts): the content stays until the purge
    -- after the retention period, so a deleted document can be restored as it was.
    CREATE TABLE IF NOT EXISTS ${t.deleted} (
      name text COLLATE "C" PRIMARY KEY,
      deleted_at bigint NOT NULL
    );
    CREATE INDEX IF NOT EXISTS quire_deleted_documents_by_time ON ${t.deleted} (deleted_at);
    -- Saved versions (postgres-versions.ts): state is zlib-compressed Yjs state, authors a JSON
    -- array of strings. No foreign key: deleting a document deletes its versions explicitly.
    CREATE TABLE IF NOT EXISTS ${t.versions} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      doc text COLLATE "C" NOT NULL,
      created_at bigint NOT NULL,
      kind text NOT NULL,
      label text,
      authors text NOT NULL,
      state bytea NOT NULL,
      state_hash text NOT NULL
    );
    CREATE INDEX IF NOT EXISTS quire_versions_by_doc
      ON ${t.versions} (doc, created_at DESC, id DESC);
    -- Webhook deliveries still to make, and dead letters (postgres-outbox.ts).
    CREATE TABLE IF NOT EXISTS ${t.outbox} (
      seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id text NOT NULL,
      receiver text NOT NULL,
      event text NOT NULL,
      doc text NOT NULL,
      payload text NOT NULL,
      created_at bigint NOT NULL,
      available_at bigint NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      lease_owner text,
      lease_until bigint NOT NULL DEFAULT 0,
      last_error text,
      dead_at bigint
    );
    CREATE INDEX IF NOT EXISTS quire_webhook_outbox_pending
      ON ${t.outbox} (receiver, seq) WHERE dead_at IS NULL;
    CREATE INDEX IF NOT EXISTS quire_webhook_outbox_by_age
      ON ${t.outbox} (receiver, created_at) WHERE dead_at IS NULL;
    CREATE INDEX IF NOT EXISTS quire_webhook_outbox_by_event ON ${t.outbox} (event_id);
    CREATE INDEX IF NOT EXISTS quire_webhook_outbox_dead
      ON ${t.outbox} (dead_at) WHERE dead_at IS NOT NULL;
    -- The document's title for the list (postgres-catalog.ts); NULL: none recorded.
    ALTER TABLE ${t.documents} ADD COLUMN IF NOT EXISTS title text;
    -- Set when a rename left the tombstone: the new name (postgres-catalog.ts).
    ALTER TABLE ${t.deleted} ADD COLUMN IF NOT EXISTS renamed_to text;
  `;
}

/** Creates the schema and tables if missing. `client` is a dedicated connection (not in a
 * transaction). */
export async function createSchema(client: PoolClient, t: Tables): Promise<void> {
  await client.query('BEGIN');
  try {
    // One lock per schema name, so instances on different schemas do not wait for each other.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`quire schema ${t.schema}`]);
    await client.query(schemaSql(t));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
