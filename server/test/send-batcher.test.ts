import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { WebSocketServer } from 'ws';
import { SendBatcher } from '../src/transport/send-batcher.js';
import { encodeBinaryFrame } from '../src/transport/ws-frame.js';
import { MemoryStorage } from '../src/storage/memory.js';
import { rawSocket, stockClient, waitFor, waitSynced, type RawSocket } from './helpers/clients.js';
import { startServer, type RunningServer } from './helpers/server.js';

/** The TCP socket under a ws connection, which Connection writes its frames to. */
const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

/** What Connection.send does: hold the socket for the turn, write one prebuilt frame. */
function send(batcher: SendBatcher, ws: WebSocket, payload: Uint8Array): void {
  batcher.hold(socketOf(ws));
  socketOf(ws).write(encodeBinaryFrame(payload));
}

describe('SendBatcher', () => {
  let http: Server | null = null;
  const sockets: RawSocket[] = [];

  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    http = null;
  });

  /** A ws server whose connections are handed to `onConnection`. */
  async function wsServer(onConnection: (ws: WebSocket) => void): Promise<string> {
    http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    wss.on('connection', onConnection);
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  it('delivers every frame sent in one turn intact and in order', async () => {
    const batcher = new SendBatcher();
    const url = await wsServer((ws) => {
      for (let i = 0; i < 100; i++) send(batcher, ws, new Uint8Array([i, 255 - i, i % 7]));
      // A large frame in the same turn too.
      send(batcher, ws, new Uint8Array(200_000).fill(9));
    });
    const client = await rawSocket(url);
    sockets.push(client);
    await waitFor(() => client.messages.length === 101);
    client.messages.slice(0, 100).forEach((m, i) => expect([...m]).toEqual([i, 255 - i, i % 7]));
    expect(client.messages[100]?.length).toBe(200_000);
    expect(client.messages[100]?.every((b) => b === 9)).toBe(true);
  });

  it('keeps serving other sockets when one is destroyed before the turn ends', async () => {
    const batcher = new SendBatcher();
    const server: WebSocket[] = [];
    const url = await wsServer((ws) => server.push(ws));
    const a = await rawSocket(url);
    const b = await rawSocket(url);
    sockets.push(a, b);
    await waitFor(() => server.length === 2);
    const [first, second] = server as [WebSocket, WebSocket];
    send(batcher, first, new Uint8Array([1]));
    send(batcher, second, new Uint8Array([2]));
    first.terminate();
    const code = await a.closed;
    expect(code.code).toBe(1006);
    await waitFor(() => b.messages.length === 1);
    expect([...(b.messages[0] ?? [])]).toEqual([2]);
  });

  it('a frame sent after the flush goes out in the next turn', async () => {
    const batcher = new SendBatcher();
    const server: WebSocket[] = [];
    const url = await wsServer((ws) => server.push(ws));
    const client = await rawSocket(url);
    sockets.push(client);
    await waitFor(() => server.length === 1);
    const ws = server[0] as WebSocket;
    send(batcher, ws, new Uint8Array([1]));
    batcher.flush();
    await waitFor(() => client.messages.length === 1);
    send(batcher, ws, new Uint8Array([2]));
    await waitFor(() => client.messages.length === 2);
    expect(client.messages.map((m) => m[0])).toEqual([1, 2]);
  });
});

describe('relay with batched sends', () => {
  let running: RunningServer | null = null;
  afterEach(async () => {
    await running?.close();
    running = null;
  });

  it('a burst of updates from one writer reaches every reader completely', async () => {
    const server = await startServer({ storage: new MemoryStorage() });
    running = server;
    const writer = stockClient(server.wsUrl, 'batched');
    const readers = [0, 1, 2].map(() => stockClient(server.wsUrl, 'batched'));
    try {
      await Promise.all([writer, ...readers].map((c) => waitSynced(c)));
      for (let i = 0; i < 200; i++) writer.text.insert(writer.text.length, String(i % 10));
      const expected = writer.text.toString();
      await waitFor(() => readers.every((r) => r.text.toString() === expected), 10_000);
      for (const r of readers) expect(r.text.toString()).toBe(expected);
    } finally {
      for (const c of [writer, ...readers]) c.destroy();
    }
  });
});
