/**
 * The contract every StorageAdapter must meet. Each adapter's test file calls
 * `describeStorageAdapter` with a factory; `reopen` opens the same store again (persistent
 * adapters: data outlives a close) and `secondWriter` opens a second handle on it while the first
 * is open (two processes on one SQLite file, two instances on one database). The cases are split
 * by topic: this file (one writer), adapter-acceptance-list.ts, adapter-acceptance-writers.ts
 * and adapter-acceptance-catchup.ts (the reads a bus receiver catches up from).
 */
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/index.js';
import { describeCatalog } from './adapter-acceptance-catalog.js';
import { describeCatchUpReads } from './adapter-acceptance-catchup.js';
import { describeLifecycle } from './adapter-acceptance-lifecycle.js';
import { describeListing } from './adapter-acceptance-list.js';
import { describeTwoWriters } from './adapter-acceptance-writers.js';
import { bytes, through, withStore, type AdapterFactory } from './adapter-acceptance-support.js';

export type { AdapterFactory } from './adapter-acceptance-support.js';

export function describeStorageAdapter(name: string, factory: AdapterFactory): void {
  describe(`StorageAdapter acceptance: ${name}`, () => {
    const run = (
      fn: (s: StorageAdapter, reopen?: () => Promise<StorageAdapter>) => Promise<void>,
    ) => withStore(factory, ({ adapter, reopen }) => fn(adapter, reopen));

    it('returns null for a document that was never stored', () =>
      run(async (s) => {
        expect(await s.load('missing')).toBeNull();
      }));

    it('returns appended updates in order with increasing sequence numbers', () =>
      run(async (s) => {
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
      run(async (s) => {
        await s.append('a', bytes(1));
        await s.append('b', bytes(2));
        expect((await s.load('a'))?.updates).toEqual([bytes(1)]);
        expect((await s.load('b'))?.updates).toEqual([bytes(2)]);
      }));

    it('does not keep references to the caller buffers', () =>
      run(async (s) => {
        const update = bytes(7, 7);
        await s.append('doc', update);
        update[0] = 0;
        expect((await s.load('doc'))?.updates[0]).toEqual(bytes(7, 7));
      }));

    it('compaction replaces the snapshot and drops only the covered updates', () =>
      run(async (s) => {
        await s.append('doc', bytes(1));
        const second = await s.append('doc', bytes(2));
        await s.append('doc', bytes(3));
        expect(await s.compact('doc', bytes(9, 9), through(second))).toBe(true);
        const loaded = await s.load('doc');
        expect(loaded?.snapshot).toEqual(bytes(9, 9));
        expect(loaded?.updates).toEqual([bytes(3)]);
        expect(loaded?.compactedThrough).toBe(second);
      }));

    it('compaction of a document with no log stores the snapshot', () =>
      run(async (s) => {
        await s.compact('doc', bytes(5), through(0));
        expect(await s.load('doc')).toEqual({
          snapshot: bytes(5),
          updates: [],
          lastSeq: 0,
          compactedThrough: 0,
        });
      }));

    it('a second compaction returns only the updates after its own throughSeq', () =>
      run(async (s) => {
        await s.append('doc', bytes(1));
        const first = await s.append('doc', bytes(2));
        await s.compact('doc', bytes(7), through(first));
        const second = await s.append('doc', bytes(3));
        await s.append('doc', bytes(4));
        await s.compact('doc', bytes(8), through(second, first));
        const loaded = await s.load('doc');
        expect(loaded?.snapshot).toEqual(bytes(8));
        expect(loaded?.updates).toEqual([bytes(4)]);
        expect(loaded?.damaged).toBeUndefined();
      }));

    it('a compaction computed from a read that another compaction has overtaken changes nothing', () =>
      run(async (s) => {
        const first = await s.append('doc', bytes(1));
        const base = (await s.load('doc'))!.compactedThrough;
        expect(await s.compact('doc', bytes(7), through(first, base))).toBe(true);
        const second = await s.append('doc', bytes(2));
        // Still naming the snapshot the first compaction replaced: refused, nothing dropped.
        expect(await s.compact('doc', bytes(9), through(second, base))).toBe(false);
        expect(await s.load('doc')).toMatchObject({
          snapshot: bytes(7),
          updates: [bytes(2)],
          compactedThrough: first,
        });
      }));

    it('sequence numbers keep increasing after compaction', () =>
      run(async (s) => {
        const first = await s.append('doc', bytes(1));
        await s.compact('doc', bytes(1), through(first));
        const next = await s.append('doc', bytes(2));
        expect(next).toBeGreaterThan(first);
      }));

    it('lists stored documents with size and update time', () =>
      run(async (s) => {
        const before = Date.now();
        await s.append('a', bytes(1, 2, 3));
        await s.compact('b', bytes(4, 5), through(0));
        const list = (await s.list()).sort((x, y) => x.name.localeCompare(y.name));
        expect(list.map((d) => d.name)).toEqual(['a', 'b']);
        expect(list[0]?.size).toBe(3);
        expect(list[1]?.size).toBe(2);
        for (const d of list) expect(d.updatedAt).toBeGreaterThanOrEqual(before - 1000);
      }));

    it('deletes a document and its log', () =>
      run(async (s) => {
        await s.append('doc', bytes(1));
        await s.delete('doc');
        await s.delete('never-existed');
        expect(await s.load('doc')).toBeNull();
        expect(await s.list()).toEqual([]);
      }));

    it('sync resolves after writes', () =>
      run(async (s) => {
        await s.append('doc', bytes(1));
        await expect(s.sync()).resolves.toBeUndefined();
      }));

    it('keeps what was written across a reopen (persistent adapters)', () =>
      run(async (s, reopen) => {
        if (!reopen) return; // ephemeral adapters have nothing to check here
        const seq = await s.append('doc', bytes(1));
        await s.compact('doc', bytes(8), through(seq));
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
      run(async (s) => {
        await s.append('Doc', bytes(1));
        await s.append('doc', bytes(2));
        await s.append('team/é', bytes(3));
        expect((await s.load('Doc'))?.updates).toEqual([bytes(1)]);
        expect((await s.load('doc'))?.updates).toEqual([bytes(2)]);
        expect((await s.load('team/é'))?.updates).toEqual([bytes(3)]);
      }));

    describeListing(factory);
    describeLifecycle(factory);
    describeTwoWriters(factory);
    describeCatchUpReads(factory);
    describeCatalog(factory);
  });
}
