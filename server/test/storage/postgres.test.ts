/**
 * PostgresStorage against the machine's real PostgreSQL: the shared acceptance suite (each case
 * in a fresh schema of a database private to this file), then what only a shared SQL store has
 * to show: seqs assigned under concurrency, compactions racing another instance's appends,
 * checksums on rows damaged behind the store's back, and connection errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { listCursor } from '../../src/index.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { describeStorageAdapter } from './adapter-acceptance.js';
import { bytes, through } from './adapter-acceptance-support.js';

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

let schemas = 0;
/** A schema no other case uses, and a way to open stores on it. */
function freshSchema() {
  if (!db) throw new Error('the test database was not created (see the beforeAll error)');
  const url = db.url;
  const schema = `case_${++schemas}`;
  const opened: PostgresStorage[] = [];
  return {
    schema,
    open: (): PostgresStorage => {
      const store = new PostgresStorage({ connectionString: url, schema });
      opened.push(store);
      return store;
    },
    closeAll: () => Promise.all(opened.map((s) => s.close())),
  };
}

describeStorageAdapter('postgres', {
  create: async () => {
    const { open, closeAll } = freshSchema();
    return {
      adapter: open(),
      reopen: async () => open(),
      // A second instance: its own pool on the same database and schema.
      secondWriter: async () => open(),
      cleanup: async () => {
        await closeAll();
      },
    };
  },
});

/** A writer with its own replica: each insert is one Yjs update, with a marker to find later. */
function writer(clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  let n = 0;
  const markers: string[] = [];
  return {
    markers,
    next(): Uint8Array {
      const marker = `<${clientID}.${n++}>`;
      markers.push(marker);
      const before = Y.encodeStateVector(doc);
      doc.getText('t').insert(0, marker);
      return Y.encodeStateAsUpdate(doc, before);
    },
  };
}

async function textIn(store: PostgresStorage, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

/** A compaction as persistence does it: read the rows, rebuild, compare-and-set. */
async function compactFromRows(store: PostgresStorage, name: string): Promise<boolean> {
  const stored = (await store.load(name))!;
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.updates) Y.applyUpdate(doc, update);
  return store.compact(name, Y.encodeStateAsUpdate(doc), {
    throughSeq: Math.max(stored.lastSeq, stored.compactedThrough),
    baseSeq: stored.compactedThrough,
  });
}

