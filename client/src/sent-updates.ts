/**
 * Counts the document-changing messages (sync step 2 and sync update) this editor sends on the
 * current socket. The server's persisted ack reports how many of them are durable; comparing the
 * two is what proves a delete-only edit saved, since deletions do not move the state vector.
 *
 * The stock provider sends through `provider.ws.send` from several places (its update handler,
 * its sync reply), so the socket's `send` is wrapped as soon as the provider creates it.
 */
import type { WebsocketProvider } from 'y-websocket';
import { MessageType, SyncMessageType } from '@quire/shared';

/** True for `[Sync, Step2 | Update, …]`: both subtypes are single-byte varUints. */
export function isDocumentUpdateFrame(data: unknown): boolean {
  const bytes =
    data instanceof Uint8Array ? data : data instanceof ArrayBuffer ? new Uint8Array(data) : null;
  if (bytes === null || bytes.length < 2 || bytes[0] !== MessageType.Sync) return false;
  return bytes[1] === SyncMessageType.Step2 || bytes[1] === SyncMessageType.Update;
}

export interface SentUpdates {
  /** Messages counted on the current socket (0 right after a new one opens). */
  count(): number;
  stop(): void;
}

export function countSentUpdates(provider: WebsocketProvider, onCount: () => void): SentUpdates {
  let count = 0;
  let wrapped: WebSocket | null = null;
  const wrap = (): void => {
    const ws = provider.ws;
    if (ws === null || ws === wrapped) return;
    wrapped = ws;
    count = 0;
    const send = ws.send.bind(ws);
    ws.send = (data: Parameters<WebSocket['send']>[0]) => {
      send(data);
      if (ws === provider.ws && isDocumentUpdateFrame(data)) {
        count++;
        onCount();
      }
    };
  };
  const onStatus = (): void => wrap();
  provider.on('status', onStatus);
  return {
    count: () => count,
    stop: () => provider.off('status', onStatus),
  };
}
