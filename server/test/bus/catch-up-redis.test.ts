/**
 * Bus catch-up with the real services: two Quire instances on one PostgreSQL database (gapless
 * per-document seqs) and RedisBus on a private redis-server that the tests stop and start. A
 * Redis restart costs latency, never data: every open document catches up once the bus is back;
 * a document opened while Redis is down is served from PostgreSQL and caught up once subscribed;
 * garbage and poison on one document's Redis channel change nothing for anyone.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { RedisBus, type RedisBusOptions } from '../../src/bus/redis.js';
import { encodeBusMessage, encodeInstanceId } from '../../src/bus/redis-codec.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { rawRedis, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

let db: TestDatabase | undefined;
let redis: PrivateRedis;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.dispose();
  await db?.drop();
});

describe('bus catch-up over Redis and PostgreSQL', () => {
  const clients: StockClient[] = [];
  const buses: RedisBus[] = [];
  let schemas = 0;
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const b of buses.splice(0)) await b.close();
    if (!(await isUp(redis))) await redis.start();
  });

  const bus = (options: Partial<RedisBusOptions> = {}) => {
    const b = new RedisBus({ url: redis.url, logger: silentLogger, ...options });
    buses.push(b);
    return b;
  };

  /** Two instances, each with its own pool on one schema and its own Redis connections. */
  const pair = async (busOptions: Partial<RedisBusOptions> = {}) => {
    if (!db) throw new Error('the test database was not created (see the beforeAll error)');
    const schema = `catch_up_${++schemas}`;
    const instance = (id: string) =>
      startServer({
        storage: new PostgresStorage({ connectionString: db!.url, schema }),
        bus: bus({ instanceId: id, ...busOptions }),
        busCatchUpIntervalMs: 600_000, // these tests are about reconnects, not the head check
      });
    return { a: await instance('a'), b: await instance('b') };
  };

  const join = async (server: RunningServer, doc: string) => {
    const client = stockClient(server.wsUrl, doc);
    clients.push(client);
    await waitSynced(client, 10_000);
    return client;
  };

  it('catches every open document up after a Redis restart', async () => {
    const { a, b } = await pair();
    const docs = ['one', 'two', 'three'];
    const onA = await Promise.all(docs.map((d) => join(a, d)));
    const onB = await Promise.all(docs.map((d) => join(b, d)));
    onA.forEach((c, i) => c.text.insert(0, `${docs[i]} `));
    await waitFor(
      () => onB.every((c, i) => c.text.toString() === `${docs[i]} `),
      10_000,
      'delivery before the outage',
    );
    await redis.stop();
    // Stored in PostgreSQL while nobody hears the doorbell.
    const persisted = a.server.metrics.updatesPersisted;
    onA.forEach((c) => c.text.insert(c.text.length, 'during'));
    await waitFor(
      () => a.server.metrics.updatesPersisted === persisted + docs.length,
      10_000,
      'the writes during the outage',
    );
    // a goes away before Redis is back, so what it queued for Redis is gone with it: only
    // storage has those edits (its shutdown also compacts them into snapshots).
    await a.close();
    await buses[0]!.close();
    const catchUps = b.server.metrics.busCatchUps;
    await redis.start();
    await waitFor(
      () => onB.every((c, i) => c.text.toString() === `${docs[i]} during`),
      15_000,
      'every document caught up on b',
    );
    expect(b.server.metrics.busCatchUps - catchUps).toBeGreaterThanOrEqual(docs.length);
  });

  it('opens a document while Redis is down and catches it up once subscribed', async () => {
    const { a, b } = await pair({ subscribeTimeoutMs: 300 });
    const onA = await join(a, 'opened-in-outage');
    onA.text.insert(0, 'before ');
    await waitFor(() => a.server.metrics.updatesPersisted === 1, 10_000, 'the first write');
    await redis.stop();
    const onB = await join(b, 'opened-in-outage'); // served from PostgreSQL
    expect(onB.text.toString()).toBe('before ');
    onA.text.insert(onA.text.length, 'during');
    await waitFor(() => a.server.metrics.updatesPersisted === 2, 10_000, 'the second write');
    await redis.start();
    await waitFor(() => onB.text.toString() === 'before during', 15_000, 'b caught up');
    expect(b.server.metrics.busSubscribeFailures).toBeGreaterThanOrEqual(1);
    expect(b.server.metrics.loadFailures).toBe(0);
    onA.text.insert(onA.text.length, ' after');
    await waitFor(() => onB.text.toString() === 'before during after', 10_000, 'b live again');
  });

  it('garbage and poison on one document’s channel stall neither it nor other documents', async () => {
    const { a, b } = await pair();
    const onA = await join(a, 'target');
    const onB = await join(b, 'target');
    const otherA = await join(a, 'other');
    const otherB = await join(b, 'other');
    const raw = rawRedis(redis.url);
    try {
      const channel = 'quire:doc:target';
      await raw.publish(channel, Buffer.from('not an envelope'));
      await raw.publish(channel, Buffer.from([1, 9, 1, 120]));
      // A well-formed envelope whose bytes Yjs refuses.
      const x = encodeInstanceId('x');
      await raw.publish(
        channel,
        encodeBusMessage(x, { kind: 'update', update: Uint8Array.of(255, 255, 255, 255) }),
      );
      onA.text.insert(0, 'still flowing');
      otherA.text.insert(0, 'elsewhere too');
      await waitFor(() => onB.text.toString() === 'still flowing', 10_000, 'the same document');
      await waitFor(() => otherB.text.toString() === 'elsewhere too', 10_000, 'another one');
      expect(b.server.metrics.busMessagesRefused).toBe(1);
      expect(buses[1]!.malformedMessages).toBe(2);
    } finally {
      raw.disconnect();
    }
  });
});

async function isUp(server: PrivateRedis): Promise<boolean> {
  const client = rawRedis(server.url);
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
