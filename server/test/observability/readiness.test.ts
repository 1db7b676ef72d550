/**
 * /readyz as named checks, one per dependency in use, through real outages: two instances on
 * one PostgreSQL database (through a fault proxy, never stopping the shared server) and a
 * private redis-server (stopped and started again; never the shared one). The body says which
 * check fails, the status is 503 while any does, and `quire_ready{check}` follows. The same setup
 * shows the scale-out metrics: seq distance on the bus, PostgreSQL commits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage, RedisBus, silentLogger } from '../../src/index.js';
import { Readiness, type ReadinessReport } from '../../src/http/readiness.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startPostgresFault, type PostgresFault } from '../helpers/postgres-fault.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { histogramCount, parsePrometheusText, sampleValue } from './prometheus-text.js';

async function readyz(httpUrl: string): Promise<{ status: number; body: ReadinessReport }> {
  const res = await fetch(`${httpUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as ReadinessReport };
}

async function families(httpUrl: string) {
  return parsePrometheusText(await (await fetch(`${httpUrl}/metrics`)).text());
}

describe('Readiness checks', () => {
  it('reports each check by name: ok, a reason, a throw, a hang; the first failure is the reason', async () => {
    const readiness = new Readiness(50);
    readiness.add('server', () => null);
    readiness.add('storage', () => 'storage fsync is failing');
    readiness.add('outbox', async () => {
      await Promise.resolve();
      throw new Error('outbox table missing');
    });
    readiness.add('slow', () => new Promise<null>(() => {}));
    expect(await readiness.report()).toEqual({
      ready: false,
      status: 'unready',
      reason: 'storage fsync is failing',
      checks: {
        server: 'ok',
        storage: 'down: storage fsync is failing',
        outbox: 'down: check failed: outbox table missing',
        slow: 'down: check did not answer within 50 ms',
      },
    });
    const fine = new Readiness();
    fine.add('server', () => null);
    expect(await fine.report()).toEqual({ ready: true, status: 'ready', checks: { server: 'ok' } });
  });
});

describe('/readyz with PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let fault: PostgresFault;
  let redis: PrivateRedis;
  const buses: RedisBus[] = [];
  const servers: RunningServer[] = [];
  const clients: StockClient[] = [];

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), startPrivateRedis()]);
    fault = await startPostgresFault(db.url);
    for (let i = 0; i < 2; i++) {
      const storage = new PostgresStorage({ connectionString: fault.url, checkIntervalMs: 200 });
      await storage.ready();
      const bus = new RedisBus({ url: redis.url, logger: silentLogger });
      buses.push(bus);
      servers.push(await startServer({ storage, bus }));
    }
    for (const s of servers) {
      await waitFor(async () => (await readyz(s.httpUrl)).status === 200, 5_000, 'ready');
    }
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    for (const s of servers) await s.close();
    for (const b of buses) await b.close();
    await fault?.close();
    await redis?.dispose();
    await db?.drop();
  });

  it('names every dependency in use, all ok', async () => {
    const { status, body } = await readyz(servers[0]!.httpUrl);
    expect(status).toBe(200);
    expect(body).toEqual({
      ready: true,
      status: 'ready',
      checks: { server: 'ok', postgres: 'ok', storage: 'ok', redis: 'ok' },
    });
  });

  it('counts PostgreSQL commits and the seq distance of updates from the other instance', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const here = stockClient(a.wsUrl, 'shared');
    const there = stockClient(b.wsUrl, 'shared');
    clients.push(here, there);
    await Promise.all([waitSynced(here), waitSynced(there)]);
    for (const word of ['one ', 'two ', 'three ']) {
      here.text.insert(here.text.length, word);
      await waitFor(() => there.text.toString().includes(word), 5_000, `"${word}" on b`);
    }
    const onA = await families(a.httpUrl);
    expect(histogramCount(onA, 'quire_postgres_commit_seconds')).toBeGreaterThanOrEqual(3);
    expect(histogramCount(onA, 'quire_postgres_commit_appends')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(onA, 'quire_postgres_commits_total')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(onA, 'quire_postgres_failed_batches_total')).toBe(0);
    const onB = await families(b.httpUrl);
    expect(histogramCount(onB, 'quire_bus_seq_distance')).toBeGreaterThanOrEqual(3);
    // In order: every seq was the next one.
    const inOrder = onB
      .get('quire_bus_seq_distance')!
      .samples.find((s) => s.name === 'quire_bus_seq_distance_bucket' && s.labels.le === '1');
    expect(inOrder!.value).toBe(histogramCount(onB, 'quire_bus_seq_distance'));
    expect(sampleValue(onB, 'quire_bus_wire_malformed_total')).toBe(0);
    expect(sampleValue(onB, 'quire_bus_publish_dropped_total')).toBe(0);
  });

  it('Redis stopped: 503 naming redis, storage still ok; 200 again once it is back', async () => {
    await redis.stop();
    for (const s of servers) {
      await waitFor(async () => (await readyz(s.httpUrl)).status === 503, 5_000, '503');
      const { body } = await readyz(s.httpUrl);
      expect(body.ready).toBe(false);
      expect(body.checks).toMatchObject({ server: 'ok', postgres: 'ok', storage: 'ok' });
      expect(body.checks.redis).toMatch(/^down: redis unreachable/);
      expect(body.reason).toMatch(/^redis unreachable/);
      const metrics = await families(s.httpUrl);
      expect(sampleValue(metrics, 'quire_ready', { check: 'redis' })).toBe(0);
      expect(sampleValue(metrics, 'quire_ready', { check: 'postgres' })).toBe(1);
    }
    await redis.start();
    for (const s of servers) {
      await waitFor(async () => (await readyz(s.httpUrl)).status === 200, 10_000, '200 again');
    }
  });

  it('PostgreSQL unreachable: 503 naming postgres (its reason first), 200 once it answers', async () => {
    const s = servers[0]!;
    await fault.down();
    await waitFor(async () => (await readyz(s.httpUrl)).status === 503, 5_000, '503');
    const { body } = await readyz(s.httpUrl);
    expect(body.checks.postgres).toMatch(/^down: postgresql unreachable at 127\.0\.0\.1:\d+\//);
    expect(body.checks).toMatchObject({ server: 'ok', redis: 'ok' });
    expect(body.reason).toMatch(/^postgresql unreachable/);
    fault.restore();
    await waitFor(async () => (await readyz(s.httpUrl)).status === 200, 5_000, '200 again');
  });
});
