/**
 * Group commit in PostgresStorage (storage/postgres-append-batch.ts) against the machine's real
 * PostgreSQL: the appends of a window share one transaction across documents, each resolving
 * with its own gapless seq after COMMIT; limits split batches; a failing batch rejects all of
 * its appends and leaves no seq behind; two instances batching the same documents in opposite
 * orders do not deadlock. The retry after a deadlock or serialization failure is shown on the
 * batcher alone, with a commit function that fails on cue.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresStorage, type PostgresStorageOptions } from '../../src/storage/postgres.js';
import { AppendBatcher, type AppendRow } from '../../src/storage/postgres-append-batch.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

let schemas = 0;
const opened: PostgresStorage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** Stores on a schema no other case uses. */
function freshSchema() {
  if (!db) throw new Error('the test database was not created (see the beforeAll error)');
  const url = db.url;
  const schema = `gc_${++schemas}`;
  return {
    schema,
    open(options: Partial<PostgresStorageOptions> = {}): PostgresStorage {
      const store = new PostgresStorage({ connectionString: url, schema, ...options });
      opened.push(store);
      return store;
    },
  };
}

/** One Yjs update per call, inserting a marker, from a replica of its own. */
function typist(clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  let n = 0;
  return (): { update: Uint8Array; marker: string } => {
    const marker = `<${clientID}.${n++}>`;
    const before = Y.encodeStateVector(doc);
    doc.getText('t').insert(doc.getText('t').length, marker);
    return { update: Y.encodeStateAsUpdate(doc, before), marker };
  };
}