describe('PostgresStorage', () => {
  let closeAll: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await closeAll?.();
    closeAll = undefined;
  });
  const schema = () => {
    const fresh = freshSchema();
    closeAll = fresh.closeAll;
    return fresh;
  };

  it('assigns one document gapless seqs in commit order under 50 concurrent appends from two writers', async () => {
    const { open } = schema();
    const [a, b, reader] = [open(), open(), open()];
    const writers = [writer(1), writer(2)];
    const updates = Array.from({ length: 50 }, (_, i) => writers[i % 2]!.next());
    let done = false;
    const appending = Promise.all(updates.map((u, i) => (i % 2 ? b : a).append('doc', u))).finally(
      () => (done = true),
    );
    // While they land, every read sees a prefix of the log: seqs 1..lastSeq, no holes. A seq
    // committed before a smaller one would show up here as fewer updates than lastSeq.
    const prefixes: number[] = [];
    for (let i = 0; i < 500 && !done; i++) {
      const seen = await reader.load('doc');
      if (seen) {
        expect(seen.updates).toHaveLength(seen.lastSeq);
        prefixes.push(seen.lastSeq);
      }
    }
    const seqs = await appending;
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect([...prefixes].sort((x, y) => x - y)).toEqual(prefixes);
    const final = (await reader.load('doc'))!;
    expect(final.lastSeq).toBe(50);
    const text = await textIn(reader, 'doc');
    for (const marker of writers.flatMap((w) => w.markers)) expect(text).toContain(marker);
  });

  it('loses nothing when compactions race concurrent appends from the other writer', async () => {
    const { open } = schema();
    const [a, b] = [open(), open()];
    const [wa, wb] = [writer(1), writer(2)];
    for (let i = 0; i < 5; i++) await a.append('doc', wa.next());
    let done = false;
    const appending = Promise.all(
      Array.from({ length: 40 }, () => wb.next()).map((u) => b.append('doc', u)),
    ).finally(() => (done = true));
    let won = 0;
    for (let i = 0; i < 200 && !done; i++) if (await compactFromRows(a, 'doc')) won++;
    await appending;
    expect(await compactFromRows(a, 'doc')).toBe(true);
    expect(won).toBeGreaterThan(0);
    for (const store of [a, b]) {
      const text = await textIn(store, 'doc');
      for (const marker of [...wa.markers, ...wb.markers]) expect(text).toContain(marker);
    }
    expect((await b.load('doc'))!.updates).toEqual([]);
  });

  it('replaces a damaged snapshot by the previous generation plus the log, and says so', async () => {
    const fresh = schema();
    const s = fresh.open();
    await s.append('doc', bytes(1));
    await s.compact('doc', bytes(7), through(1));
    await s.append('doc', bytes(2));
    await s.compact('doc', bytes(8), through(2, 1));
    await s.append('doc', bytes(3));
    await db!.query(`UPDATE ${fresh.schema}.quire_documents SET snapshot = '\\xff'::bytea`);
    expect(await s.load('doc')).toEqual({
      snapshot: bytes(7),
      updates: [bytes(2), bytes(3)],
      lastSeq: 3,
      compactedThrough: 2,
      damaged: ['snapshot checksum mismatch: previous used'],
    });
  });

  it('leaves out a damaged logged update and says so; throws when no intact snapshot is left', async () => {
    const fresh = schema();
    const s = fresh.open();
    await s.append('doc', bytes(1));
    await s.append('doc', bytes(2));
    await db!.query(`UPDATE ${fresh.schema}.quire_updates SET data = '\\x09'::bytea WHERE seq = 2`);
    expect(await s.load('doc')).toMatchObject({
      updates: [bytes(1)],
      lastSeq: 2,
      damaged: ['update 2 checksum mismatch: left out'],
    });
    await s.compact('doc', bytes(7), through(2));
    await s.compact('doc', bytes(8), through(2, 2));
    await db!.query(
      `UPDATE ${fresh.schema}.quire_documents SET snapshot = '\\xff', prev_snapshot = '\\xff'`,
    );
    await expect(s.load('doc')).rejects.toThrow(/checksum/);
  });

  it('takes LIKE wildcards and backslashes in a prefix literally', async () => {
    const s = schema().open();
    for (const name of ['a%b', 'a_b', 'a\\b', 'axb', 'a%%']) await s.append(name, bytes(1));
    const names = async (prefix: string) => (await s.list({ prefix })).map((d) => d.name);
    expect(await names('a%')).toEqual(['a%%', 'a%b']);
    expect(await names('a_')).toEqual(['a_b']);
    expect(await names('a\\')).toEqual(['a\\b']);
    const first = (await s.list({ prefix: 'a', limit: 2 })).at(-1)!;
    expect((await s.list({ prefix: 'a', cursor: listCursor(first) })).map((d) => d.name)).toEqual([
      'a\\b',
      'a_b',
      'axb',
    ]);
  });

  it('refuses a compaction naming a snapshot of a document that is gone, leaving no row', async () => {
    const s = schema().open();
    await s.append('doc', bytes(1));
    await s.delete('doc');
    expect(await s.compact('doc', bytes(7), through(1, 1))).toBe(false);
    expect(await s.load('doc')).toBeNull();
    expect(await s.append('doc', bytes(2))).toBe(1);
  });

  it('creates its quire_ tables once when several instances start on an empty schema at once', async () => {
    const fresh = schema();
    await Promise.all([fresh.open().ready(), fresh.open().ready(), fresh.open().ready()]);
    const tables = await db!.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1
       ORDER BY table_name`,
      [fresh.schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'quire_deleted_documents',
      'quire_documents',
      'quire_updates',
      'quire_versions',
      'quire_webhook_outbox',
    ]);
  });

  it('rejects with a message naming PostgreSQL and the server, never the password, when it cannot connect', async () => {
    const s = new PostgresStorage({
      connectionString: 'postgres://quire:s3cret-pw@127.0.0.1:1/quire',
      pool: { connectionTimeoutMs: 2_000 },
    });
    try {
      for (const call of [() => s.ready(), () => s.load('doc'), () => s.append('doc', bytes(1))]) {
        const error = await call().then(
          () => null,
          (e: unknown) => e as Error,
        );
        expect(error?.message).toMatch(/^cannot reach PostgreSQL at 127\.0\.0\.1:1\/quire: /);
        expect(error?.message).not.toContain('s3cret-pw');
      }
    } finally {
      await s.close();
    }
  });
});
