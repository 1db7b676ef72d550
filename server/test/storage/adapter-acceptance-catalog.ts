/**
 * StorageAdapter acceptance, catalog (storage/catalog.ts): titles kept beside the content and
 * listed with it, search over names and titles, and an atomic rename that moves content,
 * title and versions and leaves a tombstone on the old name.
 */
import { expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/index.js';
import type { DocumentCatalog } from '../../src/storage/catalog.js';
import { bytes, withStore, type AdapterFactory } from './adapter-acceptance-support.js';

function catalogOf(store: StorageAdapter): DocumentCatalog {
  expect(store.catalog, 'the adapter offers a catalog').toBeDefined();
  return store.catalog!;
}

export function describeCatalog(factory: AdapterFactory): void {
  it('keeps a title per stored document, lists it, and leaves updatedAt alone', () =>
    withStore(factory, async ({ adapter: s, reopen }) => {
      let store = s;
      await store.append('a', bytes(1));
      await store.append('b', bytes(2));
      const before = (await store.list()).find((d) => d.name === 'a')!.updatedAt;
      await catalogOf(store).setTitle('a', 'Plan for Q3');
      await catalogOf(store).setTitle('never-stored', 'Ghost');
      if (reopen) {
        await store.close();
        store = await reopen();
      }
      const listed = await store.list();
      expect(listed.map((d) => [d.name, d.title])).toEqual([
        ['a', 'Plan for Q3'],
        ['b', null],
      ]);
      expect(listed[0]!.updatedAt).toBe(before);
      await catalogOf(store).setTitle('a', null);
      expect((await store.list({ prefix: 'a' }))[0]!.title).toBeNull();
      if (store !== s) await store.close();
    }));

  it('searches names and titles, ASCII case-insensitively, with wildcards taken literally', () =>
    withStore(factory, async ({ adapter: s }) => {
      for (const name of ['alpha', 'beta', 'Gamma', 'x%_y', 'delta'])
        await s.append(name, bytes(1));
      await catalogOf(s).setTitle('beta', 'Quarterly PLAN');
      await catalogOf(s).setTitle('delta', 'Ünïcode Notes');
      const names = async (search: string, order: 'name' | 'recent' = 'name') =>
        (await s.list({ search, order })).map((d) => d.name);
      expect(await names('plan')).toEqual(['beta']);
      expect(await names('GAM')).toEqual(['Gamma']);
      expect(await names('a')).toEqual(['Gamma', 'alpha', 'beta', 'delta']);
      expect(await names('%_')).toEqual(['x%_y']);
      expect(await names('_')).toEqual(['x%_y']);
      expect(await names('Ünï')).toEqual(['delta']);
      expect(await names('nothing')).toEqual([]);
      expect(await s.list({ search: 'a', order: 'name', limit: 2 })).toHaveLength(2);
      expect((await names('a', 'recent')).sort()).toEqual(['Gamma', 'alpha', 'beta', 'delta']);
    }));

  it('renames atomically: content, log, title and versions move; the old name gets a tombstone', () =>
    withStore(factory, async ({ adapter: s }) => {
      const catalog = catalogOf(s);
      await s.append('old', bytes(1));
      await s.compact('old', bytes(9), { throughSeq: 1, baseSeq: 0 });
      await s.append('old', bytes(2));
      await catalog.setTitle('old', 'Title');
      await s.versions?.add({
        doc: 'old',
        createdAt: 5,
        kind: 'manual',
        authors: [],
        state: bytes(7),
        stateHash: 'h',
      });
      const head = (await s.load('old'))!.lastSeq;
      expect(await catalog.rename('old', 'new', 1_000)).toBe('renamed');
      expect(await s.load('old')).toBeNull();
      const moved = (await s.load('new'))!;
      expect(moved.snapshot).toEqual(bytes(9));
      expect(moved.updates).toEqual([bytes(2)]);
      // Appends continue after the moved log.
      expect(await s.append('new', bytes(3))).toBeGreaterThan(head);
      expect((await s.list()).map((d) => [d.name, d.title])).toEqual([['new', 'Title']]);
      expect((await s.versions?.list('new'))?.length).toBe(1);
      expect((await s.versions?.list('old'))?.length ?? 0).toBe(0);
      expect(await s.lifecycle!.deletedAt(['old', 'new'])).toEqual(new Map([['old', 1_000]]));
      expect(await catalog.renamedTo(['old', 'new', 'missing'])).toEqual(new Map([['old', 'new']]));
      expect(await catalog.renamedTo([])).toEqual(new Map());
      // A plain delete's tombstone names no new name.
      await s.lifecycle!.markDeleted('new', 2_000);
      expect(await catalog.renamedTo(['new'])).toEqual(new Map());
    }));

  it('refuses a rename from a missing or deleted name and onto a taken one', () =>
    withStore(factory, async ({ adapter: s }) => {
      const catalog = catalogOf(s);
      for (const name of ['a', 'b', 'gone']) await s.append(name, bytes(1));
      await s.lifecycle!.markDeleted('gone', 10);
      expect(await catalog.rename('missing', 'x', 1)).toBe('not-found');
      expect(await catalog.rename('gone', 'x', 1)).toBe('not-found');
      expect(await catalog.rename('a', 'b', 1)).toBe('exists');
      // A deleted document that can still be restored keeps its name.
      expect(await catalog.rename('a', 'gone', 1)).toBe('exists');
      expect((await s.load('a'))?.updates).toEqual([bytes(1)]);
      expect(await s.lifecycle!.deletedAt(['a', 'b'])).toEqual(new Map());
    }));

  it('renames back onto a name it left (its content-less tombstone is lifted)', () =>
    withStore(factory, async ({ adapter: s }) => {
      const catalog = catalogOf(s);
      await s.append('a', bytes(1));
      expect(await catalog.rename('a', 'b', 1)).toBe('renamed');
      expect(await catalog.rename('b', 'a', 2)).toBe('renamed');
      expect((await s.load('a'))?.updates).toEqual([bytes(1)]);
      expect(await s.lifecycle!.deletedAt(['a', 'b'])).toEqual(new Map([['b', 2]]));
    }));

  it('of racing renames onto one name from two writers, exactly one wins', () =>
    withStore(factory, async ({ adapter: s, secondWriter }) => {
      const other = await secondWriter();
      try {
        for (let i = 0; i < 5; i++) {
          await s.append(`p${i}`, bytes(1));
          await s.append(`q${i}`, bytes(2));
          const results = await Promise.all([
            catalogOf(s).rename(`p${i}`, `t${i}`, 1),
            catalogOf(other).rename(`q${i}`, `t${i}`, 1),
          ]);
          expect([...results].sort()).toEqual(['exists', 'renamed']);
          const winner = results[0] === 'renamed' ? bytes(1) : bytes(2);
          expect((await s.load(`t${i}`))!.updates).toEqual([winner]);
        }
      } finally {
        await other.close();
      }
    }));
}
