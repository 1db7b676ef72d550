import { describe, expect, it } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ByteReader, encodeWithPayload, varUintSize, writeVarUint } from '../src/index.js';
import { errorCodeOf } from './helpers/errors.js';

function lib0VarUint(value: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return encoding.toUint8Array(encoder);
}

function ourVarUint(value: number): Uint8Array {
  const out = new Uint8Array(varUintSize(value));
  const end = writeVarUint(out, 0, value);
  expect(end).toBe(out.length);
  return out;
}

const BOUNDARIES = [
  0,
  1,
  127,
  128,
  255,
  16_383,
  16_384,
  2 ** 21 - 1,
  2 ** 21,
  2 ** 28,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32,
  2 ** 35 + 17,
  2 ** 49,
  Number.MAX_SAFE_INTEGER,
];

describe('varUint', () => {
  it.each(BOUNDARIES)('encodes %d to the same bytes as lib0', (value) => {
    expect(ourVarUint(value)).toEqual(lib0VarUint(value));
  });

  it.each(BOUNDARIES)(
    'decodes lib0 bytes of %d to the same value, and lib0 decodes ours',
    (value) => {
      const reader = new ByteReader(lib0VarUint(value));
      expect(reader.readVarUint()).toBe(value);
      reader.expectEnd();
      expect(decoding.readVarUint(decoding.createDecoder(ourVarUint(value)))).toBe(value);
    },
  );

  it('refuses an empty input as truncated', () => {
    expect(errorCodeOf(() => new ByteReader(new Uint8Array()).readVarUint())).toBe(
      'frame-truncated',
    );
  });

  it.each([[[0x80]], [[0xff, 0xff]], [[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]])(
    'refuses the unterminated varUint %j as truncated',
    (bytes) => {
      expect(errorCodeOf(() => new ByteReader(Uint8Array.from(bytes)).readVarUint())).toBe(
        'frame-truncated',
      );
    },
  );

  it('refuses an overlong varUint (10 × 0xFF, 0x01) as an integer overflow', () => {
    const bytes = Uint8Array.from([...new Array<number>(10).fill(0xff), 0x01]);
    expect(errorCodeOf(() => new ByteReader(bytes).readVarUint())).toBe('frame-integer-overflow');
  });

  it('refuses 2^53, one past the largest safe integer, as an integer overflow', () => {
    expect(errorCodeOf(() => new ByteReader(lib0VarUint(2 ** 53)).readVarUint())).toBe(
      'frame-integer-overflow',
    );
  });

  it('stops reading an endless continuation run at the overflow limit, not at the end', () => {
    // 1000 continuation bytes: a reader without a bit limit would walk all of them.
    const bytes = new Uint8Array(1000).fill(0x80);
    expect(errorCodeOf(() => new ByteReader(bytes).readVarUint())).toBe('frame-integer-overflow');
  });
});

describe('varUint8Array', () => {
  it('reads a declared length that fits and returns an exact-size copy', () => {
    const input = Uint8Array.of(3, 10, 20, 30);
    const reader = new ByteReader(input);
    const payload = reader.readVarUint8Array();
    input.fill(0);
    expect(Array.from(payload)).toEqual([10, 20, 30]);
    expect(payload.buffer.byteLength).toBe(3);
    expect(payload.byteOffset).toBe(0);
    reader.expectEnd();
  });

  it('refuses a declared length larger than the bytes that remain', () => {
    expect(errorCodeOf(() => new ByteReader(Uint8Array.of(4, 1, 2, 3)).readVarUint8Array())).toBe(
      'frame-truncated',
    );
  });

  it('never reads past the end of a view into a larger buffer', () => {
    // The view holds [2, 7]; the bytes after it in the same buffer must stay out of reach.
    const backing = Uint8Array.of(2, 7, 99, 99, 99);
    const view = backing.subarray(0, 2);
    expect(errorCodeOf(() => new ByteReader(view).readVarUint8Array())).toBe('frame-truncated');
  });

  it('reports trailing bytes after the last field', () => {
    const reader = new ByteReader(Uint8Array.of(1, 5, 6));
    reader.readVarUint8Array();
    expect(errorCodeOf(() => reader.expectEnd())).toBe('frame-trailing-bytes');
  });

  it('refuses a string that is not valid UTF-8 with frame-invalid-utf8', () => {
    expect(errorCodeOf(() => new ByteReader(Uint8Array.of(2, 0xc3, 0x28)).readVarString())).toBe(
      'frame-invalid-utf8',
    );
  });

  it('keeps a leading byte-order mark as content, like lib0', () => {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, '\ufeffhello');
    expect(new ByteReader(encoding.toUint8Array(encoder)).readVarString()).toBe('\ufeffhello');
  });

  it('encodes headers and a payload like lib0 writeVarUint + writeVarUint8Array', () => {
    const payload = new Uint8Array(300).map((_, i) => i % 251);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    encoding.writeVarUint(encoder, 2 ** 40);
    encoding.writeVarUint8Array(encoder, payload);
    expect(encodeWithPayload([0, 2 ** 40], payload)).toEqual(encoding.toUint8Array(encoder));
  });
});
