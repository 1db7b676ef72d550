import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as syncProtocol from 'y-protocols/sync';
import {
  MessageType,
  decodeClientFrame,
  decodeServerFrame,
  encodeAwareness,
  encodePermissionDenied,
  encodePersistedAck,
  encodeQueryAwareness,
  encodeRollbackReport,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
} from '../src/index.js';
import { errorCodeOf } from './helpers/errors.js';

const docs: Y.Doc[] = [];
afterEach(() => {
  for (const doc of docs.splice(0)) doc.destroy();
});

/** A document with enough text that its update needs a multi-byte length prefix. */
function docWithText(text: string): Y.Doc {
  const doc = new Y.Doc();
  docs.push(doc);
  doc.getText('t').insert(0, text);
  return doc;
}

/** A frame as y-websocket builds it: `varUint messageType` then the y-protocols body. */
function stockFrame(type: number, writeBody: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, type);
  writeBody(encoder);
  return encoding.toUint8Array(encoder);
}

function lib0VarUint(value: number): number[] {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return Array.from(encoding.toUint8Array(encoder));
}

const LONG_TEXT = 'Quire keeps every edit. '.repeat(40);

describe('frames are byte-compatible with y-protocols', () => {
  it('encodes sync step 1 exactly like y-protocols writeSyncStep1', () => {
    const doc = docWithText(LONG_TEXT);
    const stock = stockFrame(MessageType.Sync, (e) => syncProtocol.writeSyncStep1(e, doc));
    expect(encodeSyncStep1(Y.encodeStateVector(doc))).toEqual(stock);
  });

  it('encodes sync step 2 exactly like y-protocols writeSyncStep2', () => {
    const doc = docWithText(LONG_TEXT);
    const stock = stockFrame(MessageType.Sync, (e) => syncProtocol.writeSyncStep2(e, doc));
    expect(encodeSyncStep2(Y.encodeStateAsUpdate(doc))).toEqual(stock);
  });

  it('encodes an update exactly like y-protocols writeUpdate', () => {
    const update = Y.encodeStateAsUpdate(docWithText(LONG_TEXT));
    const stock = stockFrame(MessageType.Sync, (e) => syncProtocol.writeUpdate(e, update));
    expect(encodeSyncUpdate(update)).toEqual(stock);
  });

  it('encodes awareness and query-awareness exactly like y-websocket', () => {
    const payload = Uint8Array.of(1, 42, 3, 4, 110, 117, 108, 108);
    const stock = stockFrame(MessageType.Awareness, (e) => encoding.writeVarUint8Array(e, payload));
    expect(encodeAwareness(payload)).toEqual(stock);
    expect(encodeQueryAwareness()).toEqual(Uint8Array.of(MessageType.QueryAwareness));
  });

  it('encodes permission-denied exactly like y-protocols writePermissionDenied', () => {
    const stock = stockFrame(MessageType.Auth, (e) =>
      authProtocol.writePermissionDenied(e, 'read-only'),
    );
    expect(encodePermissionDenied('read-only')).toEqual(stock);
  });

  it('encodes the persisted ack as varUint 100 then a varUint8Array state vector', () => {
    const sv = Y.encodeStateVector(docWithText('saved'));
    const expected = stockFrame(100, (e) => encoding.writeVarUint8Array(e, sv));
    expect(encodePersistedAck(sv)).toEqual(expected);
  });

  it('decodes y-protocols sync frames into the payloads y-protocols wrote', () => {
    const doc = docWithText(LONG_TEXT);
    const sv = Y.encodeStateVector(doc);
    const update = Y.encodeStateAsUpdate(doc);
    expect(decodeClientFrame(stockFrame(0, (e) => syncProtocol.writeSyncStep1(e, doc)))).toEqual({
      kind: 'sync-step1',
      stateVector: sv,
    });
    expect(decodeClientFrame(stockFrame(0, (e) => syncProtocol.writeSyncStep2(e, doc)))).toEqual({
      kind: 'sync-step2',
      update,
    });
    expect(decodeClientFrame(stockFrame(0, (e) => syncProtocol.writeUpdate(e, update)))).toEqual({
      kind: 'sync-update',
      update,
    });
  });

  it('decodes a y-protocols permission-denied reason, including non-ASCII text', () => {
    const reason = 'lecture seule — read-only ✋';
    const frame = stockFrame(2, (e) => authProtocol.writePermissionDenied(e, reason));
    expect(decodeServerFrame(frame)).toEqual({ kind: 'permission-denied', reason });
  });

  it('produces frames y-protocols reads: our update applied by readSyncMessage', () => {
    const source = docWithText(LONG_TEXT);
    const target = new Y.Doc();
    docs.push(target);
    const decoder = decoding.createDecoder(encodeSyncUpdate(Y.encodeStateAsUpdate(source)));
    expect(decoding.readVarUint(decoder)).toBe(MessageType.Sync);
    syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), target, null);
    expect(target.getText('t').toString()).toBe(LONG_TEXT);
  });

  it('produces frames y-protocols reads: our sync step 1 gets a step 2 reply with the missing state', () => {
    const server = docWithText(LONG_TEXT);
    const client = new Y.Doc();
    docs.push(client);
    const decoder = decoding.createDecoder(encodeSyncStep1(Y.encodeStateVector(client)));
    decoding.readVarUint(decoder);
    const reply = encoding.createEncoder();
    syncProtocol.readSyncMessage(decoder, reply, server, null);
    const frame = decodeClientFrame(
      Uint8Array.from([MessageType.Sync, ...encoding.toUint8Array(reply)]),
    );
    expect(frame.kind).toBe('sync-step2');
    if (frame.kind !== 'sync-step2') return;
    Y.applyUpdate(client, frame.update);
    expect(client.getText('t').toString()).toBe(LONG_TEXT);
  });

  it('produces frames y-protocols reads: readAuthMessage sees our permission-denied reason', () => {
    const decoder = decoding.createDecoder(encodePermissionDenied('read-only'));
    expect(decoding.readVarUint(decoder)).toBe(MessageType.Auth);
    const reasons: string[] = [];
    const doc = new Y.Doc();
    docs.push(doc);
    authProtocol.readAuthMessage(decoder, doc, (_y, reason) => reasons.push(reason));
    expect(reasons).toEqual(['read-only']);
  });
});

