/**
 * The SQLite schema and its forward-only migration. Databases written before checksums existed
 * gain the new columns with values that mean "nothing to verify" (NULL checksums). Databases
 * that kept their snapshots in the documents row (before schema version 2) have them moved to
 * the snapshots table once, when the server first opens them.
 */
import type Database from 'better-sqlite3';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY,
    updated_at INTEGER NOT NULL
  );
  -- Compacted states (sqlite.ts). A document's row with the highest through is its current
  -- generation, the one below it the previous generation (the fallback when the current one
  -- fails its checksum); older rows are deleted by the compaction that makes them so. data
  -- NULL is the empty document (the previous generation after a first compaction), crc NULL
  -- a snapshot written before checksums. Snapshots are not kept in the documents row: SQLite
  -- reaches a column stored after a big blob only by walking the blob's overflow pages, so with a
  -- 20 MiB snapshot there, every append's update of updated_at cost 5-10 ms.
  CREATE TABLE IF NOT EXISTS snapshots (
    doc TEXT NOT NULL,
    through INTEGER NOT NULL,
    crc INTEGER,
    data BLOB,
    UNIQUE (doc, through)
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

/** The documents row's snapshot columns before schema version 2 (see the snapshots table). */
const ROW_SNAPSHOT_COLUMNS = [
  'snapshot',
  'snapshot_crc',
  'snapshot_through',
  'prev_snapshot',
  'prev_crc',
  'prev_through',
];

/** Schema version 2: each generation a documents row held becomes a snapshots row, and the
 * row's snapshot columns are dropped. Databases from before checksums lack some of the columns:
 * those read as "no checksum" and "no previous generation". */
function moveSnapshotsOutOfDocuments(db: Database.Database): void {
  const columns = columnsOf(db, 'documents');
  if (!columns.has('snapshot')) return;
  const column = (name: string, missing: string) => (columns.has(name) ? name : missing);
  const through = column('snapshot_through', '0');
  if (columns.has('prev_through')) {
    db.exec(`INSERT INTO snapshots (doc, through, crc, data)
      SELECT name, prev_through, ${column('prev_crc', 'NULL')}, ${column('prev_snapshot', 'NULL')}
      FROM documents WHERE prev_through IS NOT NULL AND prev_through < ${through}`);
  }
  db.exec(`INSERT INTO snapshots (doc, through, crc, data)
    SELECT name, ${through}, ${column('snapshot_crc', 'NULL')}, snapshot
    FROM documents WHERE snapshot IS NOT NULL`);
  for (const name of ROW_SNAPSHOT_COLUMNS) {
    if (columns.has(name)) db.exec(`ALTER TABLE documents DROP COLUMN ${name}`);
  }
}

/** Data migrations, by the schema version (PRAGMA user_version) they bring a database to. */
const DATA_MIGRATIONS: [number, string | ((db: Database.Database) => void)][] = [
  // Before version 1, an append did not touch documents.updated_at; listing by recency now
  // reads that column alone, so it takes the newest logged update's time once.
  [
    1,
    `UPDATE documents SET updated_at = MAX(updated_at,
       COALESCE((SELECT MAX(created_at) FROM updates WHERE doc = documents.name), 0))`,
  ],
  [2, moveSnapshotsOutOfDocuments],
];

/** Columns added after the first schema, per table: name → SQL type and default. */
const ADDED_COLUMNS: Record<string, Record<string, string>> = {
  documents: {
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
      const existing = columnsOf(db, table);
      for (const [column, type] of Object.entries(columns)) {
        if (!existing.has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
      }
    }
    const version = db.pragma('user_version', { simple: true }) as number;
    for (const [target, sql] of DATA_MIGRATIONS) {
      if (version >= target) continue;
      if (typeof sql === 'string') db.exec(sql);
      else sql(db);
      db.pragma(`user_version = ${target}`);
    }
  })();
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  return new Set(
    db
      .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
      .all(table)
      .map((c) => c.name),
  );
}
