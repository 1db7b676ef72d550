/**
 * Scale-out, Redis fails (issue #13 cases 3 and 4) on the cluster's private redis-server only:
 * restarted (empty) and FLUSHALLed mid-edit, and frozen with SIGSTOP for longer than the
 * instances' heartbeats. Meanwhile each instance must go on serving its own clients, open
 * documents it had not loaded, and say it is not ready; afterwards everything converges across
 * instances, presence included, and nothing is lost. Redis is a doorbell: failing costs latency,
 * never data. One cluster for both cases, each on a document of its own.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { healed } from '../chaos/invariants.js';
import { markerCounts } from '../chaos/harness.js';
import { rawRedis } from '../helpers/redis.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { Cluster } from './cluster.js';
import {
  fail,
  quietChecks,
  sleep,
  spreadRoom,
  startTyping,
  TIMING,
  type SpreadRoom,
} from './scenario.js';

/** Longer than the instances' heartbeat timeout (busHeartbeatTimeoutMs, 7.5 s by default): the
 * others may take each other for dead meanwhile, and must recover. */
const STALL_MS = 9_000;
/** How long an instance may take to notice that Redis is gone and say so on /readyz. */
const NOTICE_TIMEOUT_MS = 5_000;

/** While the bus is down: on every instance, a marker typed by one client reaches the other
 * client of that instance, and a document nobody had open loads. */
async function servesLocally(spread: SpreadRoom, cluster: Cluster, tag: string): Promise<string[]> {
  const { room } = spread;
  const perInstance = cluster.instances.map(async (_, i) => {
    const [writer, reader] = spread.on(i);
    const marker = room.type(writer!);
    const opener = versionedStockClient('v3', cluster.url(i), `${room.docName}-${tag}-${i}`);
    const problems = await healed(
      () => [
        ...(markerCounts(reader!.text.toString()).has(marker)
          ? []
          : [`${reader!.name} did not get ${marker} from ${writer!.name} on its own instance`]),
        ...(opener.provider.synced ? [] : [`instance ${i + 1} did not load a new document`]),
      ],
      TIMING.healTimeoutMs / 2,
      room.seed,
    );
    opener.destroy();
    return problems;
  });
  return (await Promise.all(perInstance)).flat();
}

/** Each instance's /readyz says 503 at some point within `ms`; returns the ones that never did. */
async function unreadyProblems(cluster: Cluster, ms: number): Promise<string[]> {
  const pending = new Set(cluster.instances.map((_, i) => i));
  const deadline = Date.now() + ms;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const i of [...pending]) if ((await cluster.readyz(i)) === 503) pending.delete(i);
    await sleep(100);
  }
  return [...pending].map((i) => `instance ${i + 1}'s /readyz never said 503`);
}

/** Each instance's /readyz says 200 again within the heal timeout; returns the ones that did not. */
async function readyAgainProblems(cluster: Cluster): Promise<string[]> {
  const problems: string[] = [];
  for (let i = 0; i < cluster.instances.length; i++) {
    const deadline = Date.now() + TIMING.healTimeoutMs;
    while ((await cluster.readyz(i)) !== 200 && Date.now() < deadline) await sleep(100);
    if ((await cluster.readyz(i)) !== 200) {
      problems.push(`instance ${i + 1}'s /readyz did not return to 200`);
    }
  }
  return problems;
}

describe('Redis failing under three instances', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start();
  }, 60_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('restart and FLUSHALL mid-edit lose nothing, and presence heals', async () => {
    const spread = await spreadRoom(c, 'scale-redis-restart', 1303);
    startTyping(spread);
    await sleep(TIMING.editMs);

    await c.redis.stop();
    const problems = await unreadyProblems(c, NOTICE_TIMEOUT_MS);
    problems.push(...(await servesLocally(spread, c, 'down')));
    await c.redis.start();
    await sleep(TIMING.editMs);

    const redis = rawRedis(c.redis.url);
    await redis.flushall();
    redis.disconnect();
    await sleep(TIMING.editMs);
    problems.push(...(await readyAgainProblems(c)));
    problems.push(...(await quietChecks(spread, c)));
    await fail(problems, c, 'after a Redis restart and FLUSHALL');
    spread.room.destroy();
  }, 120_000);

  it('a stall (SIGSTOP) past the heartbeat loses nothing, and presence heals', async () => {
    const spread = await spreadRoom(c, 'scale-redis-stall', 1304);
    startTyping(spread);
    await sleep(TIMING.editMs);

    c.redis.freeze();
    const stalledAt = Date.now();
    const problems = await servesLocally(spread, c, 'stalled');
    await sleep(Math.max(0, STALL_MS - (Date.now() - stalledAt)));
    c.redis.thaw();
    await sleep(TIMING.editMs);
    problems.push(...(await quietChecks(spread, c)));
    await fail(problems, c, `after Redis stalled for ${STALL_MS} ms`);
    spread.room.destroy();
  }, 120_000);
});
