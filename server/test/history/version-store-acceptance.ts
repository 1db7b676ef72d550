/**
 * The contract every VersionStore (StorageAdapter.versions) must meet, run for memory, SQLite
 * and PostgreSQL by version-store.test.ts on the storage acceptance suite's factories.
 */
import { describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/index.js';
import type { NewVersion, VersionStore } from '../../src/history/version-store.js';
import { withStore, type AdapterFactory } from '../storage/adapter-acceptance-support.js';

let clock = 1_700_000_000_000;
/** A version of `doc`, one second after the previous one unless told otherwise. */
export function version(doc: string, overrides: Partial<NewVersion> = {}): NewVersion {
  clock += 1_000;
  return {
    doc,
    createdAt: clock,
    kind: 'auto',
    authors: [],
    state: Uint8Array.from([1, 0, 2, 0, 255]),
    stateHash: `hash-${clock}`,
    ...overrides,
  };
}

function versionsOf(adapter: StorageAdapter): VersionStore {
  if (!adapter.versions) throw new Error('this adapter has no version store');
  return adapter.versions;
}

/** `persistent`: what is written outlives a close (the factory gives `reopen`). */
export function describeVersionStore(
  name: string,
  factory: AdapterFactory,
  { persistent }: { persistent: boolean },
): void {
  describe(`VersionStore acceptance: ${name}`, () => {
    const run = (fn: (v: VersionStore, s: StorageAdapter) => Promise<void>) =>
      withStore(factory, ({ adapter }) => fn(versionsOf(adapter), adapter));

    it('lists nothing and finds nothing for a document without versions', () =>
      run(async (v) => {
        expect(await v.list('doc')).toEqual([]);
        expect(await v.latest('doc')).toBeNull();
        expect(await v.get('doc', 1)).toBeNull();
        expect(await v.documents({ limit: 10 })).toEqual([]);
      }));

    it('stores a version and gives back its fields and state', () =>
      run(async (v) => {
        const state = new Uint8Array(70_000).map((_, i) => (i * 7) % 256);
        const input = version('doc', {
          kind: 'manual',
          label: 'Before the "big" edit — ünïcode',
          authors: ['alice', 'Bob Ü'],
          state,
          stateHash: 'abc',
        });
        const id = await v.add(input);
        expect(Number.isInteger(id) && id > 0).toBe(true);
        state[0] = 99; // the store must not keep the caller's buffer
        const got = await v.get('doc', id);
        expect(got).toEqual({
          id,
          doc: 'doc',
          createdAt: input.createdAt,
          kind: 'manual',
          label: 'Before the "big" edit — ünïcode',
          authors: ['alice', 'Bob Ü'],
          state: new Uint8Array(70_000).map((_, i) => (i * 7) % 256),
          stateHash: 'abc',
        });
        expect(await v.list('doc')).toEqual([
          {
            id,
            createdAt: input.createdAt,
            kind: 'manual',
            label: 'Before the "big" edit — ünïcode',
            authors: ['alice', 'Bob Ü'],
          },
        ]);
      }));

    it('has no label key on an unlabelled version', () =>
      run(async (v) => {
        const id = await v.add(version('doc'));
        const [info] = await v.list('doc');
        expect(info).not.toHaveProperty('label');
        expect(await v.get('doc', id)).not.toHaveProperty('label');
      }));

    it('gives increasing ids and lists newest first, by time then id', () =>
      run(async (v) => {
        const a = await v.add(version('doc'));
        const b = await v.add(version('doc'));
        const at = Date.UTC(2030, 0, 1);
        const c = await v.add(version('doc', { createdAt: at }));
        const d = await v.add(version('doc', { createdAt: at }));
        expect(a < b && b < c && c < d).toBe(true);
        expect((await v.list('doc')).map((x) => x.id)).toEqual([d, c, b, a]);
        expect(await v.latest('doc')).toEqual({ id: d, stateHash: expect.any(String) });
      }));

    it('keeps documents apart: a version is found only under its own document', () =>
      run(async (v) => {
        const a = await v.add(version('a', { stateHash: 'ha' }));
        const b = await v.add(version('b', { stateHash: 'hb' }));
        expect(await v.get('a', b)).toBeNull();
        expect(await v.get('b', a)).toBeNull();
        expect((await v.list('a')).map((x) => x.id)).toEqual([a]);
        expect(await v.latest('b')).toEqual({ id: b, stateHash: 'hb' });
        expect(await v.remove('a', [b])).toBe(0);
        expect(await v.get('b', b)).not.toBeNull();
      }));

    it('pages with limit and before', () =>
      run(async (v) => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) ids.push(await v.add(version('doc')));
        const newestFirst = [...ids].reverse();
        expect((await v.list('doc', { limit: 2 })).map((x) => x.id)).toEqual(
          newestFirst.slice(0, 2),
        );
        expect(
          (await v.list('doc', { before: newestFirst[1]!, limit: 2 })).map((x) => x.id),
        ).toEqual(newestFirst.slice(2, 4));
        expect((await v.list('doc', { before: newestFirst[3]! })).map((x) => x.id)).toEqual(
          newestFirst.slice(4),
        );
        // An id this document does not have continues nothing.
        expect(await v.list('doc', { before: 999_999 })).toEqual([]);
      }));

    it('removes exactly the versions named, and says how many', () =>
      run(async (v) => {
        const ids: number[] = [];
        for (let i = 0; i < 4; i++) ids.push(await v.add(version('doc')));
        expect(await v.remove('doc', [ids[0]!, ids[2]!, 424_242])).toBe(2);
        expect((await v.list('doc')).map((x) => x.id)).toEqual([ids[3], ids[1]]);
        expect(await v.remove('doc', [])).toBe(0);
        expect(await v.get('doc', ids[0]!)).toBeNull();
      }));

    it('names the documents that have versions, in code point order, a page at a time', () =>
      run(async (v) => {
        const names = ['b', 'a/x', 'a', 'é', 'z%_', "it's", 'Z'];
        for (const n of names) await v.add(version(n));
        await v.add(version('a'));
        const sorted = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
        expect(await v.documents({ limit: 100 })).toEqual(sorted);
        const first = await v.documents({ limit: 3 });
        expect(first).toEqual(sorted.slice(0, 3));
        expect(await v.documents({ after: first.at(-1)!, limit: 100 })).toEqual(sorted.slice(3));
        // A document whose versions are all removed is no longer named.
        for (const info of await v.list('b')) await v.remove('b', [info.id]);
        expect(await v.documents({ limit: 100 })).not.toContain('b');
      }));

    it('deleting a document from the adapter deletes its versions, and only its', () =>
      run(async (v, s) => {
        await s.append('gone', Uint8Array.from([1]));
        await s.append('kept', Uint8Array.from([2]));
        await v.add(version('gone'));
        const kept = await v.add(version('kept'));
        await s.delete('gone');
        expect(await v.list('gone')).toEqual([]);
        expect(await v.latest('gone')).toBeNull();
        expect((await v.list('kept')).map((x) => x.id)).toEqual([kept]);
      }));

    // Memory: nothing outlives the process, by design.
    if (persistent) {
      it('keeps versions across a reopen', () =>
        withStore(factory, async ({ adapter, reopen }) => {
          if (!reopen) throw new Error('a persistent store needs reopen');
          const id = await versionsOf(adapter).add(
            version('doc', { label: 'kept', authors: ['a'] }),
          );
          await adapter.sync();
          await adapter.close();
          const again = await reopen();
          try {
            const got = await versionsOf(again).get('doc', id);
            expect(got?.label).toBe('kept');
            expect(got?.authors).toEqual(['a']);
            // Ids keep increasing after a reopen.
            expect(await versionsOf(again).add(version('doc'))).toBeGreaterThan(id);
          } finally {
            await again.close();
          }
        }));
    }

    it('sees versions written by a second handle on the same store', () =>
      withStore(factory, async ({ adapter, secondWriter }) => {
        const other = await secondWriter();
        try {
          const otherVersions = versionsOf(other);
          const a = await versionsOf(adapter).add(version('doc'));
          const b = await otherVersions.add(version('doc'));
          expect(a).not.toBe(b);
          expect((await versionsOf(adapter).list('doc')).map((x) => x.id)).toEqual([b, a]);
        } finally {
          await other.close();
        }
      }));
  });
}
