import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { decodeAwarenessUpdate, encodeAwarenessUpdate, type AwarenessEntry } from '../src/index.js';
import { errorCodeOf } from './helpers/errors.js';

const created: { doc: Y.Doc; awareness: awarenessProtocol.Awareness }[] = [];
afterEach(() => {
  // Awareness runs an interval timer until destroyed.
  for (const { doc, awareness } of created.splice(0)) {
    awareness.destroy();
    doc.destroy();
  }
});

function stockAwareness(clientID: number): awarenessProtocol.Awareness {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const awareness = new awarenessProtocol.Awareness(doc);
  created.push({ doc, awareness });
  return awareness;
}

function lib0VarUint(value: number): number[] {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, value);
  return Array.from(encoding.toUint8Array(encoder));
}

const MAX_ENTRIES = 16;

describe('awareness updates are byte-compatible with y-protocols', () => {
  it('decodes what y-protocols encodes, state JSON untouched', () => {
    const awareness = stockAwareness(123_456_789);
    awareness.setLocalState({ user: { name: 'Zoë 🦊', color: '#30bced' }, cursor: null });
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]);
    const [entry, ...rest] = decodeAwarenessUpdate(update, MAX_ENTRIES);
    expect(rest).toEqual([]);
    expect(entry?.clientID).toBe(123_456_789);
    expect(entry?.clock).toBe(awareness.meta.get(awareness.clientID)?.clock);
    expect(JSON.parse(entry?.stateJSON ?? '')).toEqual(awareness.getLocalState());
    // Re-encoding gives back the very same bytes, so a relay can forward either.
    expect(encodeAwarenessUpdate(decodeAwarenessUpdate(update, MAX_ENTRIES))).toEqual(update);
  });

  it('decodes a y-protocols removal as the state JSON "null"', () => {
    const awareness = stockAwareness(7);
    awareness.setLocalState({ user: { name: 'A' } });
    awareness.setLocalState(null);
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [7]);
    expect(decodeAwarenessUpdate(update, MAX_ENTRIES)).toEqual([
      { clientID: 7, clock: 2, stateJSON: 'null' },
    ]);
  });

  it('encodes updates that y-protocols applies: states and removals arrive', () => {
    const receiver = stockAwareness(1);
    const entries: AwarenessEntry[] = [
      { clientID: 2, clock: 1, stateJSON: '{"user":{"name":"Bo"}}' },
      { clientID: 3, clock: 4, stateJSON: '{"user":{"name":"Çé"}}' },
    ];
    awarenessProtocol.applyAwarenessUpdate(receiver, encodeAwarenessUpdate(entries), 'test');
    expect(receiver.getStates().get(2)).toEqual({ user: { name: 'Bo' } });
    expect(receiver.getStates().get(3)).toEqual({ user: { name: 'Çé' } });
    const removal = encodeAwarenessUpdate([{ clientID: 2, clock: 2, stateJSON: 'null' }]);
    awarenessProtocol.applyAwarenessUpdate(receiver, removal, 'test');
    expect(receiver.getStates().has(2)).toBe(false);
  });

  it('encodes an empty update as the single byte 0, and decodes it to no entries', () => {
    expect(encodeAwarenessUpdate([])).toEqual(Uint8Array.of(0));
    expect(decodeAwarenessUpdate(Uint8Array.of(0), MAX_ENTRIES)).toEqual([]);
  });
});

describe('awareness update decoding is bounded', () => {
  it('refuses 10^6 entries claimed in a few bytes before reading any entry', () => {
    // The first "entry" holds invalid UTF-8: had the decoder started reading entries it would
    // have failed with frame-invalid-utf8 instead, so the count was checked first.
    const bytes = Uint8Array.from([...lib0VarUint(1e6), 1, 1, 1, 0xff]);
    expect(errorCodeOf(() => decodeAwarenessUpdate(bytes, 1e7))).toBe('frame-truncated');
  });

  it('refuses more entries than the caller allows, even when the bytes would hold them', () => {
    const entries = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({
      clientID: i,
      clock: 1,
      stateJSON: '{}',
    }));
    expect(
      errorCodeOf(() => decodeAwarenessUpdate(encodeAwarenessUpdate(entries), MAX_ENTRIES)),
    ).toBe('frame-too-large');
    expect(decodeAwarenessUpdate(encodeAwarenessUpdate(entries), MAX_ENTRIES + 1)).toHaveLength(
      MAX_ENTRIES + 1,
    );
  });

  it.each([
    ['an empty payload', [], 'frame-truncated'],
    ['an entry without its state', [1, 5, 1], 'frame-truncated'],
    ['a state longer than the bytes left', [1, 5, 1, 9, 123, 125, 0], 'frame-truncated'],
    ['trailing bytes after the last entry', [1, 5, 1, 2, 123, 125, 0], 'frame-trailing-bytes'],
    ['a state that is not UTF-8', [1, 5, 1, 1, 0xff], 'frame-invalid-utf8'],
    [
      'an overlong client ID',
      [1, ...new Array<number>(10).fill(0xff), 0x01, 1, 0],
      'frame-integer-overflow',
    ],
  ])('refuses %s', (_name, bytes, code) => {
    expect(errorCodeOf(() => decodeAwarenessUpdate(Uint8Array.from(bytes), MAX_ENTRIES))).toBe(
      code,
    );
  });
});
