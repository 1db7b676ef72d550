import { describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import { encodeAwareness, encodeSyncStep1, encodeSyncStep2, encodeSyncUpdate } from '@quire/shared';
import { countSentUpdates, isDocumentUpdateFrame } from '../src/sent-updates.js';

/** The slice of the provider that sent-updates.ts touches: `ws` and 'status' events. */
function fakeProvider() {
  const listeners = new Set<() => void>();
  const sent: unknown[] = [];
  const provider = {
    ws: null as { send(data: unknown): void } | null,
    on: (_event: string, l: () => void) => listeners.add(l),
    off: (_event: string, l: () => void) => listeners.delete(l),
    newSocket() {
      this.ws = { send: (data: unknown) => sent.push(data) };
      listeners.forEach((l) => l());
    },
  };
  return { provider, sent };
}

describe('isDocumentUpdateFrame', () => {
  it('counts sync step 2 and sync update, in either buffer type', () => {
    const update = Uint8Array.of(1, 2, 3);
    expect(isDocumentUpdateFrame(encodeSyncStep2(update))).toBe(true);
    expect(isDocumentUpdateFrame(encodeSyncUpdate(update).buffer)).toBe(true);
  });

  it('ignores sync step 1, awareness and anything that is not bytes', () => {
    expect(isDocumentUpdateFrame(encodeSyncStep1(Uint8Array.of(0)))).toBe(false);
    expect(isDocumentUpdateFrame(encodeAwareness(Uint8Array.of(0)))).toBe(false);
    expect(isDocumentUpdateFrame('text')).toBe(false);
    expect(isDocumentUpdateFrame(Uint8Array.of(0))).toBe(false);
  });
});

describe('countSentUpdates', () => {
  it('counts update messages per socket and restarts at 0 on a new socket', () => {
    const { provider, sent } = fakeProvider();
    let notified = 0;
    const counter = countSentUpdates(provider as unknown as WebsocketProvider, () => notified++);
    provider.newSocket();
    provider.ws!.send(encodeSyncStep1(Uint8Array.of(0)));
    provider.ws!.send(encodeSyncStep2(Uint8Array.of(0, 0)));
    provider.ws!.send(encodeSyncUpdate(Uint8Array.of(0, 0)));
    expect(counter.count()).toBe(2);
    expect(notified).toBe(2);
    expect(sent).toHaveLength(3);

    provider.newSocket();
    expect(counter.count()).toBe(0);
    provider.ws!.send(encodeSyncUpdate(Uint8Array.of(0, 0)));
    expect(counter.count()).toBe(1);
    counter.stop();
  });
});
