/**
 * Handlers for the server → client messages that the stock provider does not handle the way we
 * need: Quire's persisted ack (type 100, sent only when the URL has `quire=1`), which reports
 * the state vector that is durably on disk, and y-protocols' permission-denied (type 2), which
 * the stock provider only logs.
 */
import type { WebsocketProvider } from 'y-websocket';
import { MessageType, decodeServerFrame, type ServerFrame } from '@quire/shared';

type Decoder = { arr: Uint8Array; pos: number };

/** The decoder holds the whole frame; the shared strict decoder checks every length. */
function decodeWhole(decoder: Decoder): ServerFrame | null {
  const bytes = decoder.arr;
  decoder.pos = bytes.length;
  try {
    return decodeServerFrame(bytes);
  } catch (error) {
    console.warn('quire: ignoring a malformed server message', error);
    return null;
  }
}

export function registerPersistedAck(
  provider: WebsocketProvider,
  onAck: (stateVector: Uint8Array, durableUpdates: number | null) => void,
): void {
  provider.messageHandlers[MessageType.PersistedAck] = (_encoder, decoder) => {
    const frame = decodeWhole(decoder);
    if (frame?.kind === 'persisted-ack') onAck(frame.stateVector, frame.durableUpdates);
  };
}

export function registerPermissionDenied(
  provider: WebsocketProvider,
  onDenied: (reason: string) => void,
): void {
  provider.messageHandlers[MessageType.Auth] = (_encoder, decoder) => {
    const frame = decodeWhole(decoder);
    if (frame?.kind === 'permission-denied') onDenied(frame.reason);
  };
}
