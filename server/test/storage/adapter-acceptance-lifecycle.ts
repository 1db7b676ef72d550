/**
 * StorageAdapter acceptance, lifecycle (storage/lifecycle.ts): create exactly once, also
 * against a second writer on the same store, and tombstones that keep the content, survive a
 * reopen, and are purged with it.
 */
import { expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/index.js';
import type { DocumentLifecycle } from '../../src/storage/lifecycle.js';
import { bytes, withStore, type AdapterFactory } from './adapter-acceptance-support.js';

function lifecycleOf(store: StorageAdapter): DocumentLifecycle {
  expect(store.lifecycle, 'the adapter offers a lifecycle').toBeDefined();
  return store.lifecycle!;
}

export function describeLifecycle(factory: AdapterFactory): void {
  it('creates a document once: false for a name that has content or is being created', () =>
    withStore(factory, async ({ adapter: s, secondWriter }) => {
      const life = lifecycleOf(s);
      expect(await life.create('new', bytes(1, 2))).toBe(true);
      expect(await life.create('new', bytes(9))).toBe(false);
      expect((await s.load('new'))?.updates).toEqual([bytes(1, 2)]);
      await s.append('typed', bytes(3));
      expect(await life.create('typed', bytes(9))).toBe(false);
      // Appends after a create continue its log.
      await s.append('new', bytes(4));
      expect((await s.load('new'))?.updates).toEqual([bytes(1, 2), bytes(4)]);
      // Racing creates from two writers on one store: exactly one wins.
      const other = await secondWriter();
      try {
        for (let i = 0; i < 10; i++) {
          const results = await Promise.all([
            life.create(`race-${i}`, bytes(1)),
            lifecycleOf(other).create(`race-${i}`, bytes(2)),
            life.create(`race-${i}`, bytes(3)),
          ]);
          expect(results.filter(Boolean)).toHaveLength(1);
          const winner = [1, 2, 3][results.indexOf(true)]!;
          expect((await s.load(`race-${i}`))?.updates).toEqual([bytes(winner)]);
        }
      } finally {
        await other.close();
      }
    }));

  it('marks, reports and lifts tombstones, keeping the content', () =>
    withStore(factory, async ({ adapter: s }) => {
      const life = lifecycleOf(s);
      await s.append('doc', bytes(1));
      expect(await life.markDeleted('missing', 10)).toBe(false);
      expect(await life.markDeleted('doc', 10)).toBe(true);
      expect(await life.markDeleted('doc', 20)).toBe(false);
      expect(await life.deletedAt(['doc', 'missing'])).toEqual(new Map([['doc', 10]]));
      expect(await life.deletedAt([])).toEqual(new Map());
      expect((await s.load('doc'))?.updates).toEqual([bytes(1)]);
      // The name stays taken while it can be restored.
      expect(await life.create('doc', bytes(2))).toBe(false);
      expect(await life.unmarkDeleted('doc')).toBe(true);
      expect(await life.unmarkDeleted('doc')).toBe(false);
      expect(await life.deletedAt(['doc'])).toEqual(new Map());
    }));

  it('purges only documents deleted before the cut-off, content and tombstone together', () =>
    withStore(factory, async ({ adapter: s, reopen }) => {
      let store = s;
      for (const name of ['old', 'older', 'young', 'alive']) await store.append(name, bytes(1));
      await lifecycleOf(store).markDeleted('older', 100);
      await lifecycleOf(store).markDeleted('old', 200);
      await lifecycleOf(store).markDeleted('young', 900);
      if (reopen) {
        await store.close();
        store = await reopen();
        expect(await lifecycleOf(store).deletedAt(['old', 'older', 'young', 'alive'])).toEqual(
          new Map([
            ['older', 100],
            ['old', 200],
            ['young', 900],
          ]),
        );
      }
      const life = lifecycleOf(store);
      expect(await life.purgeDeleted(500, 1)).toEqual(['older']);
      expect(await life.purgeDeleted(500, 10)).toEqual(['old']);
      expect(await life.purgeDeleted(500, 10)).toEqual([]);
      for (const name of ['old', 'older']) expect(await store.load(name)).toBeNull();
      expect((await store.load('young'))?.updates).toEqual([bytes(1)]);
      expect((await store.list()).map((d) => d.name)).toEqual(['alive', 'young']);
      expect(await life.deletedAt(['old', 'older', 'young'])).toEqual(new Map([['young', 900]]));
      // A purged name is free again.
      expect(await life.create('old', bytes(5))).toBe(true);
      if (store !== s) await store.close();
    }));
}
