/**
 * Threat model F2 (docs/threat-model.md), second half, and crash-safe compaction: damaged records
 * are detected by their checksums and the previous intact generation is used; a document with no
 * intact generation is refused (1011), never served empty; a compaction killed at any instant
 * leaves a loadable store; databases written before checksums existed still load.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import Database from 'better-sqlite3';
import { SQLITE_FILE_NAME, SqliteStorage } from '../../src/index.js';
import { rawSocket, stockClient, waitFor, waitSynced } from '../helpers/clients.js';
import { startServer, tempDir } from '../helpers/server.js';
import { storedDocumentText as textOf } from '../helpers/stored-text.js';

/** Two compactions and a tail: snapshot, previous snapshot and log all hold something. */
async function seed(dataDir: string): Promise<string> {
  const storage = new SqliteStorage({ dataDir });
  const doc = new Y.Doc();
  const text = doc.getText('text');
  const write = async (s: string) => {
    const before = Y.encodeStateVector(doc);
    text.insert(text.length, s);
    return storage.append('doc', Y.encodeStateAsUpdate(doc, before));
  };
  const compactThrough = async (s: string) => {
    const seq = await write(s);
    const { compactedThrough } = (await storage.load('doc'))!;
    await storage.compact('doc', Y.encodeStateAsUpdate(doc), {
      throughSeq: seq,
      baseSeq: compactedThrough,
    });
  };
  await write('one ');
  await compactThrough('two ');
  await compactThrough('three ');
  await write('four');
  await storage.close();
  return text.toString();
}

/** The current generation's snapshot: the newest row of the document in the snapshots table. */
const DAMAGE_CURRENT_SNAPSHOT = `UPDATE snapshots SET data = garble(data)
  WHERE doc = 'doc' AND through = (SELECT MAX(through) FROM snapshots WHERE doc = 'doc')`;

/** Flips bytes in a column without touching its checksum: bit rot SQLite would not notice. */
function garble(dataDir: string, sql: string): void {
  const db = new Database(join(dataDir, SQLITE_FILE_NAME));
  db.function('garble', (blob: unknown) => {
    const bytes = Buffer.from(blob as Buffer);
    for (let i = 0; i < bytes.length; i += 3) bytes[i] = bytes[i]! ^ 0x5a;
    return bytes;
  });
  db.exec(sql);
  db.close();
}

