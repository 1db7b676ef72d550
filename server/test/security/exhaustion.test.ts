/**
 * ADVERSARIAL.md section D — resource exhaustion (R1–R12), scaled down to stay short on a
 * shared 2-core machine: limits are lowered so that a few hundred sockets reach them, and the
 * scale of each case is in its name. Numbers (RSS, latency, event-loop lag) are printed, not
 * asserted against a clock; behaviour (who is refused, with which code) is asserted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import WebSocket from 'ws';
import {
  CloseCode,
  decodeServerFrame,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncUpdate,
} from '@quire/shared';
import { MemoryStorage, signToken } from '../../src/index.js';
import {
  rawSocket,
  stockClient,
  upgradeStatus,
  waitFor,
  waitSynced,
  type RawSocket,
} from '../helpers/clients.js';
import { startServer, tempDir } from '../helpers/server.js';
import { attack, outcome, textUpdate } from './attack.js';
import { startHarness, storedBytes, storedText, TEST_SECRET, type Harness } from './harness.js';
import { Opcode, frame, openRaw } from './raw-frames.js';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const openFds = () => readdirSync('/proc/self/fd').length;

/** Opens `count` WebSockets concurrently; resolves with the open ones and the refusal statuses. */
async function openMany(
  url: string,
  count: number,
  options: WebSocket.ClientOptions = {},
): Promise<{ open: WebSocket[]; refused: number[] }> {
  const results = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<WebSocket | number>((resolve) => {
          const ws = new WebSocket(url, options);
          ws.on('error', () => resolve(0));
          ws.once('open', () => resolve(ws));
          ws.once('unexpected-response', (_req, res) => {
            resolve(res.statusCode ?? 0);
            ws.terminate();
          });
        }),
    ),
  );
  return {
    open: results.filter((r): r is WebSocket => typeof r !== 'number'),
    refused: results.filter((r): r is number => typeof r === 'number'),
  };
}

const closeAll = async (sockets: WebSocket[]) => {
  for (const ws of sockets) ws.terminate();
};

