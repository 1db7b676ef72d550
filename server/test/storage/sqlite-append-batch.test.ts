import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStorage } from '../../src/index.js';
import { SqliteAppendBatch } from '../../src/storage/sqlite-append-batch.js';
import { tempDir } from '../helpers/server.js';

const bytes = (n: number) => new Uint8Array([n]);

describe('SqliteAppendBatch', () => {
  /** A real in-memory table whose CHECK refuses the value 13, counting transactions. */
  function table() {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, name TEXT, v INTEGER CHECK (v <> 13))');
    const insert = db.prepare<[string, number]>('INSERT INTO t (name, v) VALUES (?, ?)');
    const counts = { one: 0, many: 0 };
    const one = (name: string, update: Uint8Array) =>
      Number(insert.run(name, update[0]!).lastInsertRowid);
    const batch = new SqliteAppendBatch(
      db.transaction((name: string, update: Uint8Array) => {
        counts.one++;
        return one(name, update);
      }),
      db.transaction((items: readonly { name: string; update: Uint8Array }[]) => {
        counts.many++;
        return items.map((item) => one(item.name, item.update));
      }),
    );
    const rows = () => db.prepare('SELECT name, v FROM t ORDER BY seq').all();
    return { batch, counts, rows };
  }

  it('commits the appends of one turn in one transaction, in order', async () => {
    const { batch, counts, rows } = table();
    const seqs = await Promise.all([1, 2, 3].map((n) => batch.add('doc', bytes(n))));
    expect(seqs).toEqual([1, 2, 3]);
    expect(counts).toEqual({ one: 0, many: 1 });
    expect(rows()).toEqual([1, 2, 3].map((v) => ({ name: 'doc', v })));
    // A lone append of a later turn is its own transaction.
    expect(await batch.add('doc', bytes(4))).toBe(4);
    expect(counts).toEqual({ one: 1, many: 1 });
  });

  it('fails only the write that fails when a batch rolls back', async () => {
    const { batch, rows } = table();
    const results = await Promise.allSettled([1, 13, 3].map((n) => batch.add('doc', bytes(n))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(rows()).toEqual([1, 3].map((v) => ({ name: 'doc', v })));
  });

  it('flush() commits what is queued before anything else reads the table', () => {
    const { batch, rows } = table();
    void batch.add('doc', bytes(5));
    expect(rows()).toEqual([]);
    batch.flush();
    expect(rows()).toEqual([{ name: 'doc', v: 5 }]);
  });
});

describe('SqliteStorage appends', () => {
  let cleanup: (() => void) | null = null;
  afterEach(() => {
    cleanup?.();
    cleanup = null;
  });

  it('a read issued in the turn of an append sees it', async () => {
    const dir = tempDir();
    const storage = new SqliteStorage({ dataDir: dir.path });
    cleanup = () => dir.remove();
    const appended = [storage.append('a', bytes(1)), storage.append('a', bytes(2))];
    const loaded = await storage.load('a');
    expect(loaded?.updates).toEqual([bytes(1), bytes(2)]);
    const seqs = await Promise.all(appended);
    expect(seqs[1]).toBeGreaterThan(seqs[0]!);
    expect(loaded?.lastSeq).toBe(seqs[1]);
    await storage.close();
  });

  it('close() commits queued appends', async () => {
    const dir = tempDir();
    cleanup = () => dir.remove();
    const storage = new SqliteStorage({ dataDir: dir.path });
    const appended = storage.append('b', bytes(7));
    await storage.close();
    expect(await appended).toBeGreaterThan(0);
    const reopened = new SqliteStorage({ dataDir: dir.path });
    expect((await reopened.load('b'))?.updates).toEqual([bytes(7)]);
    await reopened.close();
  });
});
