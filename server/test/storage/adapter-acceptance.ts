/**
 * The contract every StorageAdapter must meet. Each adapter's test file calls
 * `describeStorageAdapter` with a factory; the factory may be called several times for one
 * `location` to check that data outlives a close (persistent adapters).
 */
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/index.js';

export interface AdapterFactory {
  /** A fresh, empty store. */
  create(): Promise<{
    adapter: StorageAdapter;
    reopen?: () => Promise<StorageAdapter>;
    cleanup(): Promise<void>;
  }>;
}

const bytes = (...values: number[]) => Uint8Array.from(values);

export function describeStorageAdapter(name: string, factory: AdapterFactory): void {
  describe(`StorageAdapter acceptance: ${name}`, () => {
    const withStore = async (
      fn: (s: StorageAdapter, reopen?: () => Promise<StorageAdapter>) => Promise<void>,
    ) => {
      const { adapter, reopen, cleanup } = await factory.create();
      try {
        await fn(adapter, reopen);
      } finally {
        await adapter.close().catch(() => {});
        await cleanup();
      }
    };

    it('returns null for a document that was never stored', () =>
      withStore(async (s) => {
        expect(await s.load('missing')).toBeNull();
      }));

    it('returns appended updates in order with increasing sequence numbers', () =>
      withStore(async (s) => {
        const a = await s.append('doc', bytes(1));
        const b = await s.append('doc', bytes(2, 2));
        const c = await s.append('doc', bytes(3, 3, 3));
        expect(a).toBeLessThan(b);
        expect(b).toBeLessThan(c);
        const loaded = await s.load('doc');
        expect(loaded?.snapshot).toBeNull();
        expect(loaded?.updates).toEqual([bytes(1), bytes(2, 2), bytes(3, 3, 3)]);
        expect(loaded?.lastSeq).toBe(c);
      }));

    it('keeps documents apart', () =>
      withStore(async (s) => {
        await s.append('a', bytes(1));
        await s.append('b', bytes(2));
        expect((await s.load('a'))?.updates).toEqual([bytes(1)]);
        expect((await s.load('b'))?.updates).toEqual([bytes(2)]);
      }));

    it('does not keep references to the caller buffers', () =>
      withStore(async (s) => {
        const update = bytes(7, 7);
        await s.append('doc', update);
        update[0] = 0;
        expect((await s.load('doc'))?.updates[0]).toEqual(bytes(7, 7));
      }));

    it('compaction replaces the snapshot and drops only the covered updates', () =>
      withStore(async (s) => {
        await s.append('doc', bytes(1));
        const second = await s.append('doc', bytes(2));
        await s.append('doc', bytes(3));
        await s.compact('doc', bytes(9, 9), second);
        const loaded = await s.load('doc');
        expect(loaded?.snapshot).toEqual(bytes(9, 9));
        expect(loaded?.updates).toEqual([bytes(3)]);
      }));

    it('compaction of a document with no log stores the snapshot', () =>
      withStore(async (s) => {
        await s.compact('doc', bytes(5), 0);
        expect(await s.load('doc')).toEqual({ snapshot: bytes(5), updates: [], lastSeq: 0 });
      }));

    it('a second compaction returns only the updates after its own throughSeq', () =>
      withStore(async (s) => {
        await s.append('doc', bytes(1));
        const first = await s.append('doc', bytes(2));
        await s.compact('doc', bytes(7), first);
        const second = await s.append('doc', bytes(3));
        await s.append('doc', bytes(4));
        await s.compact('doc', bytes(8), second);
        const loaded = await s.load('doc');
        expect(loaded?.snapshot).toEqual(bytes(8));
        expect(loaded?.updates).toEqual([bytes(4)]);
        expect(loaded?.damaged).toBeUndefined();
      }));

    it('sequence numbers keep increasing after compaction', () =>
      withStore(async (s) => {
        const first = await s.append('doc', bytes(1));
        await s.compact('doc', bytes(1), first);
        const next = await s.append('doc', bytes(2));
        expect(next).toBeGreaterThan(first);
      }));

    it('lists stored documents with size and update time', () =>
      withStore(async (s) => {
        const before = Date.now();
        await s.append('a', bytes(1, 2, 3));
        await s.compact('b', bytes(4, 5), 0);
        const list = (await s.list()).sort((x, y) => x.name.localeCompare(y.name));
        expect(list.map((d) => d.name)).toEqual(['a', 'b']);
        expect(list[0]?.size).toBe(3);
        expect(list[1]?.size).toBe(2);
        for (const d of list) expect(d.updatedAt).toBeGreaterThanOrEqual(before - 1000);
      }));

    it('deletes a document and its log', () =>
      withStore(async (s) => {
        await s.append('doc', bytes(1));
        await s.delete('doc');
        await s.delete('never-existed');
        expect(await s.load('doc')).toBeNull();
        expect(await s.list()).toEqual([]);
      }));

    it('sync resolves after writes', () =>
      withStore(async (s) => {
        await s.append('doc', bytes(1));
        await expect(s.sync()).resolves.toBeUndefined();
      }));

    it('keeps what was written across a reopen (persistent adapters)', () =>
      withStore(async (s, reopen) => {
        if (!reopen) return; // ephemeral adapters have nothing to check here
        const seq = await s.append('doc', bytes(1));
        await s.compact('doc', bytes(8), seq);
        await s.append('doc', bytes(2));
        await s.close();
        const again = await reopen();
        try {
          expect(await again.load('doc')).toMatchObject({
            snapshot: bytes(8),
            updates: [bytes(2)],
          });
        } finally {
          await again.close();
        }
      }));

    it('stores names as given: case, Unicode and slashes are distinct keys', () =>
      withStore(async (s) => {
        await s.append('Doc', bytes(1));
        await s.append('doc', bytes(2));
        await s.append('team/é', bytes(3));
        expect((await s.load('Doc'))?.updates).toEqual([bytes(1)]);
        expect((await s.load('doc'))?.updates).toEqual([bytes(2)]);
        expect((await s.load('team/é'))?.updates).toEqual([bytes(3)]);
      }));
  });
}
