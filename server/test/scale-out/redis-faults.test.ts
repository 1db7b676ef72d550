/**
 * Scale-out, Redis fails (issue #13 cases 3 and 4) on the cluster's private redis-server only:
 * restarted (empty) and FLUSHALLed mid-edit, and frozen with SIGSTOP for longer than the
 * instances' heartbeats. Meanwhile each instance must go on serving its own clients, open
 * documents it had not loaded, and say it is not ready; afterwards everything converges across
 * instances, presence included, and nothing is lost. Redis is a doorbell: failing costs latency,
 * never data. A cluster per case.
 */
import { afterEach, describe, it } from 'vitest';
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

/** Longer than an instance heartbeat's timeout: the others must be able to think it dead. */
const STALL_MS = 8_000;
const OUTAGE_MS = 2_000;

/** While the bus is down: on every instance, a marker typed by one client reaches the other
 * client of that instance, and a document nobody had open loads. */
async function servesLocally(spread: SpreadRoom, cluster: Cluster, tag: string): Promise<string[]> {
  const problems: string[] = [];
  const { room } = spread;
  for (let i = 0; i < cluster.instances.length; i++) {
    const [writer, reader] = spread.on(i);
    const marker = room.type(writer!);
    problems.push(
      ...(await healed(
        () =>
          markerCounts(reader!.text.toString()).has(marker)
            ? []
            : [`${reader!.name} did not get ${marker} from ${writer!.name} on its own instance`],
        TIMING.healTimeoutMs / 2,
        room.seed,
      )),
    );
    const opener = versionedStockClient('v3', cluster.url(i), `${room.docName}-${tag}-${i}`);
    problems.push(
      ...(await healed(
        () => (opener.provider.synced ? [] : [`instance ${i + 1} did not load a new document`]),
        TIMING.healTimeoutMs / 2,
        room.seed,
      )),
    );
    opener.destroy();
  }
  return problems;
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
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('restart and FLUSHALL mid-edit lose nothing, and presence heals', async () => {
    const c = (cluster = await Cluster.start());
    const spread = await spreadRoom(c, 'scale-redis-restart', 1303);
    startTyping(spread);
    await sleep(TIMING.editMs);

    await c.redis.stop();
    const problems = await unreadyProblems(c, OUTAGE_MS + 3_000);
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
    const c = (cluster = await Cluster.start());
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
