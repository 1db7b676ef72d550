/**
 * The fault proxy's controls, each checked with plain TCP sockets on 127.0.0.1: what arrives,
 * what does not, and how each side learns (or never learns) that the link is gone. Timing checks
 * are lower bounds only (a fault can make delivery slower, never faster), so a busy machine
 * cannot make them fail.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/clients.js';
import { FaultProxy } from './fault-proxy.js';

interface Peer {
  socket: net.Socket;
  received: Buffer[];
  bytes(): number;
  events: string[];
}

function peer(socket: net.Socket): Peer {
  const received: Buffer[] = [];
  const events: string[] = [];
  socket.on('data', (d: Buffer) => received.push(d));
  socket.on('end', () => events.push('end'));
  socket.on('error', (e: NodeJS.ErrnoException) => events.push(e.code ?? 'error'));
  socket.on('close', () => events.push('close'));
  return { socket, received, events, bytes: () => received.reduce((n, b) => n + b.length, 0) };
}

describe('fault proxy', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A TCP server whose accepted sockets are handed to the test, a proxy in front of it, and a
   * connected client; `server` resolves with the accepted side. */
  async function link(): Promise<{
    proxy: FaultProxy;
    connect(): Promise<{ client: Peer; server: Peer }>;
  }> {
    const accepted: Peer[] = [];
    const target = net.createServer({ allowHalfOpen: true }, (s) => accepted.push(peer(s)));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const proxy = await FaultProxy.start((target.address() as net.AddressInfo).port);
    const clients: net.Socket[] = [];
    cleanups.push(async () => {
      for (const c of clients) c.destroy();
      for (const a of accepted) a.socket.destroy();
      await proxy.close();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    });
    return {
      proxy,
      connect: async () => {
        const before = accepted.length;
        const socket = net.connect({ host: '127.0.0.1', port: proxy.port, allowHalfOpen: true });
        clients.push(socket);
        const client = peer(socket);
        await waitFor(() => accepted.length > before, 5_000, 'proxied connection accepted');
        return { client, server: accepted[before]! };
      },
    };
  }

  it('forwards a megabyte each way unchanged and passes a FIN on', async () => {
    const { connect } = await link();
    const { client, server } = await connect();
    const up = randomBytes(1 << 20);
    const down = randomBytes(1 << 20);
    client.socket.write(up);
    server.socket.write(down);
    await waitFor(() => server.bytes() === up.length && client.bytes() === down.length);
    expect(Buffer.concat(server.received).equals(up)).toBe(true);
    expect(Buffer.concat(client.received).equals(down)).toBe(true);
    client.socket.end();
    await waitFor(() => server.events.includes('end'), 5_000, 'FIN passed on');
  });

  it('adds the configured latency in each direction to a round trip', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    server.socket.on('data', (d: Buffer) => server.socket.write(d));
    proxy.setLatency(150);
    const started = Date.now();
    client.socket.write('ping');
    await waitFor(() => client.bytes() === 4, 5_000, 'echo');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('caps server-to-client throughput at the configured bytes per second', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    proxy.setBandwidth(64 * 1024);
    const payload = randomBytes(48 * 1024);
    const started = Date.now();
    server.socket.write(payload);
    await waitFor(() => client.bytes() === payload.length, 10_000, 'capped delivery');
    // 48 KiB at 64 KiB/s, less one burst (1/20 s): at least ~0.7 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    expect(Buffer.concat(client.received).equals(payload)).toBe(true);
    expect(client.received.length).toBeGreaterThan(10);
  });

  it('a stalled link delivers nothing and fills the sender’s write buffer; resume delivers all', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    proxy.stall();
    const chunk = randomBytes(64 * 1024);
    let written = 0;
    // The sender keeps writing until its own buffer backs up: the reader never reads.
    await waitFor(
      () => {
        if (server.socket.writableLength > 512 * 1024) return true;
        server.socket.write(chunk);
        written += chunk.length;
        return written > 256 * 1024 * 1024;
      },
      20_000,
      'sender backed up',
    );
    expect(server.socket.writableLength).toBeGreaterThan(512 * 1024);
    expect(client.bytes()).toBe(0);
    proxy.resume();
    await waitFor(() => client.bytes() === written, 20_000, 'everything delivered after resume');
    expect(server.socket.writableLength).toBe(0);
  });

  it('stalls one connection while another on the same proxy keeps flowing', async () => {
    const { proxy, connect } = await link();
    const a = await connect();
    const b = await connect();
    proxy.connections[0]!.stall();
    a.server.socket.write('to a');
    b.server.socket.write('to b');
    await waitFor(() => b.client.bytes() === 4, 5_000, 'b delivered');
    expect(a.client.bytes()).toBe(0);
    proxy.connections[0]!.resume();
    await waitFor(() => a.client.bytes() === 4, 5_000, 'a delivered after resume');
  });

  it('reset sends an RST to both sides', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    expect(await proxy.resetAll()).toBe(1);
    await waitFor(() => client.events.includes('close') && server.events.includes('close'));
    expect(client.events).toContain('ECONNRESET');
    expect(server.events).toContain('ECONNRESET');
    expect(proxy.connections).toHaveLength(0);
  });

  it('a mid-frame reset delivers part of the chunk in flight, then the RST', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    proxy.setLatency(200, 'down');
    const frame = randomBytes(10_000);
    server.socket.write(frame);
    await proxy.resetAll({ midFrame: true, maxWaitMs: 5_000 });
    await waitFor(() => client.events.includes('close'), 5_000, 'client closed');
    expect(proxy.stats.midFrameResets).toBe(1);
    expect(client.bytes()).toBeGreaterThan(0);
    expect(client.bytes()).toBeLessThan(frame.length);
    expect(Buffer.concat(client.received).equals(frame.subarray(0, client.bytes()))).toBe(true);
    expect(client.events).toContain('ECONNRESET');
  });

  it('half-open: nothing crosses and neither side is told, even when one end closes', async () => {
    const { proxy, connect } = await link();
    const { client, server } = await connect();
    const probe = await connect();
    probe.server.socket.on('data', (d: Buffer) => probe.server.socket.write(d));
    proxy.connections[0]!.halfOpen();
    client.socket.write('lost up');
    server.socket.write('lost down');
    server.socket.destroy();
    // Round trips through another connection of the same proxy: it has handled every event by then.
    for (let i = 1; i <= 5; i++) {
      probe.client.socket.write('x');
      await waitFor(() => probe.client.bytes() === i, 5_000, 'probe echo');
    }
    expect(client.bytes()).toBe(0);
    expect(server.bytes()).toBe(0);
    expect(client.events).toEqual([]);
    expect(proxy.connections[0]!.isHalfOpen).toBe(true);
    // Only a reset ends it.
    await proxy.connections[0]!.reset();
    await waitFor(() => client.events.includes('close'), 5_000, 'half-open client reset');
    expect(client.events).toContain('ECONNRESET');
  });

  it('resets a client whose server is down (connection refused upstream)', async () => {
    const { proxy } = await link();
    proxy.targetPort = 1; // nothing listens on port 1 for an unprivileged test
    const client = peer(net.connect({ host: '127.0.0.1', port: proxy.port }));
    cleanups.push(() => void client.socket.destroy());
    await waitFor(() => client.events.includes('close'), 5_000, 'client closed');
    expect(client.events).toContain('ECONNRESET');
  });

  it('close() ends every connection and stops accepting', async () => {
    const { proxy, connect } = await link();
    const { client } = await connect();
    await proxy.close();
    await waitFor(() => client.events.includes('end'), 5_000, 'client told');
    const refused = peer(net.connect({ host: '127.0.0.1', port: proxy.port }));
    await waitFor(() => refused.events.includes('close'), 5_000, 'refused');
    expect(refused.events).toContain('ECONNREFUSED');
  });
});
