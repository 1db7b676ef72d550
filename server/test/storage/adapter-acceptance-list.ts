/** StorageAdapter acceptance, listing: pages by name or recency, prefixes, cursors. */
import { expect, it } from 'vitest';
import { listCursor, type StorageAdapter } from '../../src/index.js';
import { bytes, withStore, type AdapterFactory } from './adapter-acceptance-support.js';

/** Every page of a listing, following cursors. */
async function allPages(
  store: StorageAdapter,
  options: { prefix?: string; order?: 'name' | 'recent'; limit: number },
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await store.list({ ...options, ...(cursor === undefined ? {} : { cursor }) });
    if (page.length === 0) break;
    pages.push(page.map((d) => d.name));
    cursor = listCursor(page.at(-1)!, options.order);
  }
  return pages;
}

export function describeListing(factory: AdapterFactory): void {
  it('lists in name order (UTF-8 bytes, case-sensitive), a page at a time', () =>
    withStore(factory, async ({ adapter: s }) => {
      for (const name of ['b', 'a/2', 'B', 'a/10', 'é', 'a']) await s.append(name, bytes(1));
      expect((await s.list()).map((d) => d.name)).toEqual(['B', 'a', 'a/10', 'a/2', 'b', 'é']);
      expect(await allPages(s, { limit: 4 })).toEqual([
        ['B', 'a', 'a/10', 'a/2'],
        ['b', 'é'],
      ]);
    }));

  it('lists only names with a prefix, wildcard characters taken literally', () =>
    withStore(factory, async ({ adapter: s }) => {
      for (const name of ['team/a', 'team/b', 'teamx', 'other', 'te*m/c']) {
        await s.append(name, bytes(1));
      }
      expect((await s.list({ prefix: 'team/' })).map((d) => d.name)).toEqual(['team/a', 'team/b']);
      expect((await s.list({ prefix: 'te*' })).map((d) => d.name)).toEqual(['te*m/c']);
      expect(await allPages(s, { prefix: 'team', limit: 1 })).toEqual([
        ['team/a'],
        ['team/b'],
        ['teamx'],
      ]);
    }));

  it('lists by recency, newest change first, and pages through equal times by name', () =>
    withStore(factory, async ({ adapter: s }) => {
      for (const name of ['old', 'middle', 'new']) {
        await s.append(name, bytes(1));
        await new Promise((resolve) => setTimeout(resolve, 5)); // distinct times
      }
      await s.append('old', bytes(2)); // an append makes a document recent again
      expect((await s.list({ order: 'recent' })).map((d) => d.name)).toEqual([
        'old',
        'new',
        'middle',
      ]);
      const pages = await allPages(s, { order: 'recent', limit: 2 });
      expect(pages.flat()).toEqual(['old', 'new', 'middle']);
    }));

  it('a compaction changes no content, so it leaves a document where it is in the recent order', () =>
    withStore(factory, async ({ adapter: s }) => {
      const first = await s.append('older', bytes(1));
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct times
      await s.append('newer', bytes(2));
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await s.compact('older', bytes(9), { throughSeq: first, baseSeq: 0 })).toBe(true);
      expect((await s.list({ order: 'recent' })).map((d) => d.name)).toEqual(['newer', 'older']);
    }));

  it('answers an unknown cursor with an empty page, never with everything', () =>
    withStore(factory, async ({ adapter: s }) => {
      await s.append('a', bytes(1));
      expect(await s.list({ cursor: 'not-a-cursor' })).toEqual([]);
    }));
}
