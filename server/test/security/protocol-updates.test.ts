/**
 * Threat model A (docs/threat-model.md), document updates and sync: P12–P15 and P19 (P11 is
 * fuzz.test.ts), plus the room's pending-state safety net. Each case attacks one document through a
 * real socket, then checks the global oracle.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  decodeServerFrame,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
} from '@quire/shared';
import { rawSocket, waitFor } from '../helpers/clients.js';
import { attack, bytes, outcome, textUpdate, varUints } from './attack.js';
import { harnessPerSuite, storedText } from './harness.js';

describe('threat model A: protocol-level bad input — updates and sync', () => {
  const { h, expectClose } = harnessPerSuite();

  it('P12 update bombs: huge struct counts, overlapping deletes, V2 run-length data → 4400 or no-op, promptly', async () => {
    // numberOfStructs = 2^32 in a few bytes: decoding runs out of input at once.
    const structBomb = bytes(1, 2 ** 32, 7, 0, Uint8Array.of(0, 1));
    const result1 = await attack(await h().url('p12'), [encodeSyncUpdate(structBomb)]);
    expect(result1.code).toBe(CloseCode.BadMessage);
    // 100k copies of one delete range: each would re-walk the client's structs (quadratic).
    const base = textUpdate('x'.repeat(1000), { clientID: 4242 });
    const ranges = 100_000;
    const pairs = Array.from({ length: ranges * 2 }, (_, i) => (i % 2 ? 1000 : 0));
    const dsBomb = bytes(0, 1, 4242, ranges, varUints(pairs));
    const result2 = await attack(await h().url('p12'), [
      encodeSyncUpdate(base),
      encodeSyncUpdate(dsBomb),
    ]);
    expect(result2.code).toBe(CloseCode.BadMessage);
    // A V2 update (RLE-encoded) is not the y-websocket protocol: never decoded as V2.
    const v2 = new Y.Doc();
    v2.getText('text').insert(0, 'v2 content');
    const result3 = await attack(
      await h().url('p12'),
      [encodeSyncUpdate(Y.encodeStateAsUpdateV2(v2))],
      1_500,
    );
    expect([CloseCode.BadMessage, -1]).toContain(result3.code);
    // Only the legitimate first update of 1000 x's is in the document.
    await h().oracle('p12', 'x'.repeat(1000));
  });

  it('P12 thousands of concurrent inserts at one position (quadratic conflict resolution) → 4400', async () => {
    const docs = Array.from({ length: 1_100 }, (_, i) => textUpdate('c', { clientID: 10_000 + i }));
    const bomb = Y.mergeUpdates(docs);
    const result = await attack(await h().url('p12-siblings'), [encodeSyncUpdate(bomb)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    await h().oracle('p12-siblings', '');
  });

  it('P13 clock gap and unknown origin (pending structs) → not applied, answered with a sync request (a reconnect race, not an attack); nothing kept, persisted or relayed', async () => {
    const first = textUpdate('a', { clientID: 501 });
    const second = textUpdate('b', { clientID: 501, base: [first], index: 1 });
    const watcher = await h().client('p13');
    const svBefore = Y.encodeStateVector(watcher.doc);
    const syncRequests = (messages: Uint8Array[]) =>
      messages.filter((m) => decodeServerFrame(m).kind === 'sync-step1').length;
    const gap = await attack(await h().url('p13'), [encodeSyncUpdate(second)], 500);
    expect(gap.code).toBe(-1); // still open
    expect(syncRequests(gap.messages)).toBe(2); // the greeting, then the request for the gap
    // Another client's insert after 'a' references 501:0, which the server never saw.
    const unknownOrigin = textUpdate('z', { clientID: 502, base: [first], index: 1 });
    const origin = await attack(await h().url('p13'), [encodeSyncUpdate(unknownOrigin)], 500);
    expect(origin.code).toBe(-1);
    expect(syncRequests(origin.messages)).toBe(2);
    expect(Y.encodeStateVector(watcher.doc)).toEqual(svBefore);
    expect(watcher.text.toString()).toBe('');
    // Once the dependency arrives, the same updates apply normally: nothing pending was kept.
    const ok = await attack(
      await h().url('p13'),
      [encodeSyncUpdate(first), encodeSyncUpdate(second)],
      1_000,
    );
    expect(ok.code).toBe(-1);
    await waitFor(() => watcher.text.toString() === 'ab', 5_000, 'legit updates relayed');
    watcher.destroy();
    await h().oracle('p13', 'ab');
  });

  it('P13 a dependency cycle the guard cannot see (A:0 after B:0, B:0 after A:0) → safety net: 4400, no pending state kept', async () => {
    const text = (value: string) => [...bytes(Buffer.byteLength(value)), ...Buffer.from(value)];
    // Two client blocks; each Item (info 0x84: has origin, ContentString) names the other as origin.
    const cycle = bytes(2, 1, 100, 0, Uint8Array.of(0x84), 200, 0, Uint8Array.from(text('a')));
    const cycleRest = bytes(1, 200, 0, Uint8Array.of(0x84), 100, 0, Uint8Array.from(text('b')), 0);
    const update = Buffer.concat([cycle, cycleRest]);
    const watcher = await h().client('p13-cycle');
    watcher.text.insert(0, 'base');
    const result = await attack(await h().url('p13-cycle'), [encodeSyncUpdate(update)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    expect(h().logs.some((l) => l.includes('pending structs'))).toBe(true);
    // Client 100's real first edit is not swallowed by a kept pending struct.
    const legit = await attack(
      await h().url('p13-cycle'),
      [encodeSyncUpdate(textUpdate('!', { clientID: 100 }))],
      500,
    );
    expect(legit.code).toBe(-1);
    await waitFor(() => watcher.text.toString().includes('!'), 5_000, 'legit edit relayed');
    const expected = watcher.text.toString();
    watcher.destroy();
    await h().oracle('p13-cycle', expected);
  });

  it('P13 partly applicable update (one good block, one cycle) → sender 4400; the good part is kept, persisted and relayed consistently', async () => {
    const text = (value: string) => [...bytes(Buffer.byteLength(value)), ...Buffer.from(value)];
    const good = bytes(
      1,
      300,
      0,
      Uint8Array.of(4),
      1,
      Uint8Array.from(text('text')),
      Uint8Array.from(text('X')),
    );
    const cycleA = bytes(1, 110, 0, Uint8Array.of(0x84), 210, 0, Uint8Array.from(text('a')));
    const cycleB = bytes(1, 210, 0, Uint8Array.of(0x84), 110, 0, Uint8Array.from(text('b')));
    const update = Buffer.concat([bytes(3), good, cycleA, cycleB, bytes(0)]);
    const watcher = await h().client('p13-partial');
    const result = await attack(await h().url('p13-partial'), [encodeSyncUpdate(update)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    await waitFor(() => watcher.text.toString() === 'X', 5_000, 'integrated part relayed');
    watcher.destroy();
    await h().oracle('p13-partial', 'X');
  });

  it('P14 two sockets, different content under one clientID+clock → first write wins, replicas equal', async () => {
    const watcher = await h().client('p14');
    const firstWrite = await rawSocket(await h().url('p14'));
    firstWrite.ws.send(encodeSyncUpdate(textUpdate('first', { clientID: 777 })));
    await waitFor(() => watcher.text.toString() === 'first', 5_000, 'first write');
    const second = await attack(
      await h().url('p14'),
      [encodeSyncUpdate(textUpdate('other', { clientID: 777 }))],
      1_000,
    );
    expect([-1, CloseCode.BadMessage]).toContain(second.code);
    firstWrite.ws.close();
    const late = await h().client('p14');
    expect(late.text.toString()).toBe('first');
    expect(Y.encodeStateAsUpdate(late.doc)).toEqual(Y.encodeStateAsUpdate(watcher.doc));
    late.destroy();
    watcher.destroy();
    await h().oracle('p14', 'first');
  });

  it('P15 ContentAny nested 10^5 deep → 4400, no stack overflow crash', async () => {
    const depth = 100_000;
    const nested = new Uint8Array(depth * 2 + 1);
    for (let i = 0; i < depth; i++) nested.set([117, 1], i * 2); // array of length 1
    nested[depth * 2] = 127; // undefined
    // One client block, one Item (info 8 = ContentAny, parent by key "arr"), empty delete set.
    const update = bytes(
      1,
      1,
      99,
      0,
      Uint8Array.of(8),
      1,
      { bytes: Buffer.from('arr') },
      1,
      nested,
      0,
    );
    await expectClose('p15', [encodeSyncUpdate(update)], CloseCode.BadMessage);
  });

  it('P19 SyncStep1 with a garbage state vector → 4400; with 200k client entries → a bounded, normal reply', async () => {
    await expectClose('p19', [encodeSyncStep1(Uint8Array.of(5, 0xff))], CloseCode.BadMessage);
    const writer = await h().client('p19');
    writer.text.insert(0, 'hello');
    await waitFor(() => h().running.server.metrics.updatesPersisted > 0, 5_000, 'persisted');
    const entries = 200_000; // scaled from 10^6 to keep the suite short; the work is linear
    const parts: number[] = [entries];
    for (let i = 0; i < entries; i++) parts.push(1_000_000 + i, 5);
    const socket = await rawSocket(await h().url('p19'));
    socket.ws.send(encodeSyncStep1(varUints(parts)));
    await waitFor(
      () => socket.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'),
      10_000,
      'step 2',
    );
    const step2 = socket.messages.find((m) => decodeServerFrame(m).kind === 'sync-step2')!;
    expect(step2.length).toBeLessThan(1_000);
    const result = await outcome(socket, 200);
    expect(result.code).toBe(-1);
    writer.destroy();
    await h().oracle('p19', 'hello');
  });

  it('sanity: a raw sync step 2 with real content from an editor is applied and persisted', async () => {
    const result = await attack(
      await h().url('sanity'),
      [encodeSyncStep2(textUpdate('legit'))],
      500,
    );
    expect(result.code).toBe(-1);
    await waitFor(
      async () => (await storedText(h().storage, 'sanity')) === 'legit',
      5_000,
      'stored',
    );
    await h().oracle('sanity', 'legit');
  });
});
