import { describe, expect, it, vi } from 'vitest';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { WebsocketProvider } from 'y-websocket';
import { encodePermissionDenied, encodePersistedAck } from '@quire/shared';
import { registerPermissionDenied, registerPersistedAck } from '../src/persisted-ack.js';

type Handler = WebsocketProvider['messageHandlers'][number];

/** Feeds one frame to a handler exactly the way y-websocket's readMessage does. */
function deliver(handler: Handler | undefined, frame: Uint8Array): void {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  handler?.(encoding.createEncoder(), decoder, {} as WebsocketProvider, true, type);
}

describe('persisted ack handler', () => {
  it('reports the durable state vector from a type-100 frame', () => {
    const provider = { messageHandlers: [] as Handler[] } as unknown as WebsocketProvider;
    const acks: Uint8Array[] = [];
    registerPersistedAck(provider, (sv) => acks.push(sv));
    deliver(provider.messageHandlers[100], encodePersistedAck(Uint8Array.of(1, 5, 9)));
    expect(acks).toEqual([Uint8Array.of(1, 5, 9)]);
  });

  it('passes on the count of durable update messages, or null when the server sent none', () => {
    const provider = { messageHandlers: [] as Handler[] } as unknown as WebsocketProvider;
    const counts: (number | null)[] = [];
    registerPersistedAck(provider, (_sv, durableUpdates) => counts.push(durableUpdates));
    deliver(provider.messageHandlers[100], encodePersistedAck(Uint8Array.of(0), 7));
    deliver(provider.messageHandlers[100], encodePersistedAck(Uint8Array.of(0)));
    expect(counts).toEqual([7, null]);
  });

  it('ignores a truncated frame instead of throwing into the provider', () => {
    const provider = { messageHandlers: [] as Handler[] } as unknown as WebsocketProvider;
    const acks: Uint8Array[] = [];
    registerPersistedAck(provider, (sv) => acks.push(sv));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(() => deliver(provider.messageHandlers[100], Uint8Array.of(100, 9, 1))).not.toThrow();
      expect(warn).toHaveBeenCalledWith(
        'quire: ignoring a malformed server message',
        expect.anything(),
      );
    } finally {
      warn.mockRestore();
    }
    expect(acks).toEqual([]);
  });
});

describe('permission denied handler', () => {
  it('reports the reason', () => {
    const provider = { messageHandlers: [] as Handler[] } as unknown as WebsocketProvider;
    const reasons: string[] = [];
    registerPermissionDenied(provider, (r) => reasons.push(r));
    deliver(provider.messageHandlers[2], encodePermissionDenied('permission denied: read-only'));
    expect(reasons).toEqual(['permission denied: read-only']);
  });
});
