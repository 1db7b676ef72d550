/**
 * Seeded random round-trip properties. Each property runs a bounded number of iterations with a
 * fixed seed, so a failure is reproducible from the iteration number in its message.
 */
import { describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import {
  ByteReader,
  decodeAwarenessUpdate,
  decodeClientFrame,
  decodeServerFrame,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodePermissionDenied,
  encodePersistedAck,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  isQuireError,
  varUintSize,
  writeVarUint,
  type ClientFrame,
  type ServerFrame,
} from '../src/index.js';
import {
  randomPayloadLength,
  randomText,
  randomVarUintValue,
  seededRandom,
  type Random,
} from './helpers/random.js';

const ITERATIONS = 2000;
const SEED = 0x5eed_c0de;

function lib0Frame(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

/** A random frame, our encoding of it, lib0's encoding of it, and what decoding must return. */
function randomFrame(random: Random): { ours: Uint8Array; lib0: Uint8Array; frame: ServerFrame } {
  const payload = random.bytes(randomPayloadLength(random));
  const kind = random.int(7);
  const withPayload = (type: number, subtype: number | null) =>
    lib0Frame((e) => {
      encoding.writeVarUint(e, type);
      if (subtype !== null) encoding.writeVarUint(e, subtype);
      encoding.writeVarUint8Array(e, payload);
    });
  switch (kind) {
    case 0:
      return {
        ours: encodeSyncStep1(payload),
        lib0: withPayload(0, 0),
        frame: { kind: 'sync-step1', stateVector: payload },
      };
    case 1:
      return {
        ours: encodeSyncStep2(payload),
        lib0: withPayload(0, 1),
        frame: { kind: 'sync-step2', update: payload },
      };
    case 2:
      return {
        ours: encodeSyncUpdate(payload),
        lib0: withPayload(0, 2),
        frame: { kind: 'sync-update', update: payload },
      };
    case 3:
      return {
        ours: encodeAwareness(payload),
        lib0: withPayload(1, null),
        frame: { kind: 'awareness', update: payload },
      };
    case 4:
      return {
        ours: encodeQueryAwareness(),
        lib0: lib0Frame((e) => encoding.writeVarUint(e, 3)),
        frame: { kind: 'query-awareness' },
      };
    case 5: {
      const reason = randomText(random, 40);
      return {
        ours: encodePermissionDenied(reason),
        lib0: lib0Frame((e) => {
          encoding.writeVarUint(e, 2);
          encoding.writeVarUint(e, 0);
          encoding.writeVarString(e, reason);
        }),
        frame: { kind: 'permission-denied', reason },
      };
    }
    default: {
      const durableUpdates = random.int(100_000);
      return {
        ours: encodePersistedAck(payload, durableUpdates),
        lib0: lib0Frame((e) => {
          encoding.writeVarUint(e, 100);
          encoding.writeVarUint8Array(e, payload);
          encoding.writeVarUint(e, durableUpdates);
        }),
        frame: { kind: 'persisted-ack', stateVector: payload, durableUpdates },
      };
    }
  }
}

/**
 * Where two byte arrays first differ (-1 when equal). Deep-equality on 16 KiB typed arrays is
 * slow enough to time out a 2000-iteration property; a plain loop is not.
 */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** A frame's bytes field, whichever kind it is, so two frames compare with firstDifference. */
function frameBytes(frame: ServerFrame | ClientFrame): Uint8Array {
  switch (frame.kind) {
    case 'rollback-report':
      return frame.acknowledged;
    case 'sync-step1':
    case 'persisted-ack':
      return frame.stateVector;
    case 'sync-step2':
    case 'sync-update':
    case 'awareness':
      return frame.update;
    case 'permission-denied':
      return new TextEncoder().encode(frame.reason);
    case 'query-awareness':
      return new Uint8Array();
  }
}

function expectSameFrame(
  actual: ServerFrame | ClientFrame,
  expected: ServerFrame,
  label: string,
): void {
  expect(actual.kind, label).toBe(expected.kind);
  if (actual.kind === 'permission-denied' && expected.kind === 'permission-denied') {
    expect(actual.reason, label).toBe(expected.reason);
  }
  expect(firstDifference(frameBytes(actual), frameBytes(expected)), label).toBe(-1);
}

/** Runs `fn` and returns how it ended: decoded, refused with a QuireError, or crashed. */
function outcome(fn: () => unknown): 'decoded' | 'refused' | string {
  try {
    fn();
    return 'decoded';
  } catch (error) {
    return isQuireError(error) ? 'refused' : `crashed: ${String(error)}`;
  }
}

describe('seeded random properties', () => {
  it(`varUint: ours and lib0 agree on bytes and values (${ITERATIONS} values)`, () => {
    const random = seededRandom(SEED);
    for (let i = 0; i < ITERATIONS; i++) {
      const value = randomVarUintValue(random);
      const ours = new Uint8Array(varUintSize(value));
      writeVarUint(ours, 0, value);
      const theirs = lib0Frame((e) => encoding.writeVarUint(e, value));
      expect(ours, `iteration ${i}, value ${value}`).toEqual(theirs);
      expect(new ByteReader(theirs).readVarUint(), `iteration ${i}`).toBe(value);
      expect(decoding.readVarUint(decoding.createDecoder(ours)), `iteration ${i}`).toBe(value);
    }
  });

  it(`frames: encode equals lib0, decode returns the same frame (${ITERATIONS} frames)`, () => {
    const random = seededRandom(SEED + 1);
    for (let i = 0; i < ITERATIONS; i++) {
      const { ours, lib0, frame } = randomFrame(random);
      const label = `iteration ${i}`;
      expect(firstDifference(ours, lib0), label).toBe(-1);
      expectSameFrame(decodeServerFrame(lib0), frame, label);
      if (frame.kind !== 'permission-denied' && frame.kind !== 'persisted-ack') {
        expectSameFrame(decodeClientFrame(lib0), frame, label);
      }
    }
  });

  it(`frames: every strict prefix and every one-byte extension is refused (${ITERATIONS} frames)`, () => {
    const random = seededRandom(SEED + 2);
    for (let i = 0; i < ITERATIONS; i++) {
      const { ours, frame } = randomFrame(random);
      const cut = random.int(ours.length);
      // The ack's trailing count is optional: cut exactly before it, the ack is still valid.
      const countStart =
        frame.kind === 'persisted-ack' && frame.durableUpdates !== null
          ? ours.length - varUintSize(frame.durableUpdates)
          : -1;
      expect(
        outcome(() => decodeServerFrame(ours.subarray(0, cut))),
        `iteration ${i}`,
      ).toBe(cut === countStart ? 'decoded' : 'refused');
      const extended = new Uint8Array(ours.length + 1);
      extended.set(ours);
      extended[ours.length] = random.int(256);
      expect(
        outcome(() => decodeServerFrame(extended)),
        `iteration ${i}`,
      ).toBe('refused');
    }
  });

  it(`random bytes are decoded or refused with a QuireError, never crash (${ITERATIONS} inputs)`, () => {
    const random = seededRandom(SEED + 3);
    for (let i = 0; i < ITERATIONS; i++) {
      // Mostly known type bytes first, so the fuzz reaches past the type switch.
      const bytes = random.bytes(random.int(24));
      if (bytes.length > 0 && random.int(4) > 0) bytes[0] = random.pick([0, 1, 2, 3, 100]);
      if (bytes.length > 1 && bytes[0] === 0 && random.int(2) > 0) bytes[1] = random.int(3);
      expect(
        outcome(() => decodeClientFrame(bytes)),
        `iteration ${i}`,
      ).not.toMatch(/^crashed/);
      expect(
        outcome(() => decodeServerFrame(bytes)),
        `iteration ${i}`,
      ).not.toMatch(/^crashed/);
      expect(
        outcome(() => decodeAwarenessUpdate(bytes, 16)),
        `iteration ${i}`,
      ).not.toMatch(/^crashed/);
    }
  });

  it(`awareness updates: ours and lib0 agree both ways (${ITERATIONS} updates)`, () => {
    const random = seededRandom(SEED + 4);
    for (let i = 0; i < ITERATIONS; i++) {
      const entries = Array.from({ length: random.int(5) }, () => ({
        clientID: randomVarUintValue(random),
        clock: randomVarUintValue(random),
        stateJSON: JSON.stringify({ user: { name: randomText(random, 12) } }),
      }));
      const theirs = lib0Frame((e) => {
        encoding.writeVarUint(e, entries.length);
        for (const entry of entries) {
          encoding.writeVarUint(e, entry.clientID);
          encoding.writeVarUint(e, entry.clock);
          encoding.writeVarString(e, entry.stateJSON);
        }
      });
      expect(firstDifference(encodeAwarenessUpdate(entries), theirs), `iteration ${i}`).toBe(-1);
      expect(decodeAwarenessUpdate(theirs, 16), `iteration ${i}`).toEqual(entries);
    }
  });
});
