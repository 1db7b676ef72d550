/**
 * Threat model F3/F4 (docs/threat-model.md): a full disk or I/O errors while saving, and I/O errors
 * while loading. Saving: the document stays in memory, collaboration goes on, nobody is told
 * "Saved", /readyz turns unready, nothing on disk changes, and saving resumes by itself when the
 * disk recovers. Loading: the document is not served (1011 to its clients only) and never replaced
 * by an empty one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type Database from 'better-sqlite3';
import { SqliteStorage, type StorageAdapter } from '../../src/index.js';
import { ackingClient } from '../helpers/ack-client.js';
import { rawSocket, stockClient, waitFor, waitSynced } from '../helpers/clients.js';
import { FaultyStorage, type FaultCode } from '../helpers/faulty-storage.js';
import { startServer, tempDir } from '../helpers/server.js';
import { readyStatus } from './support.js';

/** The text a stored document holds, rebuilt the way the server loads it. */
async function storedText(storage: StorageAdapter, name: string): Promise<string> {
  const stored = await storage.load(name);
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  return doc.getText('text').toString();
}

describe('storage faults', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const later = (fn: () => Promise<void> | void) => cleanups.push(fn);

  it('survives a really full SQLite database: edits continue, nothing is falsely saved, saving resumes', async () => {
    const dir = tempDir();
    later(dir.remove);
    const storage = new SqliteStorage({ dataDir: dir.path });
    const running = await startServer({ storage });
    later(() => running.close());
    const a = ackingClient(running.wsUrl, 'full');
    const b = ackingClient(running.wsUrl, 'full');
    later(() => a.destroy());
    later(() => b.destroy());
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.text.insert(0, 'before the disk filled. ');
    await waitFor(() => a.saved() && b.saved(), 5_000, 'initial save');

    // SQLite's own "database or disk is full" (SQLITE_FULL), exactly what ENOSPC produces.
    const db = (storage as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    for (let i = 0; i < 5; i++) a.text.insert(a.text.length, `${i}:${'x'.repeat(3000)} `);
    await waitFor(() => b.text.toString() === a.text.toString(), 5_000, 'relay while full');
    await waitFor(async () => (await readyStatus(running.httpUrl)) === 503, 5_000, 'unready');
    expect(a.saved()).toBe(false);
    expect(b.saved()).toBe(false);
    // Whatever fit before the disk filled is intact and loads; the rest is only in memory.
    const frozen = await storedText(storage, 'full');
    expect(frozen.startsWith('before the disk filled. ')).toBe(true);
    expect(frozen).not.toBe(a.text.toString());
    b.text.insert(0, 'still editing. ');
    await waitFor(() => a.text.toString() === b.text.toString(), 5_000, 'relay from b');
    // A small write may still fit in a free page; the document as a whole is not saved.
    expect((await storedText(storage, 'full')).length).toBeLessThan(a.text.length);
    expect(a.saved() || b.saved()).toBe(false);

    db.pragma('max_page_count = 1073741823');
    await waitFor(() => a.saved() && b.saved(), 15_000, 'saved after space returned');
    await waitFor(async () => (await readyStatus(running.httpUrl)) === 200, 5_000, 'ready');
    expect(await storedText(storage, 'full')).toBe(a.text.toString());
  });

  for (const code of ['ENOSPC', 'EIO'] as FaultCode[]) {
    it(`retries failed writes (${code}) with backoff and saves everything once they succeed`, async () => {
      const dir = tempDir();
      later(dir.remove);
      const storage = new FaultyStorage(new SqliteStorage({ dataDir: dir.path }));
      const running = await startServer({ storage });
      later(() => running.close());
      const client = ackingClient(running.wsUrl, 'retry');
      later(() => client.destroy());
      await waitSynced(client);
      client.text.insert(0, 'kept');
      await waitFor(() => client.saved(), 5_000, 'initial save');

      storage.writeFault = code;
      client.text.insert(4, ' in memory');
      // The first failure plus at least two retries.
      await waitFor(() => storage.calls.failedWrites >= 3, 10_000, 'retries');
      expect(client.saved()).toBe(false);
      expect(await storedText(storage.inner, 'retry')).toBe('kept');
      expect(await readyStatus(running.httpUrl)).toBe(503);

      storage.writeFault = null;
      await waitFor(() => client.saved(), 15_000, 'saved after recovery');
      expect(await storedText(storage.inner, 'retry')).toBe('kept in memory');
    });
  }

  it('keeps an unsaved document loaded after its last client leaves, and saves it later', async () => {
    const dir = tempDir();
    later(dir.remove);
    const storage = new FaultyStorage(new SqliteStorage({ dataDir: dir.path }));
    const running = await startServer({ storage, roomUnloadGraceMs: 20 });
    later(() => running.close());
    const client = stockClient(running.wsUrl, 'orphan');
    await waitSynced(client);
    storage.writeFault = 'EIO';
    client.text.insert(0, 'only in memory');
    await waitFor(() => storage.calls.failedWrites >= 1);
    client.destroy();
    await waitFor(() => storage.calls.failedWrites >= 3, 10_000, 'unload flush attempts');
    expect(running.server.loadedDocuments()).toContain('orphan');

    storage.writeFault = null;
    await waitFor(() => !running.server.loadedDocuments().includes('orphan'), 15_000, 'unload');
    expect(await storedText(storage.inner, 'orphan')).toBe('only in memory');
  });

  it('relays an update only after it is written, also on a slow disk', async () => {
    const dir = tempDir();
    later(dir.remove);
    const storage = new FaultyStorage(new SqliteStorage({ dataDir: dir.path }));
    storage.writeDelayMs = 60;
    const running = await startServer({ storage });
    later(() => running.close());
    const a = stockClient(running.wsUrl, 'slow');
    const b = stockClient(running.wsUrl, 'slow');
    later(() => a.destroy());
    later(() => b.destroy());
    await Promise.all([waitSynced(a), waitSynced(b)]);
    const seen: Promise<{ seen: string; stored: string }>[] = [];
    b.text.observe(() => {
      const text = b.text.toString();
      seen.push(storedText(storage.inner, 'slow').then((stored) => ({ seen: text, stored })));
    });
    for (const ch of 'abcde') a.text.insert(a.text.length, ch);
    await waitFor(() => b.text.toString() === 'abcde', 5_000, 'relay');
    for (const { seen: text, stored } of await Promise.all(seen)) {
      expect(stored.startsWith(text)).toBe(true);
    }
  });

  for (const code of ['EIO', 'EACCES'] as FaultCode[]) {
    it(`refuses (1011) a document that fails to load with ${code}, and never replaces it with an empty one`, async () => {
      const dir = tempDir();
      later(dir.remove);
      const inner = new SqliteStorage({ dataDir: dir.path });
      const seed = new Y.Doc();
      seed.getText('text').insert(0, 'precious');
      await inner.append('broken', Y.encodeStateAsUpdate(seed));
      const storage = new FaultyStorage(inner);
      storage.loadFault = { code, names: ['broken'] };
      const running = await startServer({ storage });
      later(() => running.close());

      const victim = await rawSocket(`${running.wsUrl}/broken`);
      expect((await victim.closed).code).toBe(1011);
      const neighbour = stockClient(running.wsUrl, 'fine');
      later(() => neighbour.destroy());
      await waitSynced(neighbour);
      neighbour.text.insert(0, 'unaffected');
      expect(running.server.loadedDocuments()).not.toContain('broken');
      expect(await storedText(inner, 'broken')).toBe('precious');
      expect((await inner.load('broken'))?.updates).toHaveLength(1);

      storage.loadFault = null;
      const reader = stockClient(running.wsUrl, 'broken');
      later(() => reader.destroy());
      await waitSynced(reader);
      expect(reader.text.toString()).toBe('precious');
    });
  }
});
