/**
 * The connection against a real HTTP + WebSocket server on 127.0.0.1 (the `ws` package, the
 * same one Node runtimes use as the provider's WebSocket): which answers it retries after, with
 * what backoff, and which ones stop it. The server here only plays the answers under test;
 * the full Quire server is exercised end to end in e2e/.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import * as Y from 'yjs';
import { WebSocket, WebSocketServer } from 'ws';
import { CloseCode, encodeSyncStep2 } from '@quire/shared';
import { createConnection, type QuireConnection } from '../src/connection.js';
import { HTTP_GONE } from '../src/stop-policy.js';

interface PlayServer {
  url: string;
  /** Upgrade requests received (every connection attempt). */
  upgrades(): number;
  close(): Promise<void>;
}

interface Script {
  /** What to do with an accepted socket. */
  onSocket?: (socket: WebSocket) => void;
  /** Refuse every upgrade with this HTTP status instead. */
  refuseUpgrade?: number;
  /** The access probe's answer (default 200). */
  probe?: { status: number; body: unknown };
}

const servers: PlayServer[] = [];
const connections: QuireConnection[] = [];

async function playServer(script: Script): Promise<PlayServer> {
  const wss = new WebSocketServer({ noServer: true });
  let upgrades = 0;
  const http: Server = createServer((req, res) => {
    const probe = script.probe ?? { status: 200, body: { mode: 'rw' } };
    res.writeHead(probe.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(probe.body));
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrades++;
    if (script.refuseUpgrade !== undefined) {
      socket.end(`HTTP/1.1 ${script.refuseUpgrade} Refused\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => script.onSocket?.(ws));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: PlayServer = {
    url: `ws://127.0.0.1:${port}`,
    upgrades: () => upgrades,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  servers.push(server);
  return server;
}

/** With `random` at 0 each delay is exactly half its exponential step: 10, 20, 40, 40 ms. */
const BACKOFF = { baseMs: 20, maxMs: 80, random: () => 0 };

/** Connects and records the delay of every retry the connection schedules. */
function connectTo(server: PlayServer): { conn: QuireConnection; delays: number[] } {
  const conn = createConnection({
    serverUrl: server.url,
    docName: 'retry-test',
    ydoc: new Y.Doc(),
    backoff: BACKOFF,
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
  });
  const delays: number[] = [];
  let scheduled: number | null = null;
  conn.onChange(() => {
    const delay = conn.state().retryDelayMs;
    if (delay !== null && scheduled === null) delays.push(delay);
    scheduled = delay;
  });
  connections.push(conn);
  conn.connect();
  return { conn, delays };
}

/** A socket that completes a sync (an empty sync step 2 is all the provider needs) first. */
const syncThen =
  (close: (socket: WebSocket) => void) =>
  (socket: WebSocket): void => {
    socket.send(encodeSyncStep2(Y.encodeStateAsUpdate(new Y.Doc())));
    close(socket);
  };

afterEach(async () => {
  for (const conn of connections.splice(0)) conn.destroy();
  for (const server of servers.splice(0)) await server.close();
});

describe('reconnecting after a server close (real sockets)', () => {
  it.each([
    CloseCode.TryAgainLater,
    CloseCode.InternalError,
    CloseCode.BadMessage,
    CloseCode.TooLarge,
    1012,
    4500,
    4999,
  ])('retries with growing backoff after close code %i and never stops', async (code) => {
    const server = await playServer({ onSocket: (socket) => socket.close(code, 'try me again') });
    const { conn, delays } = connectTo(server);
    await vi.waitFor(() => expect(server.upgrades()).toBeGreaterThanOrEqual(4), 5_000);
    expect(delays.slice(0, 3)).toEqual([10, 20, 40]);
    expect(conn.state().fatal).toBeNull();
  });

  it('keeps backing off after refusals even when every session synced first', async () => {
    const server = await playServer({
      onSocket: syncThen((socket) =>
        socket.close(CloseCode.BadMessage, 'update has missing dependencies'),
      ),
    });
    const { conn, delays } = connectTo(server);
    await vi.waitFor(() => expect(delays.length).toBeGreaterThanOrEqual(3), 5_000);
    // A server that turns every session down again is asked less and less often.
    expect(delays.slice(0, 3)).toEqual([10, 20, 40]);
    expect(conn.state()).toMatchObject({ fatal: null, retryNotice: 'message rejected' });
  });

  it('starts the backoff over after an ordinary restart of a session that synced', async () => {
    const server = await playServer({
      onSocket: syncThen((socket) => socket.close(CloseCode.GoingAway, 'restarting')),
    });
    const { conn, delays } = connectTo(server);
    await vi.waitFor(() => expect(delays.length).toBeGreaterThanOrEqual(3), 5_000);
    expect(delays.slice(0, 3)).toEqual([10, 10, 10]);
    expect(conn.state().retryNotice).toBeNull();
  });

  it.each([
    [CloseCode.Unauthenticated, /Not signed in.*token expired/],
    [CloseCode.Forbidden, /No access.*token expired/],
  ])('stops for good after close code %i and says why', async (code, message) => {
    const server = await playServer({ onSocket: (socket) => socket.close(code, 'token expired') });
    const { conn, delays } = connectTo(server);
    await vi.waitFor(() => expect(conn.state().fatal).toMatch(message), 5_000);
    // Nothing is scheduled, and the provider will not reconnect on its own either.
    expect(delays).toEqual([]);
    expect(conn.state().retryDelayMs).toBeNull();
    expect(conn.provider.shouldConnect).toBe(false);
    expect(server.upgrades()).toBe(1);
  });
});

describe('a refused upgrade, explained by the access probe (real sockets)', () => {
  it.each([
    [HTTP_GONE, 'document deleted', /This document was deleted \(document deleted\)/],
    [401, 'token expired', /Not signed in/],
    [403, 'token is for another document', /No access/],
    [400, 'invalid document name', /does not accept this document name/],
  ])('stops after HTTP %i at the upgrade', async (status, error, message) => {
    const server = await playServer({ refuseUpgrade: status, probe: { status, body: { error } } });
    const { conn } = connectTo(server);
    await vi.waitFor(() => expect(conn.state().fatal).toMatch(message), 5_000);
    // Retries scheduled before the probe answered are cancelled, and no socket is left open.
    expect(conn.state().retryDelayMs).toBeNull();
    expect(conn.provider.ws).toBeNull();
    expect(conn.provider.shouldConnect).toBe(false);
  });

  it.each([429, 503])(
    'keeps retrying after HTTP %i at the upgrade (a passing condition)',
    async (status) => {
      const server = await playServer({
        refuseUpgrade: status,
        probe: { status, body: { error: 'busy' } },
      });
      const { conn } = connectTo(server);
      await vi.waitFor(() => expect(server.upgrades()).toBeGreaterThanOrEqual(4), 5_000);
      expect(conn.state()).toMatchObject({ fatal: null, unreachable: true });
    },
  );
});
