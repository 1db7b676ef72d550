/**
 * Readers on bad links in a busy room. The writers paste big blocks (and keep typing), so the
 * server's unsent bytes for a slow reader pass a small `sendHighWaterBytes`:
 *   - a reader behind a bandwidth-capped link must be resynced in place (one sync step 2 with
 *     what it missed once its socket drains) and end up with the exact document, never closed;
 *   - a reader behind a stalled link (it never reads) must be closed with 1013 after
 *     `slowConsumerTimeoutMs`, and once its link works again, reconnect by itself and converge;
 *   - everyone else keeps receiving: they hold every pasted block while the stalled readers are
 *     still stuck.
 * Loopback TCP buffers about 4 MiB per stalled connection in the kernel before the server's own
 * buffer grows at all, so the room pastes more than that.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';
import { startServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import { FaultProxy } from './fault-proxy.js';
import { ChaosRoom, Rng, markerCounts, type ChaosClient } from './harness.js';
import { healed, lockoutProblems, presenceProblems, roomHealed } from './invariants.js';
import { SHORT, chaosSeed } from './scale.js';

const SCALE = SHORT.slowLinks;
/** Texts here are megabytes: poll less often than the default. */
const POLL_MS = 200;

describe('chaos: slow and stalled links', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a capped reader is resynced in place, a stalled one is closed with 1013 and rejoins, the rest never wait', async () => {
    const seed = chaosSeed(7003);
    const rng = new Rng(seed);
    const running = await startServer({
      storage: new MemoryStorage(),
      sendHighWaterBytes: SCALE.sendHighWaterBytes,
      slowConsumerTimeoutMs: SCALE.slowConsumerTimeoutMs,
    });
    cleanups.push(() => running.close());
    const slowLink = await FaultProxy.start(running.port);
    cleanups.push(() => slowLink.close());
    slowLink.setBandwidth(SCALE.slowLinkBytesPerSecond);
    const stalledLink = await FaultProxy.start(running.port);
    cleanups.push(() => stalledLink.close());

    const room = new ChaosRoom('slow-links', rng);
    cleanups.push(() => room.destroy());
    const writers: ChaosClient[] = [];
    for (let i = 0; i < SCALE.writers; i++) {
      const version: StockVersion = i % 2 === 0 ? 'v3' : 'v1';
      writers.push(room.join(version, running.wsUrl, `w${i + 1}`));
    }
    const fast = (['v1', 'v3'] as const).map((v) => room.join(v, running.wsUrl, `fast-${v}`));
    const slow = (['v1', 'v3'] as const).map((v) => room.join(v, slowLink.wsUrl, `slow-${v}`));
    const stalled = (['v1', 'v3'] as const).map((v) =>
      room.join(v, stalledLink.wsUrl, `stalled-${v}`),
    );
    const ready = await healed(
      () => [...lockoutProblems(room.clients), ...presenceProblems(room.clients)],
      SHORT.healTimeoutMs,
      seed,
    );
    expect(ready, 'everyone connected and present').toEqual([]);

    stalledLink.stall();
    for (const w of writers) room.startTyping(w, { ...SHORT.typingMs, placement: 'end' });
    // The paste: big blocks from every writer, interleaved, as fast as they can send them.
    const paste = { placement: 'end', fillerBytes: SCALE.insertBytes } as const;
    const rounds = Math.ceil(SCALE.totalBytes / SCALE.insertBytes / SCALE.writers);
    const pasted: string[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const w of writers) pasted.push(room.type(w, paste));
      await new Promise((resolve) => setImmediate(resolve));
    }

    // The stalled readers time out; meanwhile every other reader already holds the whole paste.
    const metrics = running.server.metrics;
    await waitFor(
      () => metrics.slowConsumersClosed >= stalled.length,
      SCALE.slowConsumerTimeoutMs + SHORT.healTimeoutMs,
      `stalled readers closed (seed ${seed})`,
    );
    const holdsPaste = (c: ChaosClient) => {
      const counts = markerCounts(c.text.toString());
      return pasted.every((m) => counts.has(m));
    };
    await waitFor(
      () => [...writers, ...fast].every(holdsPaste),
      SHORT.healTimeoutMs,
      `fast readers hold the paste while the stalled ones are stuck (seed ${seed})`,
    );
    expect(stalled.map((c) => c.closeCodes)).toEqual([[], []]);
    stalledLink.resume();
    await waitFor(
      () => stalled.every((c) => c.closeCodes.length > 0),
      SHORT.healTimeoutMs,
      `stalled readers told (seed ${seed})`,
    );
    room.stopTyping();

    const problems = await roomHealed(room, SHORT, POLL_MS);
    expect(problems).toEqual([]);
    const closes = JSON.stringify(
      Object.fromEntries(room.clients.map((c) => [c.name, c.closeCodes])),
    );
    for (const c of stalled) expect(c.closeCodes[0], closes).toBe(1013);
    for (const c of [...writers, ...fast, ...slow]) expect(c.closeCodes, closes).toEqual([]);
    expect(metrics.slowConsumersClosed, `only the stalled readers: ${closes}`).toBe(stalled.length);
    expect(metrics.slowConsumerResyncs, 'capped readers resynced in place').toBeGreaterThan(0);
  }, 90_000);
});
