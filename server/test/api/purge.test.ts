/**
 * Deleted documents are restorable for the retention period and purged after it, on SQLite,
 * with an injected clock: DocumentService over a real store, room registry and update guard.
 * The periodic purge (tombstone-purge.ts) runs on its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/config.js';
import { DocumentService } from '../../src/documents/document-service.js';
import { startTombstonePurge } from '../../src/documents/tombstone-purge.js';
import { UpdateGuard } from '../../src/guards/update-guard.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { RoomRegistry } from '../../src/room/room-registry.js';
import { SqliteStorage } from '../../src/storage/sqlite.js';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';

const DAY = 24 * 60 * 60 * 1000;
const RETENTION = 30 * DAY;

function open(dataDir: string, clock: { now: number }) {
  const storage = new SqliteStorage({ dataDir });
  const metrics = new Metrics();
  const store = new DocumentStore(storage, resolveOptions({}), silentLogger, metrics);
  const rooms = new RoomRegistry({
    store,
    log: silentLogger,
    metrics,
    unloadGraceMs: 0,
    maxAwarenessStateBytes: 10_000,
  });
  const documents = new DocumentService({
    rooms,
    storage,
    guard: new UpdateGuard(1 << 20),
    log: silentLogger,
    maxDocumentBytes: 1 << 20,
    deletedRetentionMs: RETENTION,
    now: () => clock.now,
  });
  return {
    storage,
    documents,
    close: async () => {
      await rooms.closeAll();
      store.close();
      await storage.close();
    },
  };
}

describe('retention of deleted documents', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  it('restores within the period, purges after it, across a reopen of the store', async () => {
    const dir = tempDir('quire-purge-');
    dirs.push(dir);
    const clock = { now: Date.UTC(2026, 0, 1) };
    let server = open(dir.path, clock);
    for (const name of ['old', 'young', 'kept']) {
      expect(await server.documents.create(name, `${name} text`)).toBe('created');
    }
    expect(await server.documents.delete('old')).toBe('deleted');
    clock.now += 20 * DAY;
    expect(await server.documents.delete('young')).toBe('deleted');
    expect(await server.documents.readText('old')).toBeNull();
    await server.close();

    clock.now += 10 * DAY + 1; // old: 30 days and 1 ms ago; young: 10 days ago
    server = open(dir.path, clock);
    expect(await server.documents.restoreDeleted('old')).toBe('not-found'); // waits for the purge
    expect(await server.documents.purgeExpired()).toEqual(['old']);
    expect(await server.storage.load('old')).toBeNull();
    expect(await server.documents.purgeExpired()).toEqual([]);
    expect(await server.documents.restoreDeleted('young')).toBe('restored');
    expect(await server.documents.readText('young')).toBe('young text');
    expect(await server.documents.readText('kept')).toBe('kept text');
    // The purged name is free again.
    expect(await server.documents.create('old', 'a new one')).toBe('created');
    expect(await server.documents.readText('old')).toBe('a new one');
    await server.close();
  });

  it('purges periodically by itself', async () => {
    const dir = tempDir('quire-purge-timer-');
    dirs.push(dir);
    const clock = { now: Date.UTC(2026, 0, 1) };
    const server = open(dir.path, clock);
    await server.documents.create('gone', 'x');
    await server.documents.delete('gone');
    const stop = startTombstonePurge(server.documents, silentLogger, 10, 0);
    try {
      clock.now += RETENTION + 1;
      await waitFor(async () => (await server.storage.load('gone')) === null, 5_000, 'the purge');
      expect(await server.storage.lifecycle.deletedAt(['gone'])).toEqual(new Map());
    } finally {
      stop();
      await server.close();
    }
  });
});
