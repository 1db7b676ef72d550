/**
 * Presence across instances over RedisBus, on a private redis-server (never the shared one),
 * with stock y-websocket clients: a cursor crosses, an instance whose Redis connections are cut
 * without a goodbye loses its clients on the other instance within the heartbeat timeout, and
 * after a Redis restart every instance announces everything again: what changed during the
 * outage arrives, and a client that left during it (its removal was published into the outage
 * and lost) does not stay as a ghost.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  silentLogger,
  type QuireServerOptions,
  type StorageAdapter,
} from '../../src/index.js';
import { RedisBus } from '../../src/bus/redis.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

const FAST: QuireServerOptions = { busHeartbeatIntervalMs: 100, busHeartbeatTimeoutMs: 400 };
/** No test waits this long: a removal can only come from a message. */
const NEVER: QuireServerOptions = { busHeartbeatIntervalMs: 100, busHeartbeatTimeoutMs: 60_000 };

describe('presence across instances over RedisBus', () => {
  let redis: PrivateRedis;
  const buses: RedisBus[] = [];
  const clients: StockClient[] = [];
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis?.dispose();
  });
  afterEach(async () => {
    redis.thaw(); // a failed stall case must not leave it frozen for the next one
    for (const c of clients.splice(0)) c.destroy();
    for (const bus of buses.splice(0)) await bus.close();
  });

  const pair = async (options: QuireServerOptions) => {
    const storage = new MemoryStorage();
    const servers: RunningServer[] = [];
    const pairBuses: RedisBus[] = [];
    for (const id of ['a', 'b']) {
      const bus = new RedisBus({ url: redis.url, instanceId: id, logger: silentLogger });
      buses.push(bus);
      pairBuses.push(bus);
      servers.push(await startServer({ storage: shared(storage), bus, ...options }));
    }
    return { a: servers[0]!, b: servers[1]!, busA: pairBuses[0]!, busB: pairBuses[1]! };
  };

  const join = async (server: RunningServer, doc: string, name: string) => {
    const client = stockClient(server.wsUrl, doc);
    clients.push(client);
    client.provider.awareness.setLocalStateField('user', { name, color: '#aa3300' });
    await waitSynced(client);
    return client;
  };

  const seen = (viewer: StockClient, subject: StockClient) =>
    viewer.provider.awareness.getStates().get(subject.doc.clientID) as
      { user?: { name?: string }; cursor?: { head: number } } | undefined;

  it('shows a cursor set on one instance to a client on the other', async () => {
    const { a, b } = await pair(FAST);
    const ada = await join(a, 'doc', 'Ada');
    const bob = await join(b, 'doc', 'Bob');
    ada.provider.awareness.setLocalStateField('cursor', { anchor: 1, head: 4 });
    await waitFor(() => seen(bob, ada)?.cursor?.head === 4, 5_000, "Ada's cursor on b");
    await waitFor(() => seen(ada, bob)?.user?.name === 'Bob', 5_000, 'Bob on a').catch((e) => {
      console.log(
        'DBG',
        a.server.metrics.busPresenceReceived,
        a.server.metrics.busPresenceRefused,
        a.server.metrics.busPresenceStatesRefused,
        b.server.metrics.busPresencePublished,
        [...ada.provider.awareness.getStates().entries()],
        bob.doc.clientID,
      );
      throw e;
    });
  });

  it('drops the clients of an instance cut off without a goodbye within the heartbeat timeout', async () => {
    const { a, b, busA } = await pair(FAST);
    const ada = await join(a, 'cut', 'Ada');
    const bob = await join(b, 'cut', 'Bob');
    await waitFor(() => seen(bob, ada)?.user?.name === 'Ada', 5_000, 'Ada on b');
    await busA.close(); // as a crashed process: its connections go, nothing more is said
    await waitFor(() => seen(bob, ada) === undefined, 5_000, "Ada's presence dropped by b");
    expect(b.server.metrics.busInstancesGone).toBe(1);
  });

  it('after a Redis stall past the heartbeat timeout, each instance asks again: presence comes back', async () => {
    const { a, b } = await pair(FAST);
    const ada = await join(a, 'stall', 'Ada');
    const bob = await join(b, 'stall', 'Bob');
    await waitFor(() => seen(bob, ada)?.user?.name === 'Ada', 5_000, 'Ada on b');
    redis.freeze();
    try {
      // Nothing gets through: each instance gives the other up and drops its clients.
      await waitFor(() => seen(bob, ada) === undefined, 5_000, 'Ada dropped by b');
      await waitFor(() => seen(ada, bob) === undefined, 5_000, 'Bob dropped by a');
    } finally {
      redis.thaw();
    }
    await waitFor(() => seen(bob, ada)?.user?.name === 'Ada', 10_000, 'Ada back on b');
    await waitFor(() => seen(ada, bob)?.user?.name === 'Bob', 10_000, 'Bob back on a');
  });

  it('after a Redis restart, re-announces: changes made during the outage arrive and a client that left meanwhile is gone', async () => {
    const { a, b } = await pair(NEVER);
    const ada = await join(a, 'outage', 'Ada');
    const cy = await join(a, 'outage', 'Cy');
    const bob = await join(b, 'outage', 'Bob');
    await waitFor(
      () => seen(bob, ada)?.user?.name === 'Ada' && seen(bob, cy)?.user?.name === 'Cy',
      5_000,
      'Ada and Cy on b',
    );
    const cyId = cy.doc.clientID;

    await redis.stop();
    ada.provider.awareness.setLocalStateField('cursor', { anchor: 7, head: 7 });
    cy.destroy(); // its removal is published while Redis is down: lost
    await waitFor(() => a.server.connectionCount() === 1, 5_000, 'Cy gone from a');
    expect(seen(bob, ada)?.cursor).toBeUndefined();
    expect(bob.provider.awareness.getStates().has(cyId)).toBe(true);

    await redis.start();
    await waitFor(
      () => seen(bob, ada)?.cursor?.head === 7,
      15_000,
      "Ada's cursor after the restart",
    );
    await waitFor(() => !bob.provider.awareness.getStates().has(cyId), 5_000, 'Cy gone from b');
    expect(seen(bob, ada)?.user?.name).toBe('Ada');
  });
});

/** One store used by both servers: each gets a handle whose close leaves it open. */
function shared(storage: MemoryStorage): StorageAdapter {
  return new Proxy(storage, {
    get(target, key, receiver) {
      if (key === 'close') return async () => {};
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
