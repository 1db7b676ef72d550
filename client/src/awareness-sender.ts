/**
 * Sends only this client's own awareness changes. The stock provider forwards every awareness
 * change, including the remote states it just received, back to the server: n clients then
 * echo each other's cursor moves n² times, and a Quire server drops (and logs) states a
 * connection does not own. Other tabs get remote states from their own sockets anyway.
 */
import * as bc from 'lib0/broadcastchannel';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { WebsocketProvider } from 'y-websocket';
import { MessageType } from '@quire/shared';

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

/** Replaces the provider's awareness forwarding; returns a function that undoes it. */
export function sendOwnAwarenessOnly(provider: WebsocketProvider): () => void {
  const { awareness } = provider;
  awareness.off('update', provider._awarenessUpdateHandler);
  const onUpdate = ({ added, updated, removed }: AwarenessChange): void => {
    const own = [...added, ...updated, ...removed].filter((id) => id === awareness.clientID);
    if (own.length === 0) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.Awareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, own));
    const message = encoding.toUint8Array(encoder);
    const ws = provider.ws;
    if (provider.wsconnected && ws && ws.readyState === ws.OPEN) ws.send(message);
    if (provider.bcconnected) bc.publish(provider.bcChannel, message, provider);
  };
  awareness.on('update', onUpdate);
  return () => awareness.off('update', onUpdate);
}
