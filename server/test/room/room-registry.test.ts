/**
 * RoomRegistry on fake timers over a DocumentStore on a holdable MemoryStorage: shared loads,
 * unload after the grace period, joins that race an unload, failed final flushes, shutdown.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { RoomRegistry } from '../../src/room/room-registry.js';
import type { Room } from '../../src/room/room.js';
import { settle } from '../persistence/fakes.js';
import { edit, FakePeer, NO_COMPACTION, rebuild, ScriptedStorage } from './fixtures.js';

const GRACE_MS = 1_000;

describe('RoomRegistry', () => {
  let storage: ScriptedStorage;
  let metrics: Metrics;
  let store: DocumentStore;
  let registry: RoomRegistry;
  let client: Y.Doc;
  let nextPeerId: number;

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new ScriptedStorage();
    metrics = new Metrics();
    store = new DocumentStore(storage, NO_COMPACTION, silentLogger, metrics);
    registry = new RoomRegistry({
      store,
      log: silentLogger,
      metrics,
      unloadGraceMs: GRACE_MS,
      maxAwarenessStateBytes: 10_000,
    });
    client = new Y.Doc();
    nextPeerId = 1;
  });
  afterEach(async () => {
    storage.failing.clear();
    storage.releaseAll();
    await registry.closeAll();
    store.close();
    client.destroy();
    vi.useRealTimers();
  });

  /** A peer joins `room`, types `text` into it, and leaves. */
  async function visit(room: Room, text: string): Promise<void> {
    const peer = new FakePeer(nextPeerId++);
    room.join(peer);
    const update = edit(client, (d) => d.getText('t').insert(0, text));
    room.handle(peer, { kind: 'sync-update', update });
    await settle();
    room.leave(peer);
  }

  const storedText = async (name: string) =>
    rebuild(await storage.load(name))
      .getText('t')
      .toString();

  it('concurrent acquires of one document share a single load', async () => {
    const release = storage.hold('load');
    const acquiring = [registry.acquire('doc'), registry.acquire('doc'), registry.acquire('doc')];
    await settle();
    release();
    const rooms = await Promise.all(acquiring);
    expect(new Set(rooms).size).toBe(1);
    expect(storage.count('load doc')).toBe(1);
    expect(metrics.roomsLoaded).toBe(1);
  });

  it('a room whose last peer left unloads after the grace period, its final flush storing everything', async () => {
    const room = await registry.acquire('doc');
    await visit(room, 'hello');
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(registry.loadedNames()).toEqual(['doc']);
    await vi.advanceTimersByTimeAsync(1);
    await settle();
    expect(registry.loadedNames()).toEqual([]);
    expect(room.doc.isDestroyed).toBe(true);
    expect(metrics.roomsUnloaded).toBe(1);
    const stored = await storage.load('doc');
    expect(stored?.updates).toEqual([]); // compacted into one snapshot by the flush
    expect(await storedText('doc')).toBe('hello');
  });

  it('a room nobody joined after its load unloads after the grace period too', async () => {
    const room = await registry.acquire('doc');
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await settle();
    expect(registry.size).toBe(0);
    expect(room.doc.isDestroyed).toBe(true);
  });

  it('a join within the grace period keeps the room loaded', async () => {
    const room = await registry.acquire('doc');
    await visit(room, 'hello');
    await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
    expect(await registry.acquire('doc')).toBe(room);
    room.join(new FakePeer(99));
    await vi.advanceTimersByTimeAsync(GRACE_MS * 3);
    expect(registry.loadedNames()).toEqual(['doc']);
    expect(room.doc.isDestroyed).toBe(false);
    expect(storage.count('load doc')).toBe(1);
  });

  it('a join during an unload waits for the final flush, then gets a fresh room holding what was flushed', async () => {
    const first = await registry.acquire('doc');
    await visit(first, 'hello');
    const release = storage.hold('compact');
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect(storage.count('compact doc')).toBe(1); // the final flush is under way, and held
    let joined: Room | null = null;
    const acquiring = registry.acquire('doc').then((room) => (joined = room));
    await settle();
    expect(joined).toBeNull();
    expect(storage.count('load doc')).toBe(2); // the first load, and the compaction's own read
    release();
    await acquiring;
    expect(joined).not.toBe(first);
    expect(first.doc.isDestroyed).toBe(true);
    expect(joined!.doc.getText('t').toString()).toBe('hello');
    expect(registry.loadedNames()).toEqual(['doc']);
  });

  it('a final flush that fails keeps the room and its unsaved content loaded, and unloads it later by itself', async () => {
    const room = await registry.acquire('doc');
    storage.failing.add('append');
    await visit(room, 'unsaved');
    expect(store.unhealthyReason()).toMatch(/not saved/);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await settle();
    expect(registry.loadedNames()).toEqual(['doc']);
    expect(room.doc.isDestroyed).toBe(false);
    expect(metrics.roomsUnloaded).toBe(0);

    storage.failing.delete('append'); // the disk is back; nobody joins
    await vi.advanceTimersByTimeAsync(GRACE_MS * 2);
    await settle();
    expect(registry.loadedNames()).toEqual([]);
    expect(room.doc.isDestroyed).toBe(true);
    expect(await storedText('doc')).toBe('unsaved');
    expect(store.unhealthyReason()).toBeNull();
  });

  it('a join after a failed final flush finds the same room, unsaved content and all', async () => {
    const room = await registry.acquire('doc');
    storage.failing.add('append');
    await visit(room, 'unsaved');
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await settle();
    expect(await registry.acquire('doc')).toBe(room);
    expect(room.doc.getText('t').toString()).toBe('unsaved');
    expect(storage.count('load doc')).toBe(1);
  });

  it('a load that fails rejects every waiting acquire, and the next acquire loads again', async () => {
    storage.failing.add('load');
    const release = storage.hold('load');
    const acquiring = [registry.acquire('doc'), registry.acquire('doc')];
    release();
    for (const result of await Promise.allSettled(acquiring))
      expect(result.status).toBe('rejected');
    expect(metrics.loadFailures).toBe(1);
    expect(registry.size).toBe(0);
    storage.failing.delete('load');
    await expect(registry.acquire('doc')).resolves.toBeDefined();
  });

  it('closeAll flushes every room, also those with peers still in them, and destroys it', async () => {
    const one = await registry.acquire('one');
    const two = await registry.acquire('two');
    await visit(one, 'first');
    two.join(new FakePeer(99));
    const peer = new FakePeer(100);
    two.join(peer);
    two.handle(peer, {
      kind: 'sync-update',
      update: edit(new Y.Doc(), (d) => d.getText('t').insert(0, 'second')),
    });
    await registry.closeAll();
    expect(registry.size).toBe(0);
    expect([one.doc.isDestroyed, two.doc.isDestroyed]).toEqual([true, true]);
    expect([await storedText('one'), await storedText('two')]).toEqual(['first', 'second']);
    expect((await storage.load('two'))?.updates).toEqual([]);
  });
});
