/**
 * A stock y-websocket client that opted into Quire's extensions (`quire=1`) and records persisted
 * acks (message type 100) through the provider's own handler table, as the Quire client does.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MessageType } from '@quire/shared';
import { stockClient, type StockClient } from './clients.js';

export interface AckingClient extends StockClient {
  /** Every durable state vector received, oldest first. */
  acks: Map<number, number>[];
  /** True when the last ack covers everything this client's document holds. */
  saved(): boolean;
}

/** Whether state vector `durable` covers `local` (every client's clock at least as high). */
export function covers(durable: Map<number, number>, local: Map<number, number>): boolean {
  for (const [client, clock] of local) {
    if ((durable.get(client) ?? 0) < clock) return false;
  }
  return true;
}

export function ackingClient(
  serverUrl: string,
  docName: string,
  options: { connect?: boolean } = {},
): AckingClient {
  const client = stockClient(serverUrl, docName, { ...options, params: { quire: '1' } });
  const acks: Map<number, number>[] = [];
  client.provider.messageHandlers[MessageType.PersistedAck] = (_encoder, decoder) => {
    acks.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
  };
  return {
    ...client,
    acks,
    saved: () => {
      const last = acks.at(-1);
      return (
        last !== undefined && covers(last, Y.decodeStateVector(Y.encodeStateVector(client.doc)))
      );
    },
  };
}
