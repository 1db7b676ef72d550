/**
 * /readyz of a server on a RedisBus, through outages of a private redis-server (never the shared
 * one): 503 naming Redis while it is stopped, and also while it is frozen (SIGSTOP), where the
 * connections stay 'ready' and only an unanswered PING tells; 200 again once it is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, silentLogger } from '../../src/index.js';
import { RedisBus } from '../../src/bus/redis.js';
import { waitFor } from '../helpers/poll.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { startServer } from '../helpers/server.js';

async function readiness(httpUrl: string): Promise<{ status: number; reason?: string }> {
  const res = await fetch(`${httpUrl}/readyz`);
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, reason: body.reason };
}

describe('/readyz on a RedisBus', () => {
  let redis: PrivateRedis;
  let bus: RedisBus | undefined;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  afterEach(async () => {
    redis.thaw();
    await bus?.close();
    bus = undefined;
  });

  async function serverOnBus() {
    bus = new RedisBus({ url: redis.url, logger: silentLogger });
    const running = await startServer({ storage: new MemoryStorage(), bus });
    await waitFor(async () => (await readiness(running.httpUrl)).status === 200, 5_000, 'ready');
    return running;
  }

  it('says 503 naming Redis while it is frozen (SIGSTOP), and 200 once it answers again', async () => {
    const running = await serverOnBus();
    redis.freeze();
    await waitFor(
      async () => (await readiness(running.httpUrl)).status === 503,
      10_000,
      '/readyz 503 while Redis is frozen',
    );
    expect((await readiness(running.httpUrl)).reason).toMatch(
      /^redis unreachable: redis has not answered a PING for \d+ ms$/,
    );
    redis.thaw();
    await waitFor(
      async () => (await readiness(running.httpUrl)).status === 200,
      10_000,
      '/readyz 200 after the thaw',
    );
  });

  it('says 503 naming Redis while it is stopped, and 200 once it is back', async () => {
    const running = await serverOnBus();
    await redis.stop();
    await waitFor(
      async () => (await readiness(running.httpUrl)).status === 503,
      10_000,
      '/readyz 503 while Redis is stopped',
    );
    expect((await readiness(running.httpUrl)).reason).toMatch(/^redis unreachable: /);
    await redis.start();
    await waitFor(
      async () => (await readiness(running.httpUrl)).status === 200,
      15_000,
      '/readyz 200 after the restart',
    );
  });
});
