/**
 * A link that goes half-open: the client's machine sleeps or its network vanishes without a FIN
 * or RST, so neither TCP end learns anything. Only the server's heartbeat can find such a peer;
 * until it does, the room shows a person who is not there. When the link comes back (as a reset,
 * as after a network change), the client reconnects with what it typed meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';
import { startServer } from '../helpers/server.js';
import { STOCK_VERSIONS } from '../helpers/stock-clients.js';
import { FaultProxy } from './fault-proxy.js';
import { ChaosRoom, Rng, markerCounts, type ChaosClient } from './harness.js';
import { healed, lockoutProblems, presenceProblems, roomHealed } from './invariants.js';
import { SHORT, chaosSeed } from './scale.js';

const SCALE = SHORT.halfOpen;

describe('chaos: half-open links', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('the heartbeat drops a half-open client, its presence vanishes for the others, and it rejoins with its edits', async () => {
    const seed = chaosSeed(7004);
    const rng = new Rng(seed);
    const running = await startServer({
      storage: new MemoryStorage(),
      heartbeatIntervalMs: SCALE.heartbeatIntervalMs,
    });
    cleanups.push(() => running.close());
    const room = new ChaosRoom('half-open', rng);
    cleanups.push(() => room.destroy());

    const others: ChaosClient[] = [];
    for (let i = 0; i < SCALE.others; i++) {
      others.push(room.join(STOCK_VERSIONS[i % 2]!, running.wsUrl, `o${i + 1}`));
    }
    // One vanishing client of each version, each behind its own link.
    const links: FaultProxy[] = [];
    const vanishing: ChaosClient[] = [];
    for (const version of STOCK_VERSIONS) {
      const link = await FaultProxy.start(running.port);
      cleanups.push(() => link.close());
      links.push(link);
      vanishing.push(room.join(version, link.wsUrl, `gone-${version}`));
    }
    const ready = await healed(
      () => [...lockoutProblems(room.clients), ...presenceProblems(room.clients)],
      SHORT.healTimeoutMs,
      seed,
    );
    expect(ready, 'everyone connected and present').toEqual([]);

    for (const c of room.clients) room.startTyping(c, SHORT.typingMs);
    // Their last edits reached the others just before the links went quiet.
    await waitFor(
      () => vanishing.every((v) => v.markers.length >= 3),
      SHORT.healTimeoutMs,
      'vanishing clients typed',
    );
    const shown = vanishing.map((v) => v.markers.slice());
    await waitFor(
      () =>
        others.every((o) => {
          const counts = markerCounts(o.text.toString());
          return shown.flat().every((m) => counts.has(m));
        }),
      SHORT.healTimeoutMs,
      `edits shown before the links went half-open (seed ${seed})`,
    );
    for (const link of links) link.halfOpenAll();

    // The heartbeat finds them: the server drops both, and the others stop showing them.
    await waitFor(
      () => running.server.connectionCount() === others.length,
      SHORT.healTimeoutMs,
      `heartbeat dropped the half-open connections (seed ${seed})`,
    );
    const gone = await healed(() => presenceProblems(others), SHORT.presenceTimeoutMs, seed);
    expect(gone, 'their presence removed').toEqual([]);
    // Neither client has heard anything: the link is silent both ways.
    for (const v of vanishing) {
      expect(v.closeCodes, v.name).toEqual([]);
      expect(v.provider.wsconnected, v.name).toBe(true);
    }

    // The network comes back as a reset; they reconnect with everything they typed meanwhile.
    for (const link of links) await link.resetAll();
    await waitFor(
      () => vanishing.every((v) => v.closeCodes.length > 0),
      SHORT.healTimeoutMs,
      `vanishing clients noticed the reset (seed ${seed})`,
    );
    const back = await healed(() => lockoutProblems(room.clients), SHORT.healTimeoutMs, seed);
    expect(back, 'everyone reconnected').toEqual([]);
    room.stopTyping();
    const problems = await roomHealed(room, SHORT);
    expect(problems).toEqual([]);
  }, 60_000);
});
