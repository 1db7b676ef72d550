/**
 * People keep typing while the server process dies and comes back: SIGKILL (nothing flushed,
 * sockets vanish) and SIGTERM (1001 after a flush), restarted each time on the same port and
 * data directory, as a supervisor would. Typists never pause, so edits are made while the socket
 * is down, while it reconnects, and in the middle of the sync exchange.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/clients.js';
import { spawnServer, tempDir, type ServerProcess } from '../helpers/server.js';
import {
  STOCK_VERSIONS,
  versionedStockClient,
  type StockVersion,
} from '../helpers/stock-clients.js';
import { ChaosRoom, Rng, type ChaosClient } from './harness.js';
import { healed, lockoutProblems, roomHealed } from './invariants.js';
import { SHORT, chaosSeed } from './scale.js';

const SCALE = SHORT.restarts;

describe('chaos: server restarts while people type', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(`keeps every keystroke and locks nobody out through ${SCALE.kills} SIGKILL and ${SCALE.terms} SIGTERM restarts of the real server`, async () => {
    const seed = chaosSeed(7001);
    const rng = new Rng(seed);
    const dir = tempDir('quire-chaos-');
    cleanups.push(dir.remove);
    const args = (port: number) => [
      '--port',
      String(port),
      '--data',
      dir.path,
      '--log-level',
      'error',
    ];
    let server: ServerProcess = await spawnServer(args(0));
    const port = server.port;
    cleanups.push(async () => {
      server.child.kill('SIGKILL');
      await server.exited;
    });

    const room = new ChaosRoom('restarts', rng);
    cleanups.push(() => room.destroy());
    const typists: ChaosClient[] = [];
    for (let i = 0; i < SCALE.typists; i++) {
      const version: StockVersion = i % 2 === 0 ? 'v3' : 'v1';
      typists.push(room.join(version, server.wsUrl, `t${i + 1}`));
    }
    // A quiet reader of the other kind than the first typist, so presence covers both versions.
    room.join('v1', server.wsUrl, 'reader');
    await waitFor(
      () => lockoutProblems(room.clients).length === 0,
      10_000,
      `all synced (seed ${seed})`,
    );
    for (const t of typists) room.startTyping(t, SHORT.typingMs);

    /** Waits until every client is back and each typist got some keystrokes through. */
    const throughServer = async (what: string) => {
      const problems = await healed(() => lockoutProblems(room.clients), SHORT.healTimeoutMs, seed);
      expect(problems, `reconnected ${what}`).toEqual([]);
      const before = typists.map((t) => t.markers.length);
      await waitFor(
        () =>
          typists.every((t, i) => t.markers.length >= before[i]! + SCALE.markersBetweenRestarts),
        10_000,
        `typing ${what}`,
      );
    };

    const signals: ('SIGKILL' | 'SIGTERM')[] = [
      ...Array<'SIGKILL'>(SCALE.kills).fill('SIGKILL'),
      ...Array<'SIGTERM'>(SCALE.terms).fill('SIGTERM'),
    ];
    for (let i = signals.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [signals[i], signals[j]] = [signals[j]!, signals[i]!];
    }
    for (const [n, signal] of signals.entries()) {
      await throughServer(`before restart ${n + 1}`);
      server.child.kill(signal);
      const exit = await server.exited;
      if (signal === 'SIGTERM') expect(exit, `SIGTERM exit (seed ${seed})`).toBe(0);
      server = await spawnServer(args(port));
    }
    await throughServer('after the last restart');
    room.stopTyping();

    const problems = await roomHealed(room, SHORT);
    expect(problems).toEqual([]);
    // The graceful restarts said so: every client saw 1001 at least once per SIGTERM it lived through.
    for (const c of room.clients) expect(c.closeCodes, c.name).toContain(1001);

    // Everything is on disk: with every client gone, a crash and a restart lose nothing.
    const expected = room.clients[0]!.text.toString();
    room.destroy();
    server.child.kill('SIGKILL');
    await server.exited;
    server = await spawnServer(args(port));
    for (const version of STOCK_VERSIONS) {
      const fresh = versionedStockClient(version, server.wsUrl, 'restarts');
      cleanups.push(() => fresh.destroy());
      await waitFor(() => fresh.provider.synced, 10_000, `fresh ${version} synced`);
      expect(fresh.text.toString(), `fresh ${version} (seed ${seed})`).toBe(expected);
    }
  }, 90_000);
});
