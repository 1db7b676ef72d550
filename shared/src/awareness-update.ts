/**
 * The awareness update payload of y-protocols/awareness:
 * `varUint count • (varUint clientID • varUint clock • varString stateJSON)*`.
 * Decoding is bounded: the entry count is checked against the bytes that could hold it.
 */
import { ByteReader, varUintSize, writeVarUint } from './bytes.js';
import { QuireError } from './errors.js';

export interface AwarenessEntry {
  clientID: number;
  clock: number;
  /** The state as the JSON text the client sent; `"null"` means the client went away. */
  stateJSON: string;
}

/** Each entry takes at least 3 bytes (two one-byte varUints and an empty string's length). */
const MIN_ENTRY_BYTES = 3;

export function decodeAwarenessUpdate(update: Uint8Array, maxEntries: number): AwarenessEntry[] {
  const reader = new ByteReader(update);
  const count = reader.readVarUint();
  if (count > maxEntries) {
    throw new QuireError('frame-too-large', `awareness update claims ${count} entries`);
  }
  if (count * MIN_ENTRY_BYTES > reader.remaining) {
    throw new QuireError('frame-truncated', `awareness update claims ${count} entries`);
  }
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientID = reader.readVarUint();
    const clock = reader.readVarUint();
    const stateJSON = reader.readVarString();
    entries.push({ clientID, clock, stateJSON });
  }
  reader.expectEnd();
  return entries;
}

const utf8 = new TextEncoder();

export function encodeAwarenessUpdate(entries: readonly AwarenessEntry[]): Uint8Array {
  const encoded = entries.map((e) => ({ ...e, json: utf8.encode(e.stateJSON) }));
  let size = varUintSize(entries.length);
  for (const e of encoded) {
    size += varUintSize(e.clientID) + varUintSize(e.clock) + varUintSize(e.json.length);
    size += e.json.length;
  }
  const out = new Uint8Array(size);
  let offset = writeVarUint(out, 0, entries.length);
  for (const e of encoded) {
    offset = writeVarUint(out, offset, e.clientID);
    offset = writeVarUint(out, offset, e.clock);
    offset = writeVarUint(out, offset, e.json.length);
    out.set(e.json, offset);
    offset += e.json.length;
  }
  return out;
}
