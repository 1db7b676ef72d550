/**
 * ADVERSARIAL.md section A — protocol-level bad input (P1–P20, except P11: fuzz.test.ts).
 * Every case attacks one document through a real socket, then checks the global oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import {
  CloseCode,
  decodeClientFrame,
  decodeServerFrame,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
} from '@quire/shared';
import { rawSocket, waitFor } from '../helpers/clients.js';
import { attack, bytes, outcome, textUpdate, varUints } from './attack.js';
import { startHarness, storedText, type Harness } from './harness.js';
import { Opcode, frame, openRaw } from './raw-frames.js';

describe('ADVERSARIAL A: protocol-level bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  /** Sends `messages` to a fresh document and expects the given close code, then the oracle. */
  const expectClose = async (
    doc: string,
    messages: (Uint8Array | string)[],
    code: number,
    legitimateText = '',
  ) => {
    const result = await attack(await h.url(doc), messages);
    expect(result.code).toBe(code);
    await h.oracle(doc, legitimateText);
  };

  it.each([
    ['P1 empty binary message', 'p1', [new Uint8Array()]],
    ['P2 truncated varint [0x80]', 'p2a', [Uint8Array.of(0x80)]],
    ['P2 truncated varint [0xFF,0xFF]', 'p2b', [Uint8Array.of(0xff, 0xff)]],
    ['P3 overlong varint (10× 0xFF, 0x01)', 'p3', [Uint8Array.of(...Array(10).fill(0xff), 1)]],
    ['P4 unknown message type 7', 'p4a', [Uint8Array.of(7)]],
    ['P4 unknown message type 255', 'p4b', [bytes(255)]],
    ['P4 unknown message type 2^40', 'p4c', [bytes(2 ** 40)]],
    ['P5 unknown sync subtype [0,3,…]', 'p5', [Uint8Array.of(0, 3, 0)]],
    ['P6 length prefix 1e9', 'p6a', [bytes(0, 2, 1e9, Uint8Array.of(1, 2, 3))]],
  ] as const)('%s → 4400 (decided: unknown types close too)', async (_name, doc, messages) => {
    await expectClose(doc, [...messages], CloseCode.BadMessage);
  });

  it('P6 length prefix n+64 right after a valid frame → 4400, nothing over-read', async () => {
    const valid = encodeSyncUpdate(textUpdate('ok'));
    const short = bytes(0, 2, 64 + 3, Uint8Array.of(1, 2, 3));
    await expectClose('p6b', [valid, short], CloseCode.BadMessage, 'ok');
    // The decoder hands out exact-size copies, never views into the surrounding buffer.
    const backing = new Uint8Array([0xaa, ...encodeSyncUpdate(Uint8Array.of(0, 0)), 0xbb, 0xcc]);
    const decoded = decodeClientFrame(backing.subarray(1, backing.length - 2));
    expect(decoded.kind).toBe('sync-update');
    const update = (decoded as { update: Uint8Array }).update;
    expect(update.byteLength).toBe(2);
    expect(update.buffer.byteLength).toBe(2);
    expect(update.buffer).not.toBe(backing.buffer);
  });

  it('P7 text frame (the "..`" of y-websocket#82) → 1003, never parsed', async () => {
    await expectClose('p7', ['..`'], CloseCode.UnsupportedData);
  });

  describe('RFC 6455 violations, closed by ws before Quire sees them', () => {
    const rawCase = async (doc: string, frames: Buffer[], expected: number) => {
      const conn = await openRaw(h.running.port, `/${doc}`);
      for (const f of frames) conn.socket.write(f);
      await waitFor(() => conn.closeCode() !== null || conn.socket.destroyed, 5_000, 'close');
      await conn.ended;
      expect(conn.closeCode()).toBe(expected);
      await h.oracle(doc, '');
    };
    it('P8 text frame with invalid UTF-8 → 1007', async () => {
      await rawCase(
        'p8',
        [frame({ opcode: Opcode.Text, payload: Uint8Array.of(0xff, 0xfe) })],
        1007,
      );
    });
    it.each([
      ['RSV1 (also P20: a compressed frame without negotiated deflate)', 4],
      ['RSV2', 2],
      ['RSV3', 1],
    ])('P9 %s → 1002', async (_name, rsv) => {
      await rawCase(
        `p9-rsv${rsv}`,
        [frame({ opcode: Opcode.Binary, rsv, payload: Uint8Array.of(3) })],
        1002,
      );
    });
    it('P9 unmasked client frame → 1002', async () => {
      await rawCase(
        'p9-unmasked',
        [frame({ opcode: Opcode.Binary, masked: false, payload: Uint8Array.of(3) })],
        1002,
      );
    });
    it('P9 reserved opcode 0x3 → 1002', async () => {
      await rawCase(
        'p9-opcode',
        [frame({ opcode: Opcode.Reserved3, payload: Uint8Array.of(3) })],
        1002,
      );
    });
    it('P10 ping with a 126-byte payload → 1002', async () => {
      await rawCase(
        'p10-ping',
        [frame({ opcode: Opcode.Ping, payload: new Uint8Array(126) })],
        1002,
      );
    });
    it('P10 fragmented ping → 1002', async () => {
      await rawCase(
        'p10-frag',
        [frame({ opcode: Opcode.Ping, fin: false, payload: Uint8Array.of(1) })],
        1002,
      );
    });
    it('P10 close frame with a 1-byte body → 1002', async () => {
      await rawCase(
        'p10-close',
        [frame({ opcode: Opcode.Close, payload: Uint8Array.of(3) })],
        1002,
      );
    });
  });

  it('P12 update bombs: huge struct counts, overlapping deletes, V2 run-length data → 4400 or no-op, promptly', async () => {
    // numberOfStructs = 2^32 in a few bytes: decoding runs out of input at once.
    const structBomb = bytes(1, 2 ** 32, 7, 0, Uint8Array.of(0, 1));
    const result1 = await attack(await h.url('p12'), [encodeSyncUpdate(structBomb)]);
    expect(result1.code).toBe(CloseCode.BadMessage);
    // 100k copies of one delete range: each would re-walk the client's structs (quadratic).
    const base = textUpdate('x'.repeat(1000), { clientID: 4242 });
    const ranges = 100_000;
    const pairs = Array.from({ length: ranges * 2 }, (_, i) => (i % 2 ? 1000 : 0));
    const dsBomb = bytes(0, 1, 4242, ranges, varUints(pairs));
    const result2 = await attack(await h.url('p12'), [
      encodeSyncUpdate(base),
      encodeSyncUpdate(dsBomb),
    ]);
    expect(result2.code).toBe(CloseCode.BadMessage);
    // A V2 update (RLE-encoded) is not the y-websocket protocol: never decoded as V2.
    const v2 = new Y.Doc();
    v2.getText('text').insert(0, 'v2 content');
    const result3 = await attack(
      await h.url('p12'),
      [encodeSyncUpdate(Y.encodeStateAsUpdateV2(v2))],
      1_500,
    );
    expect([CloseCode.BadMessage, -1]).toContain(result3.code);
    // Only the legitimate first update of 1000 x's is in the document.
    await h.oracle('p12', 'x'.repeat(1000));
  });

  it('P12 thousands of concurrent inserts at one position (quadratic conflict resolution) → 4400', async () => {
    const docs = Array.from({ length: 1_100 }, (_, i) => textUpdate('c', { clientID: 10_000 + i }));
    const bomb = Y.mergeUpdates(docs);
    const result = await attack(await h.url('p12-siblings'), [encodeSyncUpdate(bomb)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    await h.oracle('p12-siblings', '');
  });

  it('P13 clock gap and unknown origin (pending structs) → 4400; nothing kept, persisted or relayed', async () => {
    const first = textUpdate('a', { clientID: 501 });
    const second = textUpdate('b', { clientID: 501, base: [first], index: 1 });
    const watcher = await h.client('p13');
    const svBefore = Y.encodeStateVector(watcher.doc);
    const gap = await attack(await h.url('p13'), [encodeSyncUpdate(second)]);
    expect(gap.code).toBe(CloseCode.BadMessage);
    // Another client's insert after 'a' references 501:0, which the server never saw.
    const unknownOrigin = textUpdate('z', { clientID: 502, base: [first], index: 1 });
    const origin = await attack(await h.url('p13'), [encodeSyncUpdate(unknownOrigin)]);
    expect(origin.code).toBe(CloseCode.BadMessage);
    expect(Y.encodeStateVector(watcher.doc)).toEqual(svBefore);
    expect(watcher.text.toString()).toBe('');
    // Once the dependency arrives, the same updates apply normally: nothing pending was kept.
    const ok = await attack(
      await h.url('p13'),
      [encodeSyncUpdate(first), encodeSyncUpdate(second)],
      1_000,
    );
    expect(ok.code).toBe(-1);
    await waitFor(() => watcher.text.toString() === 'ab', 5_000, 'legit updates relayed');
    watcher.destroy();
    await h.oracle('p13', 'ab');
  });

  it('P13 a dependency cycle the guard cannot see (A:0 after B:0, B:0 after A:0) → safety net: 4400, no pending state kept', async () => {
    const text = (value: string) => [...bytes(Buffer.byteLength(value)), ...Buffer.from(value)];
    // Two client blocks; each Item (info 0x84: has origin, ContentString) names the other as origin.
    const cycle = bytes(2, 1, 100, 0, Uint8Array.of(0x84), 200, 0, Uint8Array.from(text('a')));
    const cycleRest = bytes(1, 200, 0, Uint8Array.of(0x84), 100, 0, Uint8Array.from(text('b')), 0);
    const update = Buffer.concat([cycle, cycleRest]);
    const watcher = await h.client('p13-cycle');
    watcher.text.insert(0, 'base');
    const result = await attack(await h.url('p13-cycle'), [encodeSyncUpdate(update)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    expect(h.logs.some((l) => l.includes('pending structs'))).toBe(true);
    // Client 100's real first edit is not swallowed by a kept pending struct.
    const legit = await attack(
      await h.url('p13-cycle'),
      [encodeSyncUpdate(textUpdate('!', { clientID: 100 }))],
      500,
    );
    expect(legit.code).toBe(-1);
    await waitFor(() => watcher.text.toString().includes('!'), 5_000, 'legit edit relayed');
    const expected = watcher.text.toString();
    watcher.destroy();
    await h.oracle('p13-cycle', expected);
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
    const watcher = await h.client('p13-partial');
    const result = await attack(await h.url('p13-partial'), [encodeSyncUpdate(update)]);
    expect(result.code).toBe(CloseCode.BadMessage);
    await waitFor(() => watcher.text.toString() === 'X', 5_000, 'integrated part relayed');
    watcher.destroy();
    await h.oracle('p13-partial', 'X');
  });

  it('P14 two sockets, different content under one clientID+clock → first write wins, replicas equal', async () => {
    const watcher = await h.client('p14');
    const firstWrite = await rawSocket(await h.url('p14'));
    firstWrite.ws.send(encodeSyncUpdate(textUpdate('first', { clientID: 777 })));
    await waitFor(() => watcher.text.toString() === 'first', 5_000, 'first write');
    const second = await attack(
      await h.url('p14'),
      [encodeSyncUpdate(textUpdate('other', { clientID: 777 }))],
      1_000,
    );
    expect([-1, CloseCode.BadMessage]).toContain(second.code);
    firstWrite.ws.close();
    const late = await h.client('p14');
    expect(late.text.toString()).toBe('first');
    expect(Y.encodeStateAsUpdate(late.doc)).toEqual(Y.encodeStateAsUpdate(watcher.doc));
    late.destroy();
    watcher.destroy();
    await h.oracle('p14', 'first');
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

  it('P16 awareness: 5 MB state → 4413; 10^6 entries claimed in a few bytes → 4400; deep JSON bounded', async () => {
    const big = encodeAwarenessUpdate([
      { clientID: 1, clock: 1, stateJSON: JSON.stringify({ x: 'y'.repeat(5_000_000) }) },
    ]);
    await expectClose('p16', [encodeAwareness(big)], CloseCode.TooLarge);
    await expectClose('p16', [encodeAwareness(bytes(1_000_000, 1, 1, 0))], CloseCode.BadMessage);
    const deepJSON = '['.repeat(100_000) + ']'.repeat(100_000);
    await expectClose(
      'p16',
      [encodeAwareness(encodeAwarenessUpdate([{ clientID: 2, clock: 1, stateJSON: deepJSON }]))],
      CloseCode.TooLarge,
    );
    const deepButSmall = '['.repeat(10_000) + ']'.repeat(10_000);
    const result = await attack(
      await h.url('p16'),
      [
        encodeAwareness(
          encodeAwarenessUpdate([{ clientID: 3, clock: 1, stateJSON: deepButSmall }]),
        ),
      ],
      1_000,
    );
    expect([-1, CloseCode.BadMessage]).toContain(result.code);
    await h.oracle('p16', '');
  });

  it("P17 awareness for another connection's client ID (higher clock, null) → dropped; the victim's cursor survives", async () => {
    const victim = await h.client('p17');
    victim.provider.awareness.setLocalState({ user: { name: 'victim', color: '#112233' } });
    const observer = await h.client('p17');
    const victimID = victim.doc.clientID;
    const seen = () =>
      observer.provider.awareness.getStates().get(victimID) as
        { user?: { name?: string } } | undefined;
    await waitFor(() => seen()?.user?.name === 'victim', 5_000, 'victim presence');
    const clock = (victim.provider.awareness.meta.get(victimID)?.clock ?? 0) + 10;
    const hijack = encodeAwarenessUpdate([
      { clientID: victimID, clock, stateJSON: '{"user":{"name":"evil"}}' },
    ]);
    const erase = encodeAwarenessUpdate([
      { clientID: victimID, clock: clock + 1, stateJSON: 'null' },
    ]);
    const attacker = await rawSocket(await h.url('p17'));
    attacker.ws.send(encodeAwareness(hijack));
    attacker.ws.send(encodeAwareness(erase));
    // A message after the attack, so we know the server processed it.
    attacker.ws.send(encodeSyncStep1(Uint8Array.of(0)));
    // The reply to that step 1 proves the awareness messages before it were processed.
    await waitFor(
      () => attacker.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'),
      5_000,
      'attacker answered',
    );
    expect(seen()?.user?.name).toBe('victim');
    const late = await h.client('p17');
    await waitFor(
      () => late.provider.awareness.getStates().has(victimID),
      5_000,
      'late sees victim',
    );
    expect(
      (late.provider.awareness.getStates().get(victimID) as { user: { name: string } }).user.name,
    ).toBe('victim');
    expect(
      h.logs.some((l) => l.includes("awareness for another connection's client ID dropped")),
    ).toBe(true);
    attacker.ws.close();
    for (const c of [victim, observer, late]) c.destroy();
    await h.oracle('p17', '');
  });

  it('P18 awareness color "red;background:url(//evil)" and a 1 MB name → sanitized server-side', async () => {
    const observer = await h.client('p18');
    const state = {
      user: {
        name: `${'n'.repeat(100)}\u202e`,
        color: 'red;background:url(//evil)',
        colorLight: 'url(x)',
      },
    };
    const attacker = await rawSocket(await h.url('p18'));
    attacker.ws.send(
      encodeAwareness(
        encodeAwarenessUpdate([
          { clientID: 4_000_001, clock: 1, stateJSON: JSON.stringify(state) },
        ]),
      ),
    );
    await waitFor(
      () => observer.provider.awareness.getStates().has(4_000_001),
      5_000,
      'state relayed',
    );
    const relayed = observer.provider.awareness.getStates().get(4_000_001) as {
      user: Record<string, string>;
    };
    expect(relayed.user.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(relayed.user.colorLight).toMatch(/^#[0-9a-f]{8}$/);
    expect(relayed.user.name).toBe('n'.repeat(64));
    // A 1 MB name is over the 64 KiB state limit: refused outright.
    const huge = JSON.stringify({ user: { name: 'n'.repeat(1_000_000), color: '#000000' } });
    const result = await attack(await h.url('p18'), [
      encodeAwareness(encodeAwarenessUpdate([{ clientID: 4_000_002, clock: 1, stateJSON: huge }])),
    ]);
    expect(result.code).toBe(CloseCode.TooLarge);
    attacker.ws.close();
    observer.destroy();
    await h.oracle('p18', '');
  });

  it('P19 SyncStep1 with a garbage state vector → 4400; with 200k client entries → a bounded, normal reply', async () => {
    await expectClose('p19', [encodeSyncStep1(Uint8Array.of(5, 0xff))], CloseCode.BadMessage);
    const writer = await h.client('p19');
    writer.text.insert(0, 'hello');
    await waitFor(() => h.running.server.metrics.updatesPersisted > 0, 5_000, 'persisted');
    const entries = 200_000; // scaled from 10^6 to keep the suite short; the work is linear
    const parts: number[] = [entries];
    for (let i = 0; i < entries; i++) parts.push(1_000_000 + i, 5);
    const socket = await rawSocket(await h.url('p19'));
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
    await h.oracle('p19', 'hello');
  });

  it('P20 permessage-deflate offered → not negotiated', async () => {
    const ws = new WebSocket(await h.url('p20'), { perMessageDeflate: true });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    expect(ws.extensions).toBe('');
    ws.close();
    await h.oracle('p20', '');
  });

  it('sanity: a raw sync step 2 with real content from an editor is applied and persisted', async () => {
    const result = await attack(await h.url('sanity'), [encodeSyncStep2(textUpdate('legit'))], 500);
    expect(result.code).toBe(-1);
    const deadline = Date.now() + 5_000;
    while ((await storedText(h.storage, 'sanity')) !== 'legit' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await h.oracle('sanity', 'legit');
  });
});