describe('stored data integrity', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dir = () => {
    const d = tempDir();
    cleanups.push(d.remove);
    return d.path;
  };

  it('falls back to the previous snapshot and its log when the snapshot is damaged', async () => {
    const path = dir();
    const expected = await seed(path);
    garble(path, DAMAGE_CURRENT_SNAPSHOT);
    const storage = new SqliteStorage({ dataDir: path });
    const stored = await storage.load('doc');
    await storage.close();
    expect(stored?.damaged?.join()).toMatch(/snapshot checksum/);
    expect(textOf(stored)).toBe(expected);
  });

  it('leaves a damaged logged update out and reports it', async () => {
    const path = dir();
    await seed(path);
    garble(
      path,
      'UPDATE updates SET data = garble(data) WHERE seq = (SELECT MAX(seq) FROM updates)',
    );
    const storage = new SqliteStorage({ dataDir: path });
    const stored = await storage.load('doc');
    await storage.close();
    expect(stored?.damaged?.join()).toMatch(/update \d+ checksum/);
    expect(textOf(stored)).toBe('one two three ');
  });

  it('heals a damaged snapshot: the server serves the intact state and rewrites it', async () => {
    const path = dir();
    const expected = await seed(path);
    garble(path, DAMAGE_CURRENT_SNAPSHOT);
    const storage = new SqliteStorage({ dataDir: path });
    const running = await startServer({ storage });
    cleanups.push(() => running.close());
    const client = stockClient(running.wsUrl, 'doc');
    cleanups.push(() => client.destroy());
    await waitSynced(client);
    expect(client.text.toString()).toBe(expected);
    await waitFor(async () => !(await storage.load('doc'))?.damaged, 10_000, 'rewrite');
    expect(textOf(await storage.load('doc'))).toBe(expected);
  });

  it('refuses (1011) a document with no intact generation, and keeps its bytes', async () => {
    const path = dir();
    await seed(path);
    garble(path, "UPDATE snapshots SET data = garble(data) WHERE doc = 'doc' AND data IS NOT NULL");
    const storage = new SqliteStorage({ dataDir: path });
    await expect(storage.load('doc')).rejects.toThrow(/checksum/);
    const running = await startServer({ storage });
    cleanups.push(() => running.close());
    const socket = await rawSocket(`${running.wsUrl}/doc`);
    expect((await socket.closed).code).toBe(1011);
    expect((await storage.list()).map((d) => d.name)).toEqual(['doc']);
  });

  it('loads a database written before checksums and generations existed', async () => {
    const path = dir();
    const doc = new Y.Doc();
    doc.getText('text').insert(0, 'legacy');
    const db = new Database(join(path, SQLITE_FILE_NAME));
    db.exec(`
      CREATE TABLE documents (name TEXT PRIMARY KEY, snapshot BLOB, updated_at INTEGER NOT NULL);
      CREATE TABLE updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL,
        data BLOB NOT NULL, created_at INTEGER NOT NULL);`);
    db.prepare('INSERT INTO documents VALUES (?, ?, 0)').run('old', Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(doc);
    doc.getText('text').insert(6, ' tail');
    db.prepare('INSERT INTO updates (doc, data, created_at) VALUES (?, ?, 0)').run(
      'old',
      Y.encodeStateAsUpdate(doc, before),
    );
    db.close();
    const storage = new SqliteStorage({ dataDir: path });
    const stored = await storage.load('old');
    expect(stored?.damaged).toBeUndefined();
    expect(textOf(stored)).toBe('legacy tail');
    await storage.compact('old', Y.encodeStateAsUpdate(doc), {
      throughSeq: stored!.lastSeq,
      baseSeq: stored!.compactedThrough,
    });
    expect(textOf(await storage.load('old'))).toBe('legacy tail');
    await storage.close();
  });

  it('always loads after a SIGKILL in the middle of compactions', async () => {
    const path = dir();
    const storageModule = new URL('../../dist/storage/sqlite.js', import.meta.url).href;
    // A child that appends and compacts a growing ~200 KB document as fast as it can.
    const program = `
      const { SqliteStorage } = await import(${JSON.stringify(storageModule)});
      const Y = await import('yjs');
      const storage = new SqliteStorage({ dataDir: ${JSON.stringify(path)} });
      const stored = await storage.load('big');
      const doc = new Y.Doc();
      if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
      for (const u of stored?.updates ?? []) Y.applyUpdate(doc, u);
      let baseSeq = stored?.compactedThrough ?? 0;
      process.stdout.write('ready\\n');
      for (let i = 0; ; i++) {
        const before = Y.encodeStateVector(doc);
        doc.getText('text').insert(0, 'x'.repeat(2000));
        const seq = await storage.append('big', Y.encodeStateAsUpdate(doc, before));
        if (i % 3 === 0) {
          const cover = { throughSeq: seq, baseSeq };
          if (await storage.compact('big', Y.encodeStateAsUpdate(doc), cover)) baseSeq = seq;
          else throw new Error('compaction refused');
        }
        if (doc.getText('text').length > 200000) doc.getText('text').delete(0, 100000);
      }`;
    let loaded = 0;
    let compacted = 0;
    for (let kill = 0; kill < 8; kill++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', program], {
        cwd: new URL('..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      // Not a wait for anything: the kill lands at a random point of the write loop on purpose.
      await new Promise((resolve) => setTimeout(resolve, 30 + Math.random() * 150));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const storage = new SqliteStorage({ dataDir: path });
      const stored = await storage.load('big');
      await storage.close();
      expect(stored?.damaged).toBeUndefined();
      // Whole inserts only: no torn write, no half-applied compaction.
      const text = textOf(stored);
      expect(text.length % 2000).toBe(0);
      expect(/^x*$/.test(text)).toBe(true);
      loaded += text.length > 0 ? 1 : 0;
      compacted += stored!.compactedThrough > 0 ? 1 : 0;
    }
    expect(loaded).toBeGreaterThan(0);
    // The kills did land among compactions, not only among appends.
    expect(compacted).toBeGreaterThan(0);
  }, 60_000);
});
