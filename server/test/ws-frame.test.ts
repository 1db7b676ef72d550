/** Frames Quire writes under ws (src/ws-frame.ts), read back by a real ws client. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  encodeBinaryFrame,
  releaseSharedFrame,
  sharedBinaryFrame,
} from '../src/transport/ws-frame.js';
import { rawSocket, waitFor, type RawSocket } from './helpers/clients.js';

const socketOf = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

describe('encodeBinaryFrame', () => {
  let http: Server | null = null;
  const clients: RawSocket[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.ws.terminate();
    await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
    http = null;
  });

  async function connectedPair(): Promise<{ server: WebSocket; client: RawSocket }> {
    http = createServer();
    const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
    const accepted = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
    const client = await rawSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    clients.push(client);
    return { server: await accepted, client };
  }

  it('encodes every length class (7-, 16- and 64-bit) so that a ws client reads it intact', async () => {
    const { server, client } = await connectedPair();
    // Boundaries of each length encoding, and one well inside the 64-bit class.
    const lengths = [0, 1, 125, 126, 127, 65_535, 65_536, 300_000];
    const payloads = lengths.map((n, i) => Uint8Array.from({ length: n }, (_, j) => (i + j) % 251));
    for (const payload of payloads) socketOf(server).write(encodeBinaryFrame(payload));
    await waitFor(() => client.messages.length === payloads.length);
    client.messages.forEach((message, i) => expect(Buffer.compare(message, payloads[i]!)).toBe(0));
  });

  it("interleaves with ws's own control frames in send order, up to ws's close", async () => {
    const { server, client } = await connectedPair();
    const pings: number[] = [];
    client.ws.on('ping', () => pings.push(client.messages.length));
    socketOf(server).write(encodeBinaryFrame(new Uint8Array([1])));
    server.ping();
    socketOf(server).write(encodeBinaryFrame(new Uint8Array([2])));
    server.close(4000, 'done');
    const closed = await client.closed;
    expect(client.messages.map((m) => m[0])).toEqual([1, 2]);
    expect(pings).toEqual([1]); // the ping arrived between the two frames
    expect(closed.code).toBe(4000);
  });
});

describe('sharedBinaryFrame', () => {
  it('builds a broadcast frame once and a new one for another payload', () => {
    const update = new Uint8Array([0, 2, 5, 7]);
    const first = sharedBinaryFrame(update);
    expect(sharedBinaryFrame(update)).toBe(first);
    expect([...first]).toEqual([0x82, 4, 0, 2, 5, 7]);
    const other = sharedBinaryFrame(new Uint8Array([0, 2, 5, 7]));
    expect(other).not.toBe(first);
    expect(Buffer.compare(other, first)).toBe(0);
    releaseSharedFrame();
    expect(sharedBinaryFrame(update)).not.toBe(first);
  });
});
