/**
 * StorageAdapter acceptance, the catch-up reads a bus receiver repairs from (bus/room-link.ts):
 * the log after a seq (or, past a compaction, the snapshot and the log after it) and the head
 * seqs of many documents at once. Every shipped adapter implements both, so the suite requires
 * them; a store that says its seqs are gapless must keep them so per document.
 */
import { expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LogTail, StorageAdapter } from '../../src/index.js';
import { bytes, through, withStore, type AdapterFactory } from './adapter-acceptance-support.js';

type CatchUpStore = StorageAdapter & Required<Pick<StorageAdapter, 'readLogAfter' | 'headSeqs'>>;

function catchUp(s: StorageAdapter): CatchUpStore {
  if (!s.readLogAfter || !s.headSeqs) {
    throw new Error('this adapter lacks readLogAfter/headSeqs, which the bus catch-up reads');
  }
  return s as CatchUpStore;
}

/** The head a load implies, as the bus link computes it. */
async function loadedHead(s: StorageAdapter, name: string): Promise<number> {
  const stored = await s.load(name);
  return stored ? Math.max(stored.lastSeq, stored.compactedThrough) : 0;
}

export function describeCatchUpReads(factory: AdapterFactory): void {
  const run = (fn: (s: CatchUpStore) => Promise<void>) =>
    withStore(factory, ({ adapter }) => fn(catchUp(adapter)));

  it('catch-up: a document that does not exist has no tail and no head', () =>
    run(async (s) => {
      expect(await s.readLogAfter('missing', 0)).toBeNull();
      expect(await s.headSeqs(['missing'])).toEqual(new Map());
      expect(await s.headSeqs([])).toEqual(new Map());
    }));

  it('catch-up: reads only the updates after a seq, oldest first, with the head it covers', () =>
    run(async (s) => {
      await s.append('doc', bytes(1));
      const second = await s.append('doc', bytes(2));
      await s.append('other', bytes(9));
      await s.append('doc', bytes(3));
      const last = await s.append('doc', bytes(4));
      const tail = await s.readLogAfter('doc', second);
      expect(tail).toEqual<LogTail>({
        snapshot: null,
        updates: [bytes(3), bytes(4)],
        headSeq: last,
      });
      // Nothing newer: an empty tail that still covers what was asked for.
      expect(await s.readLogAfter('doc', last)).toEqual<LogTail>({
        snapshot: null,
        updates: [],
        headSeq: last,
      });
      expect((await s.readLogAfter('doc', 0))?.updates).toHaveLength(4);
    }));

  it('catch-up: behind a compaction, the tail is the snapshot plus the log after it', () =>
    run(async (s) => {
      const first = await s.append('doc', bytes(1));
      const second = await s.append('doc', bytes(2));
      expect(await s.compact('doc', bytes(7, 7), through(second))).toBe(true);
      const third = await s.append('doc', bytes(3));
      expect(await s.readLogAfter('doc', first)).toEqual<LogTail>({
        snapshot: bytes(7, 7),
        updates: [bytes(3)],
        headSeq: third,
      });
      // A reader that already holds what the snapshot covers gets the log alone.
      expect(await s.readLogAfter('doc', second)).toEqual<LogTail>({
        snapshot: null,
        updates: [bytes(3)],
        headSeq: third,
      });
    }));

  it('catch-up: head seqs of many documents in one call match what a load implies, compacted or not', () =>
    run(async (s) => {
      for (let i = 0; i < 3; i++) await s.append('a', bytes(i));
      const b = await s.append('b', bytes(1));
      await s.compact('b', bytes(5), through(b));
      await s.compact('c', bytes(6), through(0));
      const heads = await s.headSeqs(['a', 'b', 'c', 'missing']);
      expect([...heads.keys()].sort()).toEqual(['a', 'b', 'c']);
      for (const name of ['a', 'b', 'c']) expect(heads.get(name)).toBe(await loadedHead(s, name));
      expect(heads.get('b')).toBe(b);
      expect(heads.get('c')).toBe(0);
    }));

  it('catch-up: gapless seqs (when the store says so) count 1, 2, 3… per document', () =>
    run(async (s) => {
      if (!s.gaplessSeqs) return; // a store-wide counter only promises increasing seqs
      const seqs: number[] = [];
      for (let i = 0; i < 4; i++) {
        seqs.push(await s.append('doc', bytes(i)));
        await s.append(`other-${i}`, bytes(i));
      }
      expect(seqs).toEqual([1, 2, 3, 4]);
      await s.compact('doc', bytes(9), through(4));
      expect(await s.append('doc', bytes(5))).toBe(5);
    }));

  it('catch-up: does not share buffers with the caller or between reads', () =>
    run(async (s) => {
      await s.append('doc', bytes(1, 1));
      const tail = (await s.readLogAfter('doc', 0))!;
      tail.updates[0]![0] = 0;
      expect((await s.readLogAfter('doc', 0))?.updates[0]).toEqual(bytes(1, 1));
    }));

  it('catch-up: a second writer’s appends and compaction are in the first one’s reads', () =>
    withStore(factory, async ({ adapter, secondWriter }) => {
      const s = catchUp(adapter);
      const other = await secondWriter();
      try {
        const writer = new Y.Doc();
        const edit = (index: number, text: string) => {
          const before = Y.encodeStateVector(writer);
          writer.getText('t').insert(index, text);
          return Y.encodeStateAsUpdate(writer, before);
        };
        const first = edit(0, 'a');
        const seen = await s.append('doc', first);
        await other.append('doc', edit(1, 'b'));
        const head = await other.append('doc', edit(2, 'c'));
        expect((await s.headSeqs(['doc'])).get('doc')).toBe(head);
        const tail = (await s.readLogAfter('doc', seen))!;
        const reader = new Y.Doc();
        Y.applyUpdate(reader, first);
        for (const u of tail.updates) Y.applyUpdate(reader, u);
        expect(reader.getText('t').toString()).toBe('abc');
        // The other writer compacts everything: a reader behind it gets the whole state.
        const stored = (await other.load('doc'))!;
        const full = Y.encodeStateAsUpdate(writer);
        expect(await other.compact('doc', full, through(head, stored.compactedThrough))).toBe(true);
        const behind = (await s.readLogAfter('doc', seen))!;
        expect(behind.snapshot).toEqual(full);
        expect(behind.headSeq).toBe(head);
      } finally {
        await other.close();
      }
    }));
}
