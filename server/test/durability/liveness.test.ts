/**
 * Threat model F14/F15 (docs/threat-model.md), with bounded test time:
 * - F14: the server process is frozen (SIGSTOP) for 2 s instead of 40 s, with a 250 ms heartbeat
 *   instead of 30 s; the clients' own timeout (y-websocket waits 30 s) is simulated by dropping
 *   their sockets, after which they reconnect on their own. On SIGCONT nothing is applied twice
 *   and nothing crashes.
 * - F15: a half-open peer is simulated by a socket that stays open but never answers pings (what
 *   a silent network drop looks like from the server); the server must free it within two ping
 *   intervals, remove its presence for others, and let it reconnect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { startServer, tempDir } from '../helpers/server.js';
import { spawnChildServer } from './child-process.js';

const HEARTBEAT_MS = 250;
const PAUSE_MS = 2_000;

describe('liveness under stalls and dead peers', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  function track(client: StockClient): StockClient {
    cleanups.push(() => client.destroy());
    return client;
  }

  it('F14: a frozen server (SIGSTOP) recovers on SIGCONT without applying anything twice', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const proc = await spawnChildServer({ dataDir: dir.path, heartbeatIntervalMs: HEARTBEAT_MS });
    cleanups.push(() => void proc.child.kill('SIGKILL'));
    const a = track(stockClient(proc.wsUrl, 'frozen'));
    const b = track(stockClient(proc.wsUrl, 'frozen'));
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.text.insert(0, 'before. ');
    await waitFor(() => b.text.toString() === 'before. ');

    proc.child.kill('SIGSTOP');
    // Typed into sockets nobody reads: they may arrive late, and again after the reconnect.
    a.text.insert(a.text.length, 'during a. ');
    b.text.insert(0, 'during b. ');
    // The freeze itself, on purpose: long enough for the clients' heartbeats to give up.
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    // The clients give up on the silent server and reconnect (queued in the listen backlog).
    for (const c of [a, b]) (c.provider.ws as unknown as WebSocket | null)?.terminate();
    proc.child.kill('SIGCONT');

    await waitFor(() => a.provider.synced && b.provider.synced, 15_000, 'reconnected');
    await waitFor(() => a.text.toString() === b.text.toString(), 10_000, 'converged');
    const reader = track(stockClient(proc.wsUrl, 'frozen'));
    await waitSynced(reader);
    expect(reader.text.toString()).toBe(a.text.toString());
    expect(reader.text.length).toBe('during b. before. during a. '.length);
    expect(proc.child.exitCode).toBeNull();
    expect(proc.output()).not.toMatch(/uncaught|unhandled/i);
  }, 40_000);

  it('F15: a peer that stops answering (half-open TCP) is freed within two ping intervals', async () => {
    const running = await startServer({ heartbeatIntervalMs: HEARTBEAT_MS });
    cleanups.push(() => running.close());
    const watcher = track(stockClient(running.wsUrl, 'half-open'));
    await waitSynced(watcher);

    const silent = stockClient(running.wsUrl, 'half-open');
    await waitSynced(silent);
    silent.provider.awareness.setLocalStateField('user', { name: 'ghost', color: '#123456' });
    await waitFor(() => watcher.provider.awareness.getStates().size === 2, 5_000, 'presence');
    // From now on the peer neither answers pings nor sends anything, and never sends a FIN.
    const socket = silent.provider.ws as unknown as WebSocket;
    silent.provider.shouldConnect = false;
    const raw = (socket as unknown as { _socket: Socket })._socket;
    raw.pause();
    clearInterval(
      (silent.provider as unknown as { _checkInterval: NodeJS.Timeout })._checkInterval,
    );
    silent.provider.awareness.destroy();

    await waitFor(() => running.server.connectionCount() === 1, 10_000, 'dead peer freed');
    await waitFor(() => watcher.provider.awareness.getStates().size === 1, 5_000, 'presence gone');
    raw.destroy();
    silent.destroy();

    // The same user comes back on a fresh connection and syncs as usual.
    const back = track(stockClient(running.wsUrl, 'half-open'));
    await waitSynced(back);
    back.text.insert(0, 'back');
    await waitFor(() => watcher.text.toString() === 'back');
  });
});
