/**
 * A reconnect storm: a crowd of clients behind one proxy loses its connections at the same
 * instant (RST, some in the middle of a frame, as when a load balancer or Wi-Fi access point
 * drops), each makes an edit while it is offline, and all of them reconnect at once while other
 * people keep typing through a healthy link.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';
import { startServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import { FaultProxy } from './fault-proxy.js';
import { ChaosRoom, Rng, type ChaosClient } from './harness.js';
import { healed, lockoutProblems, presenceProblems, roomHealed } from './invariants.js';
import { SHORT, chaosSeed } from './scale.js';

const SCALE = SHORT.storm;

describe('chaos: reconnect storm', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(`${SCALE.crowd} clients dropped at once reconnect while ${SCALE.typists} others type: all converge, every edit kept, presence heals`, async () => {
    const seed = chaosSeed(7002);
    const rng = new Rng(seed);
    const running = await startServer({ storage: new MemoryStorage() });
    cleanups.push(() => running.close());
    const proxy = await FaultProxy.start(running.port);
    cleanups.push(() => proxy.close());
    const room = new ChaosRoom('storm', rng);
    cleanups.push(() => room.destroy());

    const version = (i: number): StockVersion => (i % 2 === 0 ? 'v3' : 'v1');
    const typists: ChaosClient[] = [];
    for (let i = 0; i < SCALE.typists; i++) {
      typists.push(room.join(version(i), running.wsUrl, `t${i + 1}`));
    }
    const crowd: ChaosClient[] = [];
    for (let i = 0; i < SCALE.crowd; i++)
      crowd.push(room.join(version(i), proxy.wsUrl, `c${i + 1}`));
    const ready = await healed(
      () => [...lockoutProblems(room.clients), ...presenceProblems(room.clients)],
      SHORT.healTimeoutMs,
      seed,
    );
    expect(ready, 'everyone connected and present before the storm').toEqual([]);
    for (const t of typists) room.startTyping(t, SHORT.typingMs);

    for (let storm = 1; storm <= SCALE.storms; storm++) {
      const closesBefore = crowd.map((c) => c.closeCodes.length);
      const dropped = await proxy.resetAll({ midFrame: true });
      expect(dropped, `storm ${storm}`).toBe(SCALE.crowd);
      // Everyone in the crowd types while offline or mid-reconnect.
      for (const c of crowd) room.type(c);
      await waitFor(
        () => crowd.every((c, i) => c.closeCodes.length > closesBefore[i]!),
        SHORT.healTimeoutMs,
        `every dropped client noticed storm ${storm} (seed ${seed})`,
      );
      const back = await healed(() => lockoutProblems(room.clients), SHORT.healTimeoutMs, seed);
      expect(back, `reconnected after storm ${storm}`).toEqual([]);
    }
    room.stopTyping();

    const problems = await roomHealed(room, SHORT);
    expect(problems).toEqual([]);
    expect(proxy.stats.resets).toBe(SCALE.crowd * SCALE.storms);
    expect(proxy.stats.midFrameResets, 'some resets cut a frame').toBeGreaterThan(0);
  }, 90_000);
});
