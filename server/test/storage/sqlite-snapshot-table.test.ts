/**
 * Snapshots live in their own table, one row per generation (storage/sqlite-schema.ts): a
 * compaction keeps exactly two generations, and a database from schema version 1, which kept both
 * generations in the documents row, is migrated on open with its content, fallback and title.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Database from 'better-sqlite3';
import { crc32 } from '../../src/storage/checksum.js';
import { SQLITE_FILE_NAME, SqliteStorage } from '../../src/index.js';
import { tempDir } from '../helpers/server.js';
import { storedDocumentText as textOf } from '../helpers/stored-text.js';

/** A document's state after each of `parts` is appended, and the update each adds. */
function edits(parts: string[]): { states: Uint8Array[]; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const states: Uint8Array[] = [];
  const updates: Uint8Array[] = [];
  for (const part of parts) {
    const before = Y.encodeStateVector(doc);
    doc.getText('text').insert(doc.getText('text').length, part);
    updates.push(Y.encodeStateAsUpdate(doc, before));
    states.push(Y.encodeStateAsUpdate(doc));
  }
  return { states, updates };
}

describe('SQLite snapshots table', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  const dir = () => {
    const d = tempDir();
    cleanups.push(d.remove);
    return d.path;
  };

  it('keeps two generations and the log after the older one, whatever the number of compactions', async () => {
    const path = dir();
    const storage = new SqliteStorage({ dataDir: path });
    const { states, updates } = edits(['a', 'b', 'c', 'd', 'e']);
    let baseSeq = 0;
    for (let i = 0; i < updates.length; i++) {
      const seq = await storage.append('doc', updates[i]!);
      expect(await storage.compact('doc', states[i]!, { throughSeq: seq, baseSeq })).toBe(true);
      baseSeq = seq;
    }
    const last = await storage.append('doc', edits(['abcdef']).updates[0]!);
    await storage.close();

    const db = new Database(join(path, SQLITE_FILE_NAME), { readonly: true });
    const rows = db
      .prepare<[], { through: number }>("SELECT through FROM snapshots WHERE doc = 'doc'")
      .all();
    const logged = db
      .prepare<[], { seq: number }>("SELECT seq FROM updates WHERE doc = 'doc' ORDER BY seq")
      .all()
      .map((r) => r.seq);
    const documentColumns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('documents')")
      .all()
      .map((c) => c.name);
    db.close();
    const [previous, current] = rows.map((r) => r.through).sort((x, y) => x - y);
    expect(rows).toHaveLength(2);
    expect(current).toBe(baseSeq);
    // The log after the previous generation stays: it is that generation's fallback tail.
    expect(logged).toEqual([baseSeq, last]);
    expect(previous).toBeLessThan(baseSeq);
    // No blob in the documents row: a touch of updated_at reads no snapshot.
    expect(documentColumns.sort()).toEqual(['name', 'title', 'updated_at']);
  });

  it('migrates a schema-1 database: content, the previous generation as fallback, the title', async () => {
    const path = dir();
    const { states, updates } = edits(['one ', 'two ', 'three']);
    const db = new Database(join(path, SQLITE_FILE_NAME));
    db.exec(`
      CREATE TABLE documents (name TEXT PRIMARY KEY, snapshot BLOB, updated_at INTEGER NOT NULL,
        snapshot_crc INTEGER, snapshot_through INTEGER NOT NULL DEFAULT 0, prev_snapshot BLOB,
        prev_crc INTEGER, prev_through INTEGER, title TEXT);
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL,
        data BLOB NOT NULL, created_at INTEGER NOT NULL, crc INTEGER);
      PRAGMA user_version = 1;`);
    const log = db.prepare('INSERT INTO updates (doc, data, created_at, crc) VALUES (?, ?, 5, ?)');
    for (const u of updates) log.run('doc', u, crc32(u));
    // Compacted twice: the current snapshot covers seqs 1-2, the previous one seq 1.
    db.prepare(`INSERT INTO documents VALUES ('doc', ?, 5, ?, 2, ?, ?, 1, 'One two')`).run(
      states[1],
      crc32(states[1]!),
      states[0],
      crc32(states[0]!),
    );
    // Never compacted: no snapshot, no previous generation.
    db.prepare(
      `INSERT INTO documents VALUES ('fresh', NULL, 6, NULL, 0, NULL, NULL, NULL, NULL)`,
    ).run();
    db.prepare('INSERT INTO updates (doc, data, created_at, crc) VALUES (?, ?, 6, ?)').run(
      'fresh',
      updates[0],
      crc32(updates[0]!),
    );
    db.close();

    const storage = new SqliteStorage({ dataDir: path });
    const stored = await storage.load('doc');
    expect(stored?.damaged).toBeUndefined();
    expect(stored?.compactedThrough).toBe(2);
    expect(textOf(stored)).toBe('one two three');
    expect(textOf(await storage.load('fresh'))).toBe('one ');
    const listed = await storage.list();
    expect(listed.map((d) => [d.name, d.title])).toEqual([
      ['doc', 'One two'],
      ['fresh', null],
    ]);
    await storage.close();

    // The previous generation came along: with the current snapshot damaged, it serves.
    const raw = new Database(join(path, SQLITE_FILE_NAME));
    raw
      .prepare(
        "UPDATE snapshots SET data = zeroblob(length(data)) WHERE doc = 'doc' AND through = 2",
      )
      .run();
    raw.close();
    const reopened = new SqliteStorage({ dataDir: path });
    const fallback = await reopened.load('doc');
    await reopened.close();
    expect(fallback?.damaged?.join()).toMatch(/previous used/);
    expect(textOf(fallback)).toBe('one two three');
  });
});
