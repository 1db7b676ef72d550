/**
 * Minimal lib0-compatible varUint / varUint8Array codec with strict bounds checks.
 *
 * lib0's decoder trusts declared lengths and hands out views into the source buffer, so a short
 * frame can make it read into whatever bytes follow (threat model P6, docs/threat-model.md). This reader checks
 * every length against the bytes that remain and returns copies of exactly the declared size.
 */
import { QuireError } from './errors.js';

const MAX_SAFE_BITS = 53;

export class ByteReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  readVarUint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.bytes.length) {
        throw new QuireError('frame-truncated', 'unexpected end of message inside a varUint');
      }
      const byte = this.bytes[this.pos++] as number;
      // Multiplication, not <<, so values up to 2^53 stay exact.
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) break;
      if (shift >= MAX_SAFE_BITS + 7) {
        throw new QuireError('frame-integer-overflow', 'varUint longer than 53 bits');
      }
    }
    if (result > Number.MAX_SAFE_INTEGER) {
      throw new QuireError('frame-integer-overflow', 'varUint larger than 2^53-1');
    }
    return result;
  }

  /** A length-prefixed byte array, returned as an exact-size copy. */
  readVarUint8Array(): Uint8Array {
    const length = this.readVarUint();
    if (length > this.remaining) {
      throw new QuireError(
        'frame-truncated',
        `declared length ${length} exceeds the ${this.remaining} bytes that remain`,
      );
    }
    const copy = exactCopy(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return copy;
  }

  readVarString(): string {
    const bytes = this.readVarUint8Array();
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      // The fatal decoder throws a bare TypeError; callers map errors by code, not by class.
      throw new QuireError('frame-invalid-utf8', 'string is not valid UTF-8');
    }
  }

  /** The rest of the message as an exact-size copy. */
  readRest(): Uint8Array {
    const copy = exactCopy(this.bytes, this.pos, this.bytes.length);
    this.pos = this.bytes.length;
    return copy;
  }

  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new QuireError('frame-trailing-bytes', `${this.remaining} unexpected trailing bytes`);
    }
  }
}

/**
 * A fresh, plain Uint8Array holding bytes [start, end) of `source`. Not `source.slice()`: Node's
 * Buffer overrides slice() to return a view into its (often pooled, 8 KiB) backing store.
 */
function exactCopy(source: Uint8Array, start: number, end: number): Uint8Array {
  const copy = new Uint8Array(end - start);
  copy.set(source.subarray(start, end));
  return copy;
}

// ignoreBOM as in lib0: a leading U+FEFF is content, so strings round-trip byte for byte.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export function varUintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/** Writes varUints at `offset`; returns the offset after the last byte written. */
export function writeVarUint(target: Uint8Array, offset: number, value: number): number {
  while (value >= 0x80) {
    target[offset++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  target[offset++] = value;
  return offset;
}

/** Concatenates varUint headers and one length-prefixed payload in a single allocation. */
export function encodeWithPayload(headers: readonly number[], payload: Uint8Array): Uint8Array {
  let size = varUintSize(payload.length) + payload.length;
  for (const h of headers) size += varUintSize(h);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const h of headers) offset = writeVarUint(out, offset, h);
  offset = writeVarUint(out, offset, payload.length);
  out.set(payload, offset);
  return out;
}

export function encodeVarString(headers: readonly number[], text: string): Uint8Array {
  return encodeWithPayload(headers, utf8Encoder.encode(text));
}
