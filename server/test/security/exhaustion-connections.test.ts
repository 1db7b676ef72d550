/**
 * Threat model D (docs/threat-model.md), connections and transport: R1–R3, R8, R9, R11, R12, scaled
 * down to stay short on a shared 2-core machine: limits are lowered so that a few hundred sockets
 * reach them, and the scale of each case is in its name. Numbers (RSS, latency, event-loop lag) are
 * printed, not asserted against a clock; behaviour (who is refused, with which code) is asserted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import { MemoryStorage, signToken } from '../../src/index.js';
import { rawSocket, stockClient, upgradeStatus, waitFor, waitSynced } from '../helpers/clients.js';
import { startServer, tempDir } from '../helpers/server.js';
import { outcome } from './attack.js';
import { startHarness, TEST_SECRET, type Harness } from './harness.js';
import { Opcode, frame, openRaw } from './raw-frames.js';
import { closeAll, openFds, openMany } from './load-helpers.js';

describe('threat model D: resource exhaustion — connections and transport (scaled)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('R1 (scaled: 600 idle sockets, cap 500) → accepted up to the cap, the rest 503; RSS bounded; canaries fine after', async () => {
    h = await startHarness({ maxConnections: 500, maxConnectionsPerIp: 1_000 });
    const rssBefore = process.memoryUsage().rss;
    const { open, refused } = await openMany(`${h.wsUrl}/r1`, 600);
    expect(open.length).toBe(500);
    expect(refused.every((s) => s === 503)).toBe(true);
    expect(open.length + refused.length).toBe(600);
    const rssAt = process.memoryUsage().rss;
    expect(rssAt - rssBefore).toBeLessThan(256 * 1024 * 1024);
    await closeAll(open);
    await waitFor(() => h!.running.server.connectionCount() === 0, 10_000, 'all closed');
    await h.oracle('r1', '');
  });

  it('R2 (scaled: 80 sockets from one IP, cap 50; 30 for one user, cap 20) → 429 for that IP/user; others unaffected', async () => {
    // Loopback is exempt by default (a local reverse proxy); here it is capped like any address.
    h = await startHarness({
      auth: true,
      maxConnectionsPerIp: 50,
      maxConnectionsPerPrincipal: 20,
      ipCapExemptAddresses: [],
    });
    const mallory = await signToken({ secret: TEST_SECRET, doc: '*', mode: 'rw', sub: 'mallory' });
    const perUser = await openMany(`${h.wsUrl}/r2?token=${mallory}`, 30);
    expect(perUser.open.length).toBe(20);
    expect(perUser.refused).toEqual(Array(10).fill(429));
    // Tokens without `sub` count only against the per-IP cap.
    const anonymous = await signToken({ secret: TEST_SECRET, doc: '*', mode: 'rw' });
    const perIp = await openMany(`${h.wsUrl}/r2?token=${anonymous}`, 40, {
      localAddress: '127.0.0.1',
    });
    expect(perIp.open.length).toBe(30); // 50 per IP, 20 already held by mallory
    expect(perIp.refused).toEqual(Array(10).fill(429));
    // Another address (127.0.0.2 is loopback too) is not affected by 127.0.0.1's cap.
    const elsewhere = await openMany(`${h.wsUrl}/r2?token=${anonymous}`, 5, {
      localAddress: '127.0.0.2',
    });
    expect(elsewhere.open.length).toBe(5);
    await closeAll([...perUser.open, ...perIp.open, ...elsewhere.open]);
    await waitFor(() => h!.running.server.connectionCount() === 0, 10_000, 'all closed');
    // By default loopback (a local proxy) is not capped per IP.
    await h.close();
    h = await startHarness({ maxConnectionsPerIp: 10 });
    const local = await openMany(`${h.wsUrl}/r2`, 30);
    expect(local.open.length).toBe(30);
    await closeAll(local.open);
    await waitFor(() => h!.running.server.connectionCount() === 0, 10_000, 'all closed');
    await h.oracle('r2', '');
  });

  it('R3 (scaled: 200 slowloris sockets, headersTimeout 1 s) → closed by the server; fds recover; a hanging authorize → 503; a silent socket → 1013', async () => {
    h = await startHarness({ headersTimeoutMs: 1_000, handshakeTimeoutMs: 1_000 });
    const fdsBefore = openFds();
    const sockets: Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const s = connect(h.running.port, '127.0.0.1');
      s.on('error', () => {});
      s.resume(); // read the server's 408 and FIN, so the socket can end
      s.write('GET /r3 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'); // never finishes
      sockets.push(s);
    }
    const dribble = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 200);
    try {
      await waitFor(
        () => sockets.every((s) => s.destroyed || s.readableEnded),
        15_000,
        'slowloris sockets closed',
      );
    } finally {
      clearInterval(dribble);
      for (const s of sockets) s.destroy();
    }
    await waitFor(() => openFds() <= fdsBefore + 5, 10_000, 'fds recovered');
    // A connection that never sends its first message is closed with 1013: a stalled link at
    // connect time passes, so stock clients must come back.
    const silent = await rawSocket(`${h.wsUrl}/r3`);
    expect((await outcome(silent, 5_000)).code).toBe(CloseCode.TryAgainLater);
    await h.oracle('r3', '');
    // An authorize hook that never answers is cut off by the handshake timeout.
    const hanging = await startServer({
      storage: new MemoryStorage(),
      handshakeTimeoutMs: 500,
      authorize: () => new Promise(() => {}),
    });
    try {
      expect(await upgradeStatus(`${hanging.wsUrl}/r3`)).toBe(503);
    } finally {
      await hanging.close();
    }
  });

  it('R8 frame headers claiming 2^63−1 bytes and 101 MiB → 1009 before any large allocation', async () => {
    h = await startHarness();
    for (const declaredLength of [2n ** 63n - 1n, 101n * 1024n * 1024n]) {
      const conn = await openRaw(h.running.port, '/r8');
      const heapBefore = process.memoryUsage().heapUsed;
      conn.socket.write(
        frame({ opcode: Opcode.Binary, declaredLength, payload: Uint8Array.of(1, 2, 3) }),
      );
      await waitFor(() => conn.closeCode() !== null, 5_000, 'close');
      expect(conn.closeCode()).toBe(1009);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * 1024 * 1024);
      conn.socket.destroy();
    }
    await h.oracle('r8', '');
  });

  it('R9 FIN=0 and endless one-byte continuation frames → closed at maxFragments (1008)', async () => {
    h = await startHarness();
    const conn = await openRaw(h.running.port, '/r9');
    const frames = [frame({ opcode: Opcode.Binary, fin: false, payload: Uint8Array.of(0) })];
    for (let i = 0; i < 1_000; i++)
      frames.push(frame({ opcode: Opcode.Continuation, fin: false, payload: Uint8Array.of(0) }));
    conn.socket.write(Buffer.concat(frames));
    await waitFor(() => conn.closeCode() !== null || conn.socket.destroyed, 5_000, 'close');
    expect(conn.closeCode()).toBe(1008);
    conn.socket.destroy();
    await h.oracle('r9', '');
  });

  it('R11 (scaled: restart under 100 stock clients on 10 documents) → each document loaded once; everyone reconnects', async () => {
    const dir = tempDir('quire-r11-');
    const first = await startServer({ dataDir: dir.path });
    const port = first.port;
    // The stock y-websocket provider adds one process 'exit' listener per instance in Node.
    const maxListeners = process.getMaxListeners();
    process.setMaxListeners(maxListeners + 100);
    const clients = Array.from({ length: 100 }, (_, i) =>
      stockClient(first.wsUrl, `r11-${i % 10}`),
    );
    await Promise.all(clients.map((c) => waitSynced(c, 20_000)));
    clients[0]!.text.insert(0, 'before restart');
    await waitFor(() => clients[10]!.text.toString() === 'before restart', 5_000);
    await first.close();
    await waitFor(() => clients.every((c) => !c.provider.wsconnected), 10_000, 'all disconnected');
    const second = await startServer({ port, dataDir: dir.path });
    try {
      await waitFor(
        () => clients.every((c) => c.provider.wsconnected && c.provider.synced),
        30_000,
        'all reconnected',
      );
      expect(second.server.metrics.roomsLoaded).toBe(10);
      clients[10]!.text.insert(0, 'after ');
      await waitFor(() => clients[0]!.text.toString() === 'after before restart', 5_000);
      expect(Y.encodeStateVector(clients[0]!.doc)).toEqual(Y.encodeStateVector(clients[20]!.doc));
    } finally {
      for (const c of clients) c.destroy();
      process.setMaxListeners(maxListeners);
      await second.close();
      dir.remove();
    }
  });

  it('R12 compression bomb: not applicable — permessage-deflate is never negotiated (see P20); a compressed frame is 1002', async () => {
    h = await startHarness();
    const conn = await openRaw(h.running.port, '/r12');
    conn.socket.write(frame({ opcode: Opcode.Binary, rsv: 4, payload: Buffer.alloc(64, 0) }));
    await waitFor(() => conn.closeCode() !== null, 5_000, 'close');
    expect(conn.closeCode()).toBe(1002);
    conn.socket.destroy();
    await h.oracle('r12', '');
  });
});
