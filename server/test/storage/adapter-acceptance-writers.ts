/**
 * StorageAdapter acceptance, two writers on one store (two processes on one SQLite file, two
 * instances on one database): interleaved appends, compactions racing each other and racing
 * appends. Real Yjs updates are used so "nothing lost" can be checked on the document itself.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import type { StorageAdapter } from '../../src/index.js';
import { withStore, type AdapterFactory } from './adapter-acceptance-support.js';

/** A writer with its own replica: each insert is one Yjs update, with a marker to find later. */
function writer(clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  let n = 0;
  return {
    markers: [] as string[],
    next(): Uint8Array {
      const marker = `<${clientID}.${n++}>`;
      this.markers.push(marker);
      const before = Y.encodeStateVector(doc);
      doc.getText('t').insert(0, marker);
      return Y.encodeStateAsUpdate(doc, before);
    },
  };
}

/** The document a store holds for `name`, rebuilt from its rows. */
async function textIn(store: StorageAdapter, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

/** A compaction as persistence does it: read the rows, rebuild, compare-and-set. `between` runs
 * after the read and before the write (another writer's work in that window). */
async function compactFromRows(
  store: StorageAdapter,
  name: string,
  between: () => Promise<void> = async () => {},
): Promise<boolean> {
  const stored = (await store.load(name))!;
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.updates) Y.applyUpdate(doc, update);
  await between();
  return store.compact(name, Y.encodeStateAsUpdate(doc), {
    throughSeq: Math.max(stored.lastSeq, stored.compactedThrough),
    baseSeq: stored.compactedThrough,
  });
}

export function describeTwoWriters(factory: AdapterFactory): void {
  it('two writers: interleaved appends are all kept, in commit order, visible to both', () =>
    withStore(factory, async ({ adapter: a, secondWriter }) => {
      const b = await secondWriter();
      const [wa, wb] = [writer(1), writer(2)];
      const seqs: number[] = [];
      for (let i = 0; i < 20; i++)
        seqs.push(await (i % 3 === 0 ? b : a).append('doc', (i % 3 === 0 ? wb : wa).next()));
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      for (const store of [a, b]) {
        const text = await textIn(store, 'doc');
        for (const marker of [...wa.markers, ...wb.markers]) expect(text).toContain(marker);
        expect((await store.load('doc'))!.lastSeq).toBe(seqs.at(-1));
      }
      await b.close();
    }));

  it('two writers: an append that lands while the other compacts is kept', () =>
    withStore(factory, async ({ adapter: a, secondWriter }) => {
      const b = await secondWriter();
      const [wa, wb] = [writer(1), writer(2)];
      for (let i = 0; i < 5; i++) await a.append('doc', wa.next());
      const compacted = await compactFromRows(a, 'doc', async () => {
        await b.append('doc', wb.next()); // after a's read: not in a's snapshot
      });
      expect(compacted).toBe(true);
      const text = await textIn(b, 'doc');
      for (const marker of [...wa.markers, ...wb.markers]) expect(text).toContain(marker);
      await b.close();
    }));

  it('two writers compacting one document at once: exactly one wins and nothing is lost', () =>
    withStore(factory, async ({ adapter: a, secondWriter }) => {
      const b = await secondWriter();
      const [wa, wb] = [writer(1), writer(2)];
      for (let i = 0; i < 4; i++) await a.append('doc', wa.next());
      let bResult: boolean | null = null;
      const aResult = await compactFromRows(a, 'doc', async () => {
        // b reads the same rows, appends, and compacts first.
        await b.append('doc', wb.next());
        bResult = await compactFromRows(b, 'doc');
        await a.append('doc', wa.next());
      });
      expect([aResult, bResult].filter(Boolean)).toHaveLength(1);
      for (const store of [a, b]) {
        const text = await textIn(store, 'doc');
        for (const marker of [...wa.markers, ...wb.markers]) expect(text).toContain(marker);
      }
      await b.close();
    }));

  it('two writers: a seeded random mix of appends and compactions from both loses nothing', () =>
    withStore(factory, async ({ adapter: a, secondWriter }) => {
      const b = await secondWriter();
      const stores = [a, b];
      const writers = [writer(1), writer(2)];
      let seed = 7;
      const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let step = 0; step < 120; step++) {
        const who = random() < 0.5 ? 0 : 1;
        if (random() < 0.15) await compactFromRows(stores[who]!, 'doc');
        else await stores[who]!.append('doc', writers[who]!.next());
      }
      const text = await textIn(a, 'doc');
      for (const marker of writers.flatMap((w) => w.markers)) expect(text).toContain(marker);
      expect(await textIn(b, 'doc')).toBe(text);
      await b.close();
    }));
}
