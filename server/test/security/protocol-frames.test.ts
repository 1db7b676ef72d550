/**
 * Threat model A (docs/threat-model.md), frame level: P1–P10 and P20 (malformed binary messages,
 * text frames, RFC 6455 violations, compression). Each case attacks one document through a real
 * socket, then checks the global oracle. Updates: protocol-updates; awareness: protocol-awareness.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCode, decodeClientFrame, encodeSyncUpdate } from '@quire/shared';
import { waitFor } from '../helpers/clients.js';
import { bytes, textUpdate } from './attack.js';
import { harnessPerSuite } from './harness.js';
import { Opcode, frame, openRaw } from './raw-frames.js';

describe('threat model A: protocol-level bad input — frames', () => {
  const { h, expectClose } = harnessPerSuite();

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
      const conn = await openRaw(h().running.port, `/${doc}`);
      for (const f of frames) conn.socket.write(f);
      await waitFor(() => conn.closeCode() !== null || conn.socket.destroyed, 5_000, 'close');
      await conn.ended;
      expect(conn.closeCode()).toBe(expected);
      await h().oracle(doc, '');
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

  it('P20 permessage-deflate offered → not negotiated', async () => {
    const ws = new WebSocket(await h().url('p20'), { perMessageDeflate: true });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    expect(ws.extensions).toBe('');
    ws.close();
    await h().oracle('p20', '');
  });
});
