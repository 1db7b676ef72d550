/**
 * The bytes presence crosses instances in: RedisBus's instance announcements (redis-codec.ts,
 * kinds 4 and 5) and the payload of an awareness bus message (presence-wire.ts). Both decode
 * strictly: each channel takes only its own kinds, and anything cut short, padded or unknown is
 * refused as a whole.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeBusMessage,
  decodeInstanceMessage,
  encodeBusMessage,
  encodeInstanceId,
  encodeInstanceMessage,
} from '../../src/bus/redis-codec.js';
import { decodePresence, encodePresence } from '../../src/bus/presence-wire.js';

describe('instance announcements on Redis', () => {
  const id = encodeInstanceId('instance-ü');

  it('round-trip heartbeat and goodbye with the instance id', () => {
    for (const kind of ['heartbeat', 'goodbye'] as const) {
      expect(decodeInstanceMessage(encodeInstanceMessage(id, { kind }))).toEqual({
        instanceId: 'instance-ü',
        message: { kind },
      });
    }
  });

  it('refuse trailing bytes, a cut header, an empty id, bad UTF-8 and document kinds', () => {
    const heartbeat = encodeInstanceMessage(id, { kind: 'heartbeat' });
    expect(decodeInstanceMessage(Buffer.concat([heartbeat, Buffer.of(0)]))).toBeNull();
    expect(decodeInstanceMessage(heartbeat.subarray(0, heartbeat.length - 1))).toBeNull();
    expect(decodeInstanceMessage(Buffer.of(1, 4, 0))).toBeNull();
    expect(decodeInstanceMessage(Buffer.of(1, 4, 1, 0xff))).toBeNull();
    expect(decodeInstanceMessage(Buffer.of(2, 4, 1, 0x61))).toBeNull(); // unknown version
    const update = encodeBusMessage(id, { kind: 'awareness', update: Uint8Array.of() });
    expect(decodeInstanceMessage(update)).toBeNull();
    // …and a document's channel refuses announcements.
    expect(decodeBusMessage(heartbeat)).toBeNull();
  });
});

describe('presence payloads', () => {
  const entries = [
    { clientID: 7, clock: 1_700_000_000_000, stateJSON: '{"user":{"name":"Ada"}}' },
    { clientID: 8, clock: 3, stateJSON: 'null' },
  ];

  it('round-trip changes, everything and a query', () => {
    expect(decodePresence(encodePresence({ kind: 'changes', entries }), 10)).toEqual({
      kind: 'changes',
      entries,
    });
    expect(decodePresence(encodePresence({ kind: 'everything', entries: [] }), 10)).toEqual({
      kind: 'everything',
      entries: [],
    });
    expect(decodePresence(encodePresence({ kind: 'query' }), 10)).toEqual({ kind: 'query' });
  });

  it('refuse unknown kinds, cut or padded updates, and more entries than allowed', () => {
    const changes = encodePresence({ kind: 'changes', entries });
    expect(decodePresence(Uint8Array.of(), 10)).toBeNull();
    expect(decodePresence(Uint8Array.of(4, 0), 10)).toBeNull();
    expect(decodePresence(changes.subarray(0, changes.length - 1), 10)).toBeNull();
    expect(decodePresence(Uint8Array.from([...changes, 0]), 10)).toBeNull();
    expect(decodePresence(changes, 1)).toBeNull();
    expect(decodePresence(Uint8Array.of(3, 0), 10)).toBeNull();
  });
});
