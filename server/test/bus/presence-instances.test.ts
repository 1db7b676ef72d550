/**
 * Presence across instances end to end, in one process: Quire servers on one store and one
 * in-process bus, stock y-websocket clients on each. A cursor set on one instance shows on the
 * others, a joiner sees who is already there on every instance, and the clients of an instance
 * that stops (cleanly, or silently as in a crash) disappear from the others: at once after a
 * goodbye, within the heartbeat timeout otherwise.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalBusHub,
  MemoryStorage,
  type DocumentBus,
  type QuireServerOptions,
  type StorageAdapter,
} from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { versionedStockClient } from '../helpers/stock-clients.js';

/** Fast heartbeats, so a silent instance is noticed within a fraction of a second. */
const FAST: QuireServerOptions = { busHeartbeatIntervalMs: 50, busHeartbeatTimeoutMs: 200 };
/** A timeout no test waits for: only a goodbye can explain a removal. */
const NEVER: QuireServerOptions = { busHeartbeatIntervalMs: 50, busHeartbeatTimeoutMs: 60_000 };

describe('presence across instances (in-process bus)', () => {
  const clients: StockClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  const cluster = async (count: number, options: QuireServerOptions = FAST) => {
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    const buses: DocumentBus[] = [];
    const servers: RunningServer[] = [];
    for (let i = 0; i < count; i++) {
      const bus = hub.connect(`instance-${i}`);
      buses.push(bus);
      servers.push(await startServer({ storage: shared(storage), bus, ...options }));
    }
    return { servers, buses };
  };

  const join = async (server: RunningServer, doc: string, name?: string) => {
    const client = stockClient(server.wsUrl, doc);
    clients.push(client);
    if (name) client.provider.awareness.setLocalStateField('user', { name, color: '#3366ff' });
    await waitSynced(client);
    return client;
  };

  /** The user name `viewer` sees for `subject`'s client, or undefined. */
  const seenName = (viewer: StockClient, subject: StockClient): string | undefined => {
    const state = viewer.provider.awareness.getStates().get(subject.doc.clientID) as
      { user?: { name?: string } } | undefined;
    return state?.user?.name;
  };

  it("shows a cursor set on one instance to the other instances' clients, and follows its changes", async () => {
    const { servers } = await cluster(3);
    const ada = await join(servers[0]!, 'doc', 'Ada');
    const onB = await join(servers[1]!, 'doc');
    const onC = await join(servers[2]!, 'doc');
    await waitFor(() => seenName(onB, ada) === 'Ada' && seenName(onC, ada) === 'Ada', 5_000, 'Ada');
    ada.provider.awareness.setLocalStateField('cursor', { anchor: 3, head: 5 });
    await waitFor(
      () => {
        const state = onC.provider.awareness.getStates().get(ada.doc.clientID) as
          { cursor?: { head: number } } | undefined;
        return state?.cursor?.head === 5;
      },
      5_000,
      "Ada's cursor on the third instance",
    );
    // The others' clients echo Ada's state back to their servers: that never takes her ID.
    expect(seenName(onB, ada)).toBe('Ada');
    expect(servers.every((s) => s.server.metrics.busPresenceRefused === 0)).toBe(true);
  });

  it('a joiner on an instance that had not opened the document sees who is present elsewhere', async () => {
    const { servers } = await cluster(2, NEVER);
    const ada = await join(servers[0]!, 'late', 'Ada');
    // Ada's arrival went out on the bus before the other instance listened to this document.
    await waitFor(
      () => servers[0]!.server.metrics.busPresencePublished > 0,
      5_000,
      "Ada's presence published",
    );
    expect(servers[1]!.server.loadedDocuments()).not.toContain('late');
    const bob = await join(servers[1]!, 'late', 'Bob');
    await waitFor(() => seenName(bob, ada) === 'Ada', 5_000, 'Bob seeing Ada');
    await waitFor(() => seenName(ada, bob) === 'Bob', 5_000, 'Ada seeing Bob');
  });

  it('works across the stock client generations: a 1.x client and a 3.x client on two instances see each other', async () => {
    const { servers } = await cluster(2, NEVER);
    const old = versionedStockClient('v1', servers[0]!.wsUrl, 'mixed');
    clients.push(old);
    old.provider.awareness.setLocalStateField('user', { name: 'Old', color: '#336699' });
    await waitSynced(old);
    const bob = await join(servers[1]!, 'mixed', 'Bob');
    await waitFor(() => seenName(bob, old) === 'Old', 5_000, 'Bob seeing the 1.x client');
    await waitFor(() => seenName(old, bob) === 'Bob', 5_000, 'the 1.x client seeing Bob');
    old.provider.awareness.setLocalStateField('user', { name: 'Old again', color: '#336699' });
    await waitFor(() => seenName(bob, old) === 'Old again', 5_000, 'its change');
  });

  it('a client that leaves one instance disappears from the others', async () => {
    const { servers } = await cluster(2, NEVER);
    const ada = await join(servers[0]!, 'leave', 'Ada');
    const bob = await join(servers[1]!, 'leave', 'Bob');
    await waitFor(() => seenName(bob, ada) === 'Ada', 5_000, 'Bob seeing Ada');
    const adaId = ada.doc.clientID;
    ada.destroy();
    await waitFor(() => !bob.provider.awareness.getStates().has(adaId), 5_000, 'Ada gone from Bob');
  });

  it('an instance that goes silent (no goodbye, as in a crash) loses its clients on the others within the heartbeat timeout', async () => {
    const { servers, buses } = await cluster(3);
    const ada = await join(servers[0]!, 'crash', 'Ada');
    const bob = await join(servers[1]!, 'crash', 'Bob');
    const cleo = await join(servers[2]!, 'crash', 'Cleo');
    await waitFor(
      () => seenName(bob, ada) === 'Ada' && seenName(cleo, ada) === 'Ada',
      5_000,
      'everyone seeing Ada',
    );
    // Its bus goes away under it: no goodbye, no heartbeats, no removals; Ada stays connected.
    await buses[0]!.close();
    await waitFor(
      () =>
        !bob.provider.awareness.getStates().has(ada.doc.clientID) &&
        !cleo.provider.awareness.getStates().has(ada.doc.clientID),
      5_000,
      "Ada's presence dropped by the other instances",
    );
    expect(seenName(bob, cleo)).toBe('Cleo'); // the live instances' presence is untouched
    expect(servers[1]!.server.metrics.busInstancesGone).toBeGreaterThanOrEqual(1);
  });

  it('an instance that closes cleanly says goodbye: its clients disappear from the others at once', async () => {
    const { servers } = await cluster(2, NEVER);
    const ada = await join(servers[0]!, 'bye', 'Ada');
    const bob = await join(servers[1]!, 'bye', 'Bob');
    await waitFor(() => seenName(bob, ada) === 'Ada', 5_000, 'Bob seeing Ada');
    ada.provider.shouldConnect = false; // it would reconnect to a closed port meanwhile
    await servers[0]!.close();
    await waitFor(
      () => !bob.provider.awareness.getStates().has(ada.doc.clientID),
      5_000,
      'Ada gone from Bob after the goodbye',
    );
    expect(servers[1]!.server.metrics.busInstancesGone).toBe(1);
  });
});

/** One store used by several servers: each closes "its" store on shutdown, so each gets a handle
 * whose close leaves the store open for the others. */
function shared(storage: MemoryStorage): StorageAdapter {
  return new Proxy(storage, {
    get(target, key, receiver) {
      if (key === 'close') return async () => {};
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
