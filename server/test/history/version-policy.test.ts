/**
 * VersionPolicy on fake timers over MemoryStorage's version store: a version after a pause in
 * editing, on the last leave and on unload when something changed; nothing new when nothing
 * changed; saves before restores and API writes hold the state at the moment they were asked
 * for; labelled saves; authors per version; a failed save hands its authors to the next one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { MemoryStorage } from '../../src/index.js';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { VersionPolicy, type VersionedRoom } from '../../src/history/version-policy.js';
import { decodeVersion, textOf, TEXT_NAME } from '../../src/history/version-state.js';
import type { VersionStore } from '../../src/history/version-store.js';
import type { ChangeOrigin } from '../../src/room/change-origin.js';
import type { Peer } from '../../src/room/peer.js';

const IDLE_MS = 120_000;

/** A room as history sees it; `names` is what authorName answers per peer. */
class FakeRoom implements VersionedRoom {
  readonly doc = new Y.Doc();
  readonly names = new Map<Peer, string>();
  constructor(readonly name: string) {}
  authorName(peer: Peer): string | null {
    return this.names.get(peer) ?? null;
  }
  /** Types `text` at the end, as `origin`, and tells the policy (as room.ts route() does). */
  type(policy: VersionPolicy, text: string, origin: ChangeOrigin): void {
    const t = this.doc.getText(TEXT_NAME);
    t.insert(t.length, text);
    policy.changed(this, origin);
  }
}

const peer = () => ({}) as Peer;
const from = (p: Peer): ChangeOrigin => ({ kind: 'connection', peer: p });