describe('ADVERSARIAL D: resource exhaustion (scaled)', () => {
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
    console.log(
      `R1: ${open.length} open, ${refused.length} refused; RSS ${mb(rssBefore)} → ${mb(rssAt)}`,
    );
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

  it('R3 (scaled: 200 slowloris sockets, headersTimeout 1 s) → closed by the server; fds recover; a hanging authorize → 503; a silent socket → 4408', async () => {
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
    console.log(`R3: fds before ${fdsBefore}, after ${openFds()}`);
    // A connection that never sends its first message is closed with 4408.
    const silent = await rawSocket(`${h.wsUrl}/r3`);
    expect((await outcome(silent, 5_000)).code).toBe(CloseCode.HandshakeTimeout);
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

  it('R4 (scaled: 20 MiB streamed, high-water 256 KiB) → the non-reading client gets 4429; it resyncs on reconnect', async () => {
    h = await startHarness({ sendHighWaterBytes: 256 * 1024 });
    const slow = await openRaw(h.running.port, '/r4');
    slow.socket.pause(); // stops reading: the kernel buffers fill, then ws's send buffer
    const writer = await h.client('r4');
    const rssBefore = process.memoryUsage().rss;
    // Each 512 KiB insert is deleted again, so 20 MiB stream past while the document (deleted
    // content is garbage-collected) stays small for the resync and the canaries.
    const chunk = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 40; i++) {
      writer.text.insert(0, chunk);
      writer.text.delete(0, chunk.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writer.text.insert(0, 'end');
    const reader = await h.client('r4');
    await waitFor(() => reader.text.toString() === 'end', 20_000, 'stream delivered to others');
    console.log(`R4: RSS ${mb(rssBefore)} → ${mb(process.memoryUsage().rss)}`);
    slow.socket.resume();
    await waitFor(() => slow.closeCode() !== null, 20_000, 'slow consumer close frame');
    expect(slow.closeCode()).toBe(CloseCode.RateLimited);
    slow.socket.destroy();
    // A fresh connection resyncs the whole document.
    const again = await h.client('r4');
    expect(again.text.toString()).toBe('end');
    for (const c of [writer, reader, again]) c.destroy();
    await h.oracle('r4', 'end');
  });

  it('R5 (scaled: 2000 messages at once, 100/s + burst 200) → 4429; other clients keep round-tripping', async () => {
    h = await startHarness({ messagesPerSecond: 100, messageBurst: 200 });
    const a = await h.client('r5');
    const b = await h.client('r5');
    const flood = await rawSocket(`${h.wsUrl}/r5`);
    const latencies: number[] = [];
    const probe = (async () => {
      for (let i = 0; i < 10; i++) {
        const marker = `m${i};`;
        const started = performance.now();
        a.text.insert(a.text.length, marker);
        await waitFor(() => b.text.toString().includes(marker), 5_000, 'probe');
        latencies.push(performance.now() - started);
      }
    })();
    for (let i = 0; i < 2_000; i++) flood.ws.send(encodeQueryAwareness());
    expect((await outcome(flood, 5_000)).code).toBe(CloseCode.RateLimited);
    await probe;
    latencies.sort((x, y) => x - y);
    console.log(`R5: others' round trip during the flood: max ${latencies.at(-1)!.toFixed(1)} ms`);
    a.destroy();
    b.destroy();
    await h.oracle('r5');
  });

  it('R6 (scaled: 300 distinct documents from one client) → idle documents unload; memory bounded', async () => {
    h = await startHarness();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let batch = 0; batch < 6; batch++) {
      const sockets = await Promise.all(
        Array.from({ length: 50 }, (_, i) => rawSocket(`${h!.wsUrl}/r6-${batch}-${i}`)),
      );
      for (const s of sockets) s.ws.send(encodeSyncUpdate(textUpdate('junk')));
      await waitFor(() => sockets.every((s) => s.messages.length > 0), 5_000);
      for (const s of sockets) s.ws.close();
    }
    await waitFor(
      () => h!.running.server.loadedDocuments().length <= 2,
      15_000,
      'idle documents unloaded',
    );
    console.log(
      `R6: heap ${mb(heapBefore)} → ${mb(process.memoryUsage().heapUsed)}; loaded now ${h.running.server.loadedDocuments().length}`,
    );
    await h.oracle('r6-0-0', 'junk');
  });

  it('R7 (scaled: max document 1 MiB) → the update that would pass it gets 4413; stored state not grown', async () => {
    h = await startHarness({ maxDocumentBytes: 1024 * 1024 });
    const chunk = 'y'.repeat(300 * 1024);
    const updates: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      updates.push(textUpdate(chunk, { clientID: 7001, base: updates, index: i * chunk.length }));
    }
    const result = await attack(
      await h.url('r7'),
      updates.map((u) => encodeSyncUpdate(u)),
    );
    expect(result.code).toBe(CloseCode.TooLarge);
    const stored = await storedBytes(h.storage, 'r7');
    expect(stored.length).toBeLessThanOrEqual(1024 * 1024);
    expect(await storedText(h.storage, 'r7')).toBe(chunk.repeat(3));
    await h.oracle('r7', chunk.repeat(3));
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

  it('R10 (scaled: 40 clients ask for a 1 MiB document at once) → one cached encoding, bounded event-loop lag', async () => {
    h = await startHarness();
    const writer = await h.client('r10');
    writer.text.insert(0, 'z'.repeat(1024 * 1024));
    await waitFor(() => h!.running.server.metrics.updatesPersisted >= 2, 5_000);
    const sockets: RawSocket[] = await Promise.all(
      Array.from({ length: 40 }, () => rawSocket(`${h!.wsUrl}/r10`)),
    );
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    for (const s of sockets) s.ws.send(encodeSyncStep1(Uint8Array.of(0)));
    const replies = () =>
      sockets.filter((s) => s.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'))
        .length;
    await waitFor(() => replies() === 40, 20_000, 'all replies');
    lag.disable();
    console.log(
      `R10: event-loop delay max ${(lag.max / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`,
    );
    const sizes = new Set(
      sockets.map(
        (s) => s.messages.find((m) => decodeServerFrame(m).kind === 'sync-step2')!.length,
      ),
    );
    expect(sizes.size).toBe(1);
    for (const s of sockets) s.ws.close();
    writer.destroy();
    await h.oracle('r10');
  });

  it('R10b a viewer flooding writes on a large document (~25k structs) → each refused without walking the document', async () => {
    h = await startHarness({ auth: true });
    const big = new Y.Doc();
    big.clientID = 8_000;
    const text = big.getText('text');
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    big.transact(() => {
      for (let i = 0; i < 20_000; i++) text.insert(Math.floor(random() * (text.length + 1)), 'ab');
      for (let i = 0; i < 4_000; i++) text.delete(Math.floor(random() * (text.length - 1)), 1);
    });
    const writer = await rawSocket(await h.url('r10b'));
    writer.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(big)));
    await waitFor(() => h!.running.server.metrics.updatesPersisted >= 2, 10_000, 'big doc stored');
    const viewer = await rawSocket(await h.url('r10b', 'ro'));
    const denied = () =>
      viewer.messages.filter((m) => decodeServerFrame(m).kind === 'permission-denied').length;
    const started = performance.now();
    for (let i = 0; i < 200; i++) {
      viewer.ws.send(encodeSyncUpdate(textUpdate(`v${i}`, { clientID: 9_000 + i })));
    }
    await waitFor(() => denied() === 200, 20_000, 'all refused');
    console.log(
      `R10b: 200 viewer writes refused in ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect((await outcome(viewer, 200)).code).toBe(-1);
    writer.ws.close();
    await h.oracle('r10b', text.toString());
  });

  it('R11 (scaled: restart under 100 stock clients on 10 documents) → each document loaded once; everyone reconnects', async () => {
    const dir = tempDir('quire-r11-');
    const first = await startServer({ dataDir: dir.path });
    const port = first.port;
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
