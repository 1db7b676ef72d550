/**
 * The bus seam end to end, in one process: two Quire instances on one store and one in-process
 * bus, stock clients on each. A change made on one instance is stored once (by that instance)
 * and reaches the other instance's clients through the bus; a document loaded later on either
 * instance holds everything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LocalBusHub, MemoryStorage, type StorageAdapter } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';

describe('two instances over one store and one bus', () => {
  const servers: RunningServer[] = [];
  const clients: StockClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await s.close();
  });

  const pair = async () => {
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ storage: shared(storage), bus: hub.connect(`i${i}`) }));
    }
    return { storage, a: servers[0]!, b: servers[1]! };
  };

  const join = async (server: RunningServer, doc: string) => {
    const client = stockClient(server.wsUrl, doc);
    clients.push(client);
    await waitSynced(client);
    return client;
  };

  it('relays each instance’s stored changes to the other instance’s clients, stored once', async () => {
    const { storage, a, b } = await pair();
    const onA = await join(a, 'shared');
    const onB = await join(b, 'shared');
    onA.text.insert(0, 'from a. ');
    onB.text.insert(0, 'from b. ');
    await waitFor(() => onA.text.toString() === onB.text.toString() && onA.text.length === 16);
    // Each update was appended once, by the instance that received it from its client.
    const appended = () => a.server.metrics.updatesPersisted + b.server.metrics.updatesPersisted;
    await waitFor(() => appended() === 2, 5_000, 'both updates stored');
    expect((await storage.load('shared'))?.updates).toHaveLength(2);
    const stored = new Y.Doc();
    for (const u of (await storage.load('shared'))!.updates) Y.applyUpdate(stored, u);
    expect(stored.getText('text').toString()).toBe(onA.text.toString());
    expect(a.server.metrics.busMessagesReceived + b.server.metrics.busMessagesReceived).toBe(2);
  });

  it('a change stored while the other instance loads the document is not lost', async () => {
    const { a, b } = await pair();
    const onA = await join(a, 'late');
    onA.text.insert(0, 'before. ');
    const loading = join(b, 'late'); // b subscribes, then reads storage, while a keeps writing
    onA.text.insert(onA.text.length, 'during. ');
    const onB = await loading;
    onA.text.insert(onA.text.length, 'after.');
    await waitFor(() => onB.text.toString() === 'before. during. after.', 5_000, 'all three');
  });
});

/** One store used by two servers: each server closes "its" store on shutdown, so each gets a
 * handle whose close leaves the store open for the other. */
function shared(storage: MemoryStorage): StorageAdapter {
  return {
    load: (name) => storage.load(name),
    append: (name, update) => storage.append(name, update),
    compact: (name, snapshot, cover) => storage.compact(name, snapshot, cover),
    sync: () => storage.sync(),
    list: (options) => storage.list(options),
    delete: (name) => storage.delete(name),
    close: async () => {},
  };
}