describe('decoded payloads are exact-size copies', () => {
  it('is not a view into the input: mutating the input afterwards changes nothing', () => {
    const input = encodeSyncUpdate(Uint8Array.of(5, 6, 7, 8));
    const frame = decodeClientFrame(input);
    input.fill(0xee);
    expect(frame).toEqual({ kind: 'sync-update', update: Uint8Array.of(5, 6, 7, 8) });
    if (frame.kind !== 'sync-update') return;
    expect(frame.update.buffer.byteLength).toBe(frame.update.length);
    expect(frame.update.byteOffset).toBe(0);
  });

  it('copies out of a view into a larger buffer without keeping that buffer alive', () => {
    const backing = new Uint8Array(4096).fill(0x55);
    const framed = encodeAwareness(Uint8Array.of(1, 2, 3));
    backing.set(framed, 100);
    const frame = decodeClientFrame(backing.subarray(100, 100 + framed.length));
    if (frame.kind !== 'awareness') throw new Error(`unexpected ${frame.kind}`);
    expect(Array.from(frame.update)).toEqual([1, 2, 3]);
    expect(frame.update.buffer).not.toBe(backing.buffer);
    expect(frame.update.buffer.byteLength).toBe(3);
  });

  it('returns plain exact-size copies for a Node Buffer, whose slice() would return a view', () => {
    // ws hands out Buffers, often carved from an 8 KiB pool; a view would pin and expose it.
    const NodeBuffer = (globalThis as { Buffer?: { from(bytes: number[]): Uint8Array } }).Buffer;
    if (!NodeBuffer) throw new Error('this test needs Node');
    const input = NodeBuffer.from([0, 1, 3, 9, 8, 7]);
    const frame = decodeClientFrame(input);
    input.fill(0);
    if (frame.kind !== 'sync-step2') throw new Error(`unexpected ${frame.kind}`);
    expect(Array.from(frame.update)).toEqual([9, 8, 7]);
    expect(frame.update.buffer.byteLength).toBe(3);
    expect(Object.getPrototypeOf(frame.update)).toBe(Uint8Array.prototype);
  });

  it('carries an optional count of durable update messages after the state vector', () => {
    const sv = Uint8Array.of(1, 200, 1, 7);
    expect(decodeServerFrame(encodePersistedAck(sv, 300))).toEqual({
      kind: 'persisted-ack',
      stateVector: sv,
      durableUpdates: 300,
    });
    expect(encodePersistedAck(sv, 300)).toEqual(Uint8Array.of(100, 4, 1, 200, 1, 7, 0xac, 0x02));
    expect(decodeServerFrame(encodePersistedAck(sv))).toMatchObject({ durableUpdates: null });
    expect(errorCodeOf(() => decodeServerFrame(Uint8Array.of(100, 1, 0, 5, 9)))).toBe(
      'frame-trailing-bytes',
    );
  });

  it('carries a rollback report (type 101) from a client: the acknowledged state vector', () => {
    const sv = Uint8Array.of(1, 200, 1, 7);
    expect(encodeRollbackReport(sv)).toEqual(Uint8Array.of(101, 4, 1, 200, 1, 7));
    expect(decodeClientFrame(encodeRollbackReport(sv))).toEqual({
      kind: 'rollback-report',
      acknowledged: sv,
    });
    expect(errorCodeOf(() => decodeClientFrame(Uint8Array.of(101)))).toBe('frame-truncated');
    expect(errorCodeOf(() => decodeClientFrame(Uint8Array.of(101, 1, 0, 0)))).toBe(
      'frame-trailing-bytes',
    );
  });

  it('copies the persisted-ack state vector and the server-side frames as well', () => {
    const input = encodePersistedAck(Uint8Array.of(1, 200, 1, 7));
    const frame = decodeServerFrame(input);
    input.fill(0);
    if (frame.kind !== 'persisted-ack') throw new Error(`unexpected ${frame.kind}`);
    expect(Array.from(frame.stateVector)).toEqual([1, 200, 1, 7]);
    expect(frame.stateVector.buffer.byteLength).toBe(4);
  });
});

