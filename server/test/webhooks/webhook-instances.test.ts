/**
 * Two instances on one PostgreSQL database and one Redis bus, both sending to one receiver that
 * verifies signatures: every event is created once (by the instance where it happened, not by
 * the one that heard it over the bus) and delivered once, though both instances poll the same
 * outbox all the time.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStorage, RedisBus, silentLogger } from '../../src/index.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { requireSharedRedis, SHARED_REDIS_URL } from '../helpers/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { startReceiver, type Receiver } from './receiver.js';

const HOOK_SECRET = 'hook-secret-0123456789abcdef0123456789';
const DOCS = 12;

describe('webhooks from two instances on one PostgreSQL', () => {
  let db: TestDatabase;
  let receiver: Receiver;
  const instances: RunningServer[] = [];
  const buses: RedisBus[] = [];

  beforeAll(async () => {
    await requireSharedRedis();
    db = await createTestDatabase();
    receiver = await startReceiver(HOOK_SECRET);
    const keyPrefix = `quire-test-${randomBytes(4).toString('hex')}:`;
    for (let i = 0; i < 2; i++) {
      const bus = new RedisBus({ url: SHARED_REDIS_URL, keyPrefix, logger: silentLogger });
      buses.push(bus);
      const storage = new PostgresStorage({ connectionString: db.url });
      await storage.ready();
      instances.push(
        await startServer({
          storage,
          bus,
          webhookUrls: [receiver.url],
          webhookSecret: HOOK_SECRET,
          webhookChangeDebounceMs: 100,
          webhookChangeMaxIntervalMs: 5_000,
          // Both instances look at the outbox all the time: every row is raced for.
          webhookPollIntervalMs: 5,
          // Long: a request that timed out on a busy machine would be sent again (at least
          // once), which is not what this test looks for.
          webhookTimeoutMs: 10_000,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    for (const bus of buses) await bus.close();
    await receiver.stop();
    await db.drop();
  });

  it('creates each event once and delivers it once', async () => {
    const [a, b] = instances as [RunningServer, RunningServer];
    // Editors of one document on both instances; only A's editor types.
    await api(a.httpUrl, '/api/docs', jsonRequest('POST', { name: 'shared', text: '' }));
    const onA = stockClient(a.wsUrl, 'shared');
    const onB = stockClient(b.wsUrl, 'shared');
    try {
      await Promise.all([waitSynced(onA), waitSynced(onB)]);
      onA.text.insert(0, 'typed on A');
      await waitFor(() => onB.text.toString() === 'typed on A', 5_000, 'B to hear the change');
      for (let i = 0; i < DOCS; i++) {
        const via = i % 2 === 0 ? a : b;
        await api(via.httpUrl, '/api/docs', jsonRequest('POST', { name: `doc-${i}`, text: 'x' }));
        await api(via.httpUrl, docPath(`doc-${i}`, '/versions'), { method: 'POST' });
      }
      await waitFor(
        () =>
          receiver.ofType('document.created').length >= DOCS + 1 &&
          receiver.ofType('version.created').length >= DOCS &&
          receiver.ofType('document.changed').length >= 1,
        10_000,
        'every event',
      );
      // Give a second delivery (a duplicate) the time to show up, then count.
      await waitFor(
        async () =>
          (
            await Promise.all(
              instances.map(
                async (i) => (await i.server.storage.outbox!.stats([], Date.now())).total === 0,
              ),
            )
          ).every(Boolean),
        5_000,
        'the outbox to empty',
      );
    } finally {
      onA.destroy();
      onB.destroy();
    }
    const ids = receiver.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(receiver.ofType('document.created')).toHaveLength(DOCS + 1);
    expect(receiver.ofType('version.created')).toHaveLength(DOCS);
    // Heard by B over the bus, reported by A alone.
    expect(receiver.ofType('document.changed').filter((e) => e.doc === 'shared')).toHaveLength(1);
    expect(receiver.badSignatures).toBe(0);
  });
});
