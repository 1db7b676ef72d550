/** Stock y-websocket clients (the real WebsocketProvider over ws) and raw sockets for tests. */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { waitFor } from './poll.js';

export { waitFor };

export interface StockClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  text: Y.Text;
  destroy(): void;
}

export function stockClient(
  serverUrl: string,
  docName: string,
  options: { connect?: boolean; params?: Record<string, string> } = {},
): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    params: options.params ?? {},
    disableBc: true,
    maxBackoffTime: 200,
  });
  return {
    doc,
    provider,
    text: doc.getText('text'),
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

export function waitSynced(client: StockClient, timeoutMs = 5_000): Promise<void> {
  return waitFor(() => client.provider.synced, timeoutMs, 'the client to sync');
}

export interface RawSocket {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A plain ws socket that records what it receives and how it is closed. */
export async function rawSocket(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url);
  const messages: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** Resolves with the HTTP status of a refused upgrade (or 101 if it was accepted). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (error) => reject(error));
  });
}