describe('malformed client frames carry the right QuireError code', () => {
  const cases: [string, number[], string][] = [
    ['an empty message', [], 'frame-empty'],
    ['a truncated type varUint [0x80]', [0x80], 'frame-truncated'],
    ['a truncated type varUint [0xFF, 0xFF]', [0xff, 0xff], 'frame-truncated'],
    [
      'an overlong type varUint (10 × 0xFF, 0x01)',
      [...new Array<number>(10).fill(0xff), 0x01],
      'frame-integer-overflow',
    ],
    ['unknown type 7', [7], 'frame-unknown-type'],
    ['unknown type 255', lib0VarUint(255), 'frame-unknown-type'],
    ['unknown type 2^40', lib0VarUint(2 ** 40), 'frame-unknown-type'],
    ['auth (server → client only) sent by a client', [2, 0, 1, 65], 'frame-unknown-type'],
    ['a persisted ack (server → client only) sent by a client', [100, 1, 0], 'frame-unknown-type'],
    ['a sync frame without a subtype', [0], 'frame-truncated'],
    ['unknown sync subtype 3', [0, 3, 1, 0], 'frame-unknown-sync-type'],
    ['unknown sync subtype 2^33', [0, ...lib0VarUint(2 ** 33), 0], 'frame-unknown-sync-type'],
    ['a sync update without a length', [0, 2], 'frame-truncated'],
    ['declared length 1e9 with no bytes', [0, 2, ...lib0VarUint(1e9)], 'frame-truncated'],
    ['declared length 5 with 4 bytes', [0, 2, 5, 1, 2, 3, 4], 'frame-truncated'],
    [
      'an overlong length varUint',
      [0, 2, ...new Array<number>(10).fill(0xff), 0x01],
      'frame-integer-overflow',
    ],
    ['an awareness frame without a length', [1], 'frame-truncated'],
    ['a sync update followed by a trailing byte', [0, 2, 1, 9, 0], 'frame-trailing-bytes'],
    ['two frames in one message', [0, 2, 1, 9, 0, 2, 1, 9], 'frame-trailing-bytes'],
    ['query-awareness with a trailing byte', [3, 0], 'frame-trailing-bytes'],
  ];

  it.each(cases)('refuses %s', (_name, bytes, code) => {
    expect(errorCodeOf(() => decodeClientFrame(Uint8Array.from(bytes)))).toBe(code);
  });

  it('does not over-read into the next frame when a length claims n + 64 bytes', () => {
    // Two frames back to back in one buffer, as a careless reader would see them; the first
    // claims 64 bytes more than it holds, which the second frame (and more) could supply.
    const payload = Uint8Array.of(1, 2, 3, 4);
    const liar = Uint8Array.from([0, 2, ...lib0VarUint(payload.length + 64), ...payload]);
    const next = encodeSyncUpdate(new Uint8Array(200).fill(0xab));
    const stream = new Uint8Array(liar.length + next.length);
    stream.set(liar, 0);
    stream.set(next, liar.length);
    expect(errorCodeOf(() => decodeClientFrame(stream.subarray(0, liar.length)))).toBe(
      'frame-truncated',
    );
  });
});

describe('malformed server frames carry the right QuireError code', () => {
  const cases: [string, number[], string][] = [
    ['an empty message', [], 'frame-empty'],
    ['an unknown auth subtype', [2, 1, 0], 'frame-unknown-type'],
    ['a permission-denied without a reason', [2, 0], 'frame-truncated'],
    ['a reason that is not UTF-8', [2, 0, 2, 0xc3, 0x28], 'frame-invalid-utf8'],
    ['a permission-denied with trailing bytes', [2, 0, 1, 65, 0], 'frame-trailing-bytes'],
    ['a persisted ack without a state vector', [100], 'frame-truncated'],
    ['a persisted ack whose length exceeds the frame', [100, 9, 1, 2], 'frame-truncated'],
    ['a persisted ack with trailing bytes', [100, 1, 0, 0, 0], 'frame-trailing-bytes'],
    ['a persisted ack with a truncated count', [100, 1, 0, 0x80], 'frame-truncated'],
    [
      'a rollback report (client → server only) sent by a server',
      [101, 1, 0],
      'frame-unknown-type',
    ],
    ['unknown type 102', [102], 'frame-unknown-type'],
  ];

  it.each(cases)('refuses %s', (_name, bytes, code) => {
    expect(errorCodeOf(() => decodeServerFrame(Uint8Array.from(bytes)))).toBe(code);
  });

  it('decodes every client-to-server kind as a server frame too (the relay forwards them)', () => {
    expect(decodeServerFrame(encodeQueryAwareness())).toEqual({ kind: 'query-awareness' });
    expect(decodeServerFrame(encodeSyncUpdate(Uint8Array.of(4)))).toEqual({
      kind: 'sync-update',
      update: Uint8Array.of(4),
    });
  });
});
