/**
 * RedisBus through Redis faults, on a private redis-server of its own (never the shared one):
 * a restart, which drops every connection and forgets every subscription, and a stall
 * (SIGSTOP), where connections stay open but nothing is answered. Publishing never throws,
 * the bus finds its way back by itself, and messages flow again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type BusEnvelope, type BusMessage } from '../../src/index.js';
import { RedisBus, type RedisBusOptions } from '../../src/bus/redis.js';
import { waitFor } from '../helpers/poll.js';
import { rawRedis, startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

const update = (byte: number): BusMessage => ({ kind: 'update', update: Uint8Array.of(byte) });
const bytesOf = (got: BusEnvelope[]) => got.map((e) => e.message.update[0]);

describe('RedisBus through Redis outages', () => {
  let redis: PrivateRedis;
  const buses: RedisBus[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  afterEach(async () => {
    redis.thaw(); // a failed stall test must not leave the server frozen for the next one
    for (const bus of buses.splice(0)) await bus.close();
    if (!(await isUp(redis))) await redis.start();
  });

  const bus = (options: Partial<RedisBusOptions> = {}) => {
    const b = new RedisBus({ url: redis.url, logger: silentLogger, ...options });
    buses.push(b);
    return b;
  };

  it('survives a Redis restart: publish does not throw meanwhile, onReconnect fires, and subscriptions are live again without resubscribing', async () => {
    const [a, b] = [bus(), bus()];
    const toA: BusEnvelope[] = [];
    const toB: BusEnvelope[] = [];
    await a.subscribe('doc', (e) => toA.push(e));
    await b.subscribe('doc', (e) => toB.push(e));
    let reconnects = 0;
    a.onReconnect(() => reconnects++);
    b.onReconnect(() => reconnects++);
    a.publish('doc', update(1));
    await waitFor(() => toB.length === 1, 5_000, 'delivery before the outage');

    await redis.stop();
    await waitFor(() => !a.healthy && !b.healthy, 5_000, 'both buses noticing the outage');
    expect(() => a.publish('doc', update(2))).not.toThrow();
    expect(() => b.publish('doc', update(3))).not.toThrow();

    await redis.start(); // empty: it knows none of the old subscriptions
    await waitFor(() => reconnects === 2, 10_000, 'onReconnect on both buses');
    // onReconnect is the subscriber's news; the publisher connection reconnects on its own
    // backoff and may come back a moment later.
    await waitFor(() => a.healthy && b.healthy, 10_000, 'both buses healthy again');
    a.publish('doc', update(4));
    b.publish('doc', update(5));
    await waitFor(
      () => bytesOf(toB).includes(4) && bytesOf(toA).includes(5),
      5_000,
      'delivery after the restart, both ways',
    );
    expect(a.malformedMessages + b.malformedMessages).toBe(0);
  });

  it('rides out a stalled Redis (SIGSTOP for 2 s): nothing throws and delivery resumes', async () => {
    const [a, b] = [bus(), bus({ subscribeTimeoutMs: 500 })];
    const got: BusEnvelope[] = [];
    await b.subscribe('doc', (e) => got.push(e));
    a.publish('doc', update(1));
    await waitFor(() => got.length === 1, 5_000, 'delivery before the stall');

    redis.freeze();
    expect(() => a.publish('doc', update(2))).not.toThrow();
    // A subscription Redis cannot confirm fails within its bound instead of hanging.
    await expect(b.subscribe('other', () => {})).rejects.toThrow(/no answer from Redis/);
    // The fault lasts a fixed time on purpose: it is the stall being simulated, not a wait.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(() => a.publish('doc', update(3))).not.toThrow();
    redis.thaw();

    // What was published during the stall was buffered by the connections, not lost.
    await waitFor(() => got.length === 3, 5_000, 'the messages published during the stall');
    a.publish('doc', update(4));
    await waitFor(() => got.length === 4, 5_000, 'delivery after the stall');
    expect(bytesOf(got)).toEqual([1, 2, 3, 4]);
    expect(a.droppedMessages).toBe(0);
  });

  it('drops and counts what is published beyond maxPendingPublishBytes while Redis stalls, and delivers the rest afterwards', async () => {
    // Each message: 3 header bytes, a 1-byte id, 96 payload bytes = 100 bytes.
    const a = bus({ instanceId: 'a', maxPendingPublishBytes: 1_000 });
    const b = bus();
    const got: BusEnvelope[] = [];
    await b.subscribe('doc', (e) => got.push(e));
    await waitFor(() => a.healthy, 5_000, 'the publisher connected');
    redis.freeze();
    for (let i = 0; i < 50; i++) {
      a.publish('doc', { kind: 'update', update: new Uint8Array(96).fill(i) });
    }
    // Redis answers nothing while frozen, so exactly ten fit under the bound.
    expect(a.droppedMessages).toBe(40);
    redis.thaw();
    await waitFor(() => got.length === 10, 5_000, 'the ten that fitted');
    expect(bytesOf(got)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    a.publish('doc', update(77));
    await waitFor(() => got.length === 11, 5_000, 'delivery once Redis answers again');
  });

  it('rejects subscribe within its bound while Redis is down, and holds no Redis subscription for the abandoned one once Redis is back', async () => {
    const b = bus({ subscribeTimeoutMs: 300 });
    await b.subscribe('kept', () => {});
    await redis.stop();
    await expect(b.subscribe('abandoned', () => {})).rejects.toThrow(/no answer from Redis/);
    // Another subscriber to a channel subscribed before the outage is not live either.
    await expect(b.subscribe('kept', () => {})).rejects.toThrow(/no answer from Redis/);
    await redis.start();
    await waitFor(() => b.healthy, 10_000, 'the bus reconnected');
    const admin = rawRedis(redis.url);
    try {
      const reply = (await admin.pubsub('CHANNELS', 'quire:doc:*')) as string[];
      expect(reply).toEqual(['quire:doc:kept']);
    } finally {
      await admin.quit();
    }
  });
});

async function isUp(redis: PrivateRedis): Promise<boolean> {
  const client = rawRedis(redis.url);
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
