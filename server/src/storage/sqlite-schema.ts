/**
 * The SQLite schema and its forward-only migration. Databases written before checksums and
 * snapshot generations existed gain the new columns with values that mean "nothing to verify"
 * (NULL checksums) and "no previous generation" (NULL prev_through).
 */
import type Database from 'better-sqlite3';

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
  CREATE INDEX IF NOT EXISTS documents_by_recent ON documents (updated_at DESC, name);
  -- Tombstones of deleted documents (storage/sqlite-lifecycle.ts): the content stays until the
  -- purge after the retention period, so a deleted document can be restored as it was.
  CREATE TABLE IF NOT EXISTS deleted_documents (
    name TEXT PRIMARY KEY,
    deleted_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS deleted_documents_by_time ON deleted_documents (deleted_at);
  -- Saved versions (storage/sqlite-versions.ts): state is zlib-compressed Yjs state, authors a
  -- JSON array of strings.
  CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT,
    authors TEXT NOT NULL,
    state BLOB NOT NULL,
    state_hash TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS versions_by_doc ON versions (doc, created_at DESC, id DESC);
  -- Webhook deliveries still to make, and dead letters (storage/sqlite-outbox.ts).
  CREATE TABLE IF NOT EXISTS webhook_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    receiver TEXT NOT NULL,
    event TEXT NOT NULL,
    doc TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    available_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    dead_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS webhook_outbox_pending ON webhook_outbox (receiver, seq)
    WHERE dead_at IS NULL;
  CREATE INDEX IF NOT EXISTS webhook_outbox_by_age ON webhook_outbox (receiver, created_at)
    WHERE dead_at IS NULL;
  CREATE INDEX IF NOT EXISTS webhook_outbox_by_event ON webhook_outbox (event_id);
  CREATE INDEX IF NOT EXISTS webhook_outbox_dead ON webhook_outbox (dead_at)
    WHERE dead_at IS NOT NULL;
`;

/** Data migrations, by the schema version (PRAGMA user_version) they bring a database to. */
const DATA_MIGRATIONS: [number, string][] = [
  // Before version 1, an append did not touch documents.updated_at; listing by recency now
  // reads that column alone, so it takes the newest logged update's time once.
  [
    1,
    `UPDATE documents SET updated_at = MAX(updated_at,
       COALESCE((SELECT MAX(created_at) FROM updates WHERE doc = documents.name), 0))`,
  ],
];

/** Columns added after the first schema, per table: name → SQL type and default. */
const ADDED_COLUMNS: Record<string, Record<string, string>> = {
  documents: {
    // CRC-32 of `snapshot`.
    snapshot_crc: 'INTEGER',
    // The highest update seq the snapshot contains; the log after it is the live tail.
    snapshot_through: 'INTEGER NOT NULL DEFAULT 0',
    // The generation before the last compaction: fallback when `snapshot` is damaged.
    prev_snapshot: 'BLOB',
    prev_crc: 'INTEGER',
    // NULL = no previous generation is available (never compacted since checksums existed).
    prev_through: 'INTEGER',
    // The document's title for the list (storage/catalog.ts); NULL: none recorded.
    title: 'TEXT',
  },
  updates: {
    crc: 'INTEGER',
  },
  deleted_documents: {
    // Set when a rename left the tombstone: the new name (storage/sqlite-catalog.ts).
    renamed_to: 'TEXT',
  },
};

export function migrateSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
      const existing = new Set(
        db
          .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
          .all()
          .map((c) => c.name),
      );
      for (const [column, type] of Object.entries(columns)) {
        if (!existing.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    for (const [target, sql] of DATA_MIGRATIONS) {
      if (version >= target) continue;
      db.exec(sql);
      db.pragma(`user_version = ${target}`);
    }
  })();
}
