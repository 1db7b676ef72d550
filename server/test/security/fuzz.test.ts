/**
 * Threat model P11 (docs/threat-model.md) — seeded fuzzing of updates and frames, bounded in count
 * (and so in time). The seed corpus is real Yjs updates from random edits (text, deletes, maps,
 * arrays of JSON, nested types) by three clients. Mutations: bit flips, byte
 * overwrite/insert/delete, varUint inflation, truncation, splices of two updates.
 *
 * 1. In process, 10 000 mutated updates go through the server's UpdateGuard and, when it lets
 *    them through, Y.applyUpdate, exactly as a room does: each one is applied or rejected; a
 *    rejected one leaves the document and its state vector unchanged; no pending state is ever
 *    left behind. The slowest check+apply is printed.
 * 2. Over real sockets, 400 mutated whole frames hit a running server (reconnecting after each
 *    close); afterwards the global oracle holds.
 * Set QUIRE_FUZZ_SEED to replay a run; the seed is printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from '@quire/shared';
import { UpdateGuard, discardPending } from '../../src/guards/update-guard.js';
import { rawSocket, type RawSocket } from '../helpers/clients.js';
import { outcome } from './attack.js';
import { startHarness, type Harness } from './harness.js';
import { seededRandom } from '../helpers/random.js';

const SEED = Number(process.env.QUIRE_FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Real updates: three clients editing concurrently, synced now and then. */
function seedCorpus(random: () => number): { base: Uint8Array[]; corpus: Uint8Array[] } {
  const docs = [0, 1, 2].map((i) => {
    const d = new Y.Doc();
    d.clientID = 900 + i;
    return d;
  });
  const updates: Uint8Array[] = [];
  docs.forEach((d) => d.on('update', (u: Uint8Array) => updates.push(u)));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  for (let step = 0; step < 300; step++) {
    const d = pick(docs);
    const text = d.getText('text');
    const roll = random();
    if (roll < 0.45)
      text.insert(Math.floor(random() * (text.length + 1)), pick(['a', 'bc', 'déf ', '\n', '😀']));
    else if (roll < 0.65 && text.length > 0)
      text.delete(Math.floor(random() * text.length), 1 + Math.floor(random() * 3));
    else if (roll < 0.75)
      d.getMap('meta').set(
        pick(['k', 'title', 'x']),
        pick([1, 'v', { nested: [true, null] }, [1, 2]]),
      );
    else if (roll < 0.85) d.getArray('list').insert(0, [{ n: step }, 'item']);
    else if (roll < 0.9) d.getMap('meta').set('sub', new Y.Text('inner'));
    else {
      const other = pick(docs);
      Y.applyUpdate(other, Y.encodeStateAsUpdate(d, Y.encodeStateVector(other)));
    }
  }
  const half = Math.floor(updates.length / 2);
  return { base: updates.slice(0, half), corpus: updates.slice(half) };
}

function mutate(random: () => number, input: Uint8Array, corpus: Uint8Array[]): Uint8Array {
  let bytes = Array.from(input);
  const rounds = 1 + Math.floor(random() * 3);
  for (let r = 0; r < rounds; r++) {
    const at = Math.floor(random() * Math.max(1, bytes.length));
    switch (Math.floor(random() * 7)) {
      case 0:
        bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        bytes[at] = Math.floor(random() * 256);
        break;
      case 2:
        bytes.splice(at, 0, Math.floor(random() * 256));
        break;
      case 3:
        bytes.splice(at, 1);
        break;
      case 4:
        bytes.splice(at, 0, 0xff, 0xff, 0xff, 0xff, 0x0f); // inflate a varUint
        break;
      case 5:
        bytes = bytes.slice(0, at);
        break;
      default: {
        const other = corpus[Math.floor(random() * corpus.length)]!;
        bytes = [
          ...bytes.slice(0, at),
          ...Array.from(other.subarray(Math.floor(random() * other.length))),
        ];
      }
    }
  }
  return Uint8Array.from(bytes);
}

describe('P11 seeded fuzz', () => {
  it(`10 000 mutated updates: applied or rejected, a rejection changes nothing, no pending state (seed ${SEED})`, () => {
    const random = seededRandom(SEED);
    const { base, corpus } = seedCorpus(random);
    const doc = new Y.Doc();
    for (const u of base) Y.applyUpdate(doc, u);
    const guard = new UpdateGuard(64 * 1024 * 1024);
    let applied = 0;
    let rejected = 0;
    let threw = 0;
    let slowest = 0;
    for (let i = 0; i < 10_000; i++) {
      const update =
        random() < 0.1
          ? corpus[Math.floor(random() * corpus.length)]!
          : mutate(random, corpus[Math.floor(random() * corpus.length)]!, corpus);
      const svBefore = Y.encodeStateVector(doc);
      const stateBefore = i % 50 === 0 ? Y.encodeStateAsUpdate(doc) : null;
      const started = performance.now();
      const verdict = guard.check(doc, update, false);
      if (verdict.ok) {
        try {
          Y.applyUpdate(doc, update);
          applied++;
        } catch {
          threw++;
        }
        // The room's safety net; with the guard in front it should never find anything.
        expect(discardPending(doc)).toBe(false);
      } else {
        rejected++;
      }
      slowest = Math.max(slowest, performance.now() - started);
      if (!verdict.ok) {
        expect(Y.encodeStateVector(doc)).toEqual(svBefore);
        if (stateBefore) expect(Y.encodeStateAsUpdate(doc)).toEqual(stateBefore);
      }
    }
    expect(applied + rejected + threw).toBe(10_000);
    expect(rejected).toBeGreaterThan(0);
    // The document is still self-consistent: its encoding rebuilds the same state.
    const rebuilt = new Y.Doc();
    Y.applyUpdate(rebuilt, Y.encodeStateAsUpdate(doc));
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(doc));
    expect(rebuilt.getText('text').toString()).toBe(doc.getText('text').toString());
  });

  describe('over real sockets', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ messagesPerSecond: 10_000, messageBurst: 10_000 });
    });
    afterAll(async () => {
      await h.close();
    });

    it(`400 mutated frames against a running server; the oracle holds afterwards (seed ${SEED})`, async () => {
      const random = seededRandom(SEED + 1);
      const { base, corpus } = seedCorpus(random);
      const frames = [
        ...corpus.map((u) => encodeSyncUpdate(u)),
        ...corpus.map((u) => encodeSyncStep2(u)),
        encodeSyncStep1(Y.encodeStateVector(new Y.Doc())),
        encodeAwareness(Uint8Array.of(1, 5, 1, 2, 0x7b, 0x7d)),
      ];
      let socket: RawSocket = await rawSocket(await h.url('fuzz'));
      for (const u of base) socket.ws.send(encodeSyncUpdate(u));
      const closes = new Map<number, number>();
      for (let i = 0; i < 400; i++) {
        const frame = mutate(random, frames[Math.floor(random() * frames.length)]!, frames);
        if (socket.ws.readyState !== socket.ws.OPEN) {
          const { code } = await outcome(socket, 2_000);
          closes.set(code, (closes.get(code) ?? 0) + 1);
          socket = await rawSocket(await h.url('fuzz'));
        }
        socket.ws.send(frame);
        await new Promise((resolve) => setImmediate(resolve));
      }
      socket.ws.close();
      for (const code of closes.keys()) expect([1000, 1005, 4400, 4413, 4403]).toContain(code);
      await h.oracle('fuzz');
    });
  });
});