describe('VersionPolicy', () => {
  let storage: MemoryStorage;
  let versions: VersionStore;
  let metrics: Metrics;
  let policy: VersionPolicy;
  let room: FakeRoom;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    storage = new MemoryStorage();
    versions = storage.versions;
    metrics = new Metrics();
    policy = new VersionPolicy({
      versions,
      log: silentLogger,
      metrics,
      autoVersionIdleMs: IDLE_MS,
    });
    room = new FakeRoom('doc');
  });

  afterEach(() => {
    policy.close();
    vi.useRealTimers();
  });

  const listed = () => versions.list('doc');

  it('saves an automatic version once editing has paused for the idle time', async () => {
    const alice = peer();
    room.type(policy, 'a', from(alice));
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1_000);
    room.type(policy, 'b', from(alice)); // still typing: the pause starts again
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1_000);
    await policy.drain();
    expect(await listed()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    await policy.drain();
    const [saved] = await listed();
    expect(saved).toMatchObject({ kind: 'auto', createdAt: Date.now() });
    const state = await versions.get('doc', saved!.id);
    expect(textOf(await decodeVersion(state!.state))).toBe('ab');
    expect(metrics.versionsSaved).toBe(1);
  });

  it('saves on the last leave when something changed, and nothing when nothing did', async () => {
    policy.emptied(room); // nothing ever changed
    await policy.drain();
    expect(await listed()).toEqual([]);
    room.type(policy, 'x', from(peer()));
    policy.emptied(room);
    await policy.drain();
    expect((await listed()).map((v) => v.kind)).toEqual(['leave']);
    // The pause timer was cancelled by that save: no second version after the idle time.
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    policy.emptied(room);
    await policy.drain();
    expect(await listed()).toHaveLength(1);
  });

  it('saves what changed when a room unloads without anyone leaving (an API-only room)', async () => {
    room.type(policy, 'from the api', { kind: 'api', actor: 'importer' });
    policy.unloaded(room);
    await policy.drain();
    expect(await listed()).toMatchObject([{ kind: 'auto', authors: ['importer'] }]);
    // Forgotten: no timer fires later.
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    await policy.drain();
    expect(await listed()).toHaveLength(1);
  });

  it('a forgotten room (its document was deleted) saves nothing, even when it changed', async () => {
    room.type(policy, 'doomed', from(peer()));
    policy.forget(room);
    policy.emptied(room);
    policy.unloaded(room);
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    await policy.drain();
    expect(await listed()).toEqual([]);
  });

  it('an unchanged document saves nothing new: the newest version is the answer', async () => {
    room.type(policy, 'hello', from(peer()));
    const first = await policy.saveNow(room);
    expect(first).toEqual({ id: expect.any(Number), created: true });
    expect(await policy.saveNow(room)).toEqual({ id: first!.id, created: false });
    expect(await policy.saveBefore(room, 'restore')).toEqual({ id: first!.id, created: false });
    expect(await policy.saveBefore(room, 'api', 'bot')).toEqual({ id: first!.id, created: false });
    expect(await listed()).toHaveLength(1);
    expect(metrics.versionsUnchanged).toBe(3);
    // A deletion is a change even though the state vector stays the same.
    room.doc.getText(TEXT_NAME).delete(0, 1);
    expect((await policy.saveNow(room))?.created).toBe(true);
  });

  it('a labelled save stores a version even of an unchanged document, once per label', async () => {
    room.type(policy, 'v1', from(peer()));
    const plain = await policy.saveNow(room);
    const named = await policy.saveNow(room, 'Release 1');
    expect(named?.created).toBe(true);
    expect(named?.id).not.toBe(plain?.id);
    expect((await listed())[0]).toMatchObject({ kind: 'manual', label: 'Release 1' });
    // The same request again (a resend) finds that version; another label saves another.
    expect(await policy.saveNow(room, 'Release 1')).toEqual({ id: named!.id, created: false });
    expect((await policy.saveNow(room, 'Release 1b'))?.created).toBe(true);
    expect(await listed()).toHaveLength(3);
  });

  it('a document nothing was ever written to saves nothing, unless asked to', async () => {
    expect(await policy.saveBefore(room, 'api')).toBeNull();
    expect(await policy.saveBefore(room, 'restore')).toBeNull();
    policy.unloaded(room);
    await policy.drain();
    expect(await listed()).toEqual([]);
    expect((await policy.saveNow(room, 'empty on purpose'))?.created).toBe(true);
  });

  it('saveBefore holds the state at the moment it was called', async () => {
    room.type(policy, 'before', from(peer()));
    const saving = policy.saveBefore(room, 'restore', 'alice');
    room.doc.getText(TEXT_NAME).insert(0, 'after ');
    const saved = await saving;
    const stored = await versions.get('doc', saved!.id);
    expect(stored?.kind).toBe('restore');
    expect(textOf(await decodeVersion(stored!.state))).toBe('before');
  });

  it('records who changed the document since the previous version, in order', async () => {
    const alice = peer();
    const bob = peer();
    const late = peer();
    room.names.set(alice, 'alice');
    room.names.set(bob, 'Bob B.');
    room.type(policy, '1', from(bob));
    room.type(policy, '2', from(alice));
    room.type(policy, '3', from(bob));
    room.type(policy, '4', { kind: 'api', actor: 'importer' });
    room.type(policy, '5', { kind: 'api' }); // an anonymous API caller names nobody
    room.type(policy, '6', { kind: 'bus' }); // another instance's change: that one records it
    room.type(policy, '7', from(late)); // no name yet at its first change…
    room.names.set(late, 'Late L.'); // …but announced before the save
    await policy.saveNow(room);
    expect((await listed())[0]?.authors).toEqual(['Bob B.', 'alice', 'importer', 'Late L.']);
    // The next version names only who changed it since.
    room.type(policy, '8', from(alice));
    await policy.saveNow(room);
    expect((await listed())[0]?.authors).toEqual(['alice']);
  });

  it('a change from another instance neither starts the pause timer nor marks the room', async () => {
    room.type(policy, 'remote', { kind: 'bus' });
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    policy.emptied(room);
    policy.unloaded(room);
    await policy.drain();
    expect(await listed()).toEqual([]);
  });

  it('a failed save is counted and its authors go to the next version', async () => {
    const alice = peer();
    room.names.set(alice, 'alice');
    room.type(policy, 'x', from(alice));
    const add = vi.spyOn(versions, 'add').mockRejectedValueOnce(new Error('disk full'));
    await expect(policy.saveNow(room)).rejects.toThrow('disk full');
    expect(metrics.versionSaveFailures).toBe(1);
    add.mockRestore();
    // Still marked changed: the last leave saves it, with alice as its author.
    policy.emptied(room);
    await policy.drain();
    expect(await listed()).toMatchObject([{ kind: 'leave', authors: ['alice'] }]);
  });

  it('saves of one document run in order, each against the one before', async () => {
    room.type(policy, 'a', from(peer()));
    const results = await Promise.all([
      policy.saveNow(room),
      policy.saveNow(room),
      policy.saveBefore(room, 'api'),
    ]);
    expect(results.map((r) => r?.created)).toEqual([true, false, false]);
    expect(await listed()).toHaveLength(1);
  });

  it('with the idle time 0, no version is saved after a pause', async () => {
    policy.close();
    policy = new VersionPolicy({ versions, log: silentLogger, metrics, autoVersionIdleMs: 0 });
    room.type(policy, 'a', from(peer()));
    await vi.advanceTimersByTimeAsync(IDLE_MS * 10);
    await policy.drain();
    expect(await listed()).toEqual([]);
  });
});