async function textIn(store: PostgresStorage, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

describe('PostgresStorage group commit', () => {
  it('commits the appends of one window, across documents, in one transaction; each gets its own gapless seq in call order', async () => {
    const { open } = freshSchema();
    const store = open({ appendBatch: { windowMs: 20 } });
    const reader = open();
    await store.ready();
    const names = ['b', 'a', 'c'];
    const typists = names.map((_, i) => typist(i + 1));
    const calls: { name: string; marker: string; seq: Promise<number> }[] = [];
    for (let i = 0; i < 30; i++) {
      const d = i % 3;
      const { update, marker } = typists[d]!();
      calls.push({ name: names[d]!, marker, seq: store.append(names[d]!, update) });
    }
    const seqs = await Promise.all(calls.map((c) => c.seq));
    expect(store.appendStats()).toMatchObject({ commits: 1, appends: 30, failedBatches: 0 });
    for (const name of names) {
      const own = seqs.filter((_, i) => calls[i]!.name === name);
      expect(own).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
      // Resolved means committed: another instance reads all of it.
      const stored = (await reader.load(name))!;
      expect(stored.lastSeq).toBe(10);
      const text = await textIn(reader, name);
      const markers = calls.filter((c) => c.name === name).map((c) => c.marker);
      expect(text).toBe(markers.join(''));
    }
  });

  it('splits a batch at maxUpdates and maxBytes and keeps seqs in call order across the transactions', async () => {
    const { open } = freshSchema();
    const store = open({ appendBatch: { windowMs: 5, maxUpdates: 4 } });
    await store.ready();
    const next = typist(7);
    const markers: string[] = [];
    const seqs = await Promise.all(
      Array.from({ length: 10 }, () => {
        const { update, marker } = next();
        markers.push(marker);
        return store.append('doc', update);
      }),
    );
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    expect(store.appendStats()).toMatchObject({ commits: 3, appends: 10 });
    expect(await textIn(store, 'doc')).toBe(markers.join(''));

    const bytesCapped = open({ appendBatch: { windowMs: 5, maxBytes: 2_000 } });
    const big = Buffer.alloc(1_500, 1);
    // Each update alone is over half the cap: one per transaction (the bytes are not Yjs, which
    // the store does not care about).
    await Promise.all([1, 2, 3].map(() => bytesCapped.append('big', big)));
    expect(bytesCapped.appendStats()).toMatchObject({ commits: 3, appends: 3 });
  });

  it('rejects every append of a batch that fails, leaves no seq behind, and goes on with the next batch', async () => {
    const { open, schema } = freshSchema();
    const store = open({ appendBatch: { windowMs: 20 } });
    await store.ready();
    // A rule the database enforces: updates of 1000 bytes or more are refused.
    await db!.query(
      `ALTER TABLE ${schema}.quire_updates ADD CONSTRAINT small CHECK (length(data) < 1000)`,
    );
    const results = await Promise.allSettled([
      store.append('a', Buffer.alloc(10, 1)),
      store.append('b', Buffer.alloc(2_000, 1)),
      store.append('a', Buffer.alloc(10, 2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(store.appendStats()).toMatchObject({ commits: 0, failedBatches: 1 });
    // All or nothing: no row, no seq was used up.
    expect(await store.load('a')).toBeNull();
    expect(await store.append('a', Buffer.alloc(10, 3))).toBe(1);
    expect(store.unavailableReason()).toBeNull();
  });

  it('lets two instances batch the same documents in opposite orders without deadlocks; seqs stay gapless', async () => {
    const { open } = freshSchema();
    const [first, second] = [open(), open()];
    await Promise.all([first.ready(), second.ready()]);
    const names = Array.from({ length: 8 }, (_, i) => `doc-${i}`);
    const rounds = 15;
    const work: Promise<number>[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const name of names) work.push(first.append(name, Buffer.from(`1:${round}`)));
      for (const name of [...names].reverse()) {
        work.push(second.append(name, Buffer.from(`2:${round}`)));
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const name of names) {
      const stored = (await first.load(name))!;
      expect(stored.lastSeq).toBe(2 * rounds);
      expect(stored.updates).toHaveLength(2 * rounds);
    }
    const stats = [first.appendStats(), second.appendStats()];
    expect(stats.map((s) => s.failedBatches)).toEqual([0, 0]);
    // Batching happened: fewer transactions than appends.
    expect(stats[0]!.commits + stats[1]!.commits).toBeLessThan(work.length);
  });

  it('drains queued appends on close: each one is committed before the pool ends', async () => {
    const { open } = freshSchema();
    const store = open({ appendBatch: { windowMs: 50 } });
    await store.ready();
    const pending = [1, 2, 3].map((i) => store.append('doc', Buffer.from([i])));
    await store.close();
    expect(await Promise.all(pending)).toEqual([1, 2, 3]);
    const reader = open();
    expect((await reader.load('doc'))!.lastSeq).toBe(3);
  });
});

describe('AppendBatcher', () => {
  const row = (name: string): AppendRow => ({ name, data: Buffer.from(name), crc: 0 });
  const failure = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

  it('retries a batch once after a deadlock or a serialization failure', async () => {
    for (const code of ['40P01', '40001']) {
      const attempts: number[] = [];
      const batcher = new AppendBatcher(async (rows) => {
        attempts.push(rows.length);
        if (attempts.length === 1) throw failure(code);
        return rows.map((_, i) => i + 1);
      });
      expect(await Promise.all([batcher.append(row('a')), batcher.append(row('b'))])).toEqual([
        1, 2,
      ]);
      expect(attempts).toEqual([2, 2]);
      expect(batcher.stats()).toMatchObject({ commits: 1, retries: 1, failedBatches: 0 });
    }
  });

  it('fails the appends cleanly when the retry fails too, or at once on any other error', async () => {
    let calls = 0;
    const deadlocked = new AppendBatcher(async () => {
      calls++;
      throw failure('40P01');
    });
    await expect(deadlocked.append(row('a'))).rejects.toThrow('sqlstate 40P01');
    expect(calls).toBe(2);
    calls = 0;
    const refused = new AppendBatcher(async () => {
      calls++;
      throw failure('23514');
    });
    await expect(refused.append(row('a'))).rejects.toThrow('sqlstate 23514');
    expect(calls).toBe(1);
    expect(refused.stats()).toMatchObject({ retries: 0, failedBatches: 1 });
  });

  it('keeps a document out of a second transaction while one of its appends is in flight; other documents go meanwhile', async () => {
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const batcher = new AppendBatcher(
      async (rows) => {
        batches.push(rows.map((r) => r.name));
        const n = batches.length;
        if (n === 1) await new Promise<void>((resolve) => releases.push(resolve));
        return rows.map(() => n);
      },
      { windowMs: 1 },
    );
    const first = batcher.append(row('a'));
    while (batches.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    const later = ['a', 'b', 'a', 'c'].map((name) => batcher.append(row(name)));
    const others = [later[1]!, later[3]!];
    // b and c commit while a's first transaction is still open; a's later appends wait.
    expect(await Promise.all(others)).toEqual([2, 2]);
    expect(batches).toEqual([['a'], ['b', 'c']]);
    releases[0]!();
    expect(await first).toBe(1);
    expect(await Promise.all([later[0]!, later[2]!])).toEqual([3, 3]);
    expect(batches).toEqual([['a'], ['b', 'c'], ['a', 'a']]);
  });

  it('runs at most maxInFlight transactions; the appends of the busy time share the next one', async () => {
    const batches: string[][] = [];
    const releases: (() => void)[] = [];
    const batcher = new AppendBatcher(
      async (rows) => {
        batches.push(rows.map((r) => r.name));
        const n = batches.length;
        if (n <= 2) await new Promise<void>((resolve) => releases.push(resolve));
        return rows.map(() => n);
      },
      { windowMs: 1, maxInFlight: 2 },
    );
    const firstTwo = [batcher.append(row('a'))];
    while (batches.length < 1) await new Promise((resolve) => setTimeout(resolve, 1));
    firstTwo.push(batcher.append(row('b')));
    while (batches.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    const queued = ['c', 'd', 'e'].map((name) => batcher.append(row(name)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toEqual([['a'], ['b']]);
    releases[0]!();
    expect(await Promise.all(queued)).toEqual([3, 3, 3]);
    releases[1]!();
    expect(await Promise.all(firstTwo)).toEqual([1, 2]);
    expect(batches).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
  });
});
