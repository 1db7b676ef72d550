/**
 * The doorbell under a lossy, reordering bus: three instances on one MemoryStorage (gapless
 * seqs), stock clients editing one document at random on all of them while the bus drops a
 * fifth of the messages and delays another fifth (so later ones overtake them), with frequent
 * compactions. Once the bus behaves again, every client and the store hold the same text: gap
 * repairs, snapshot catch-ups and the head check together lose nothing. Seeded; a failure names
 * the seed to replay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LocalBusHub, MemoryStorage } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { seededRandom } from '../helpers/random.js';
import { sharedStore, TestBus } from './catch-up-support.js';

const SEED = Number(process.env.QUIRE_TEST_SEED ?? 20261201);
const EDITS = 80;

describe('bus catch-up under random loss and reordering', () => {
  const clients: StockClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  it(`converges every client and the store (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    const buses: TestBus[] = [];
    const servers: RunningServer[] = [];
    let lossy = true;
    for (let i = 0; i < 3; i++) {
      const bus = new TestBus(hub.connect(`i${i}`));
      bus.drop = () => lossy && random() < 0.2;
      bus.delay = () => (lossy && random() < 0.25 ? 1 + Math.floor(random() * 40) : 0);
      buses.push(bus);
      servers.push(
        await startServer({
          storage: sharedStore(storage),
          bus,
          busCatchUpIntervalMs: 150,
          compactAfterUpdates: 10,
        }),
      );
    }
    for (const server of servers) {
      for (let k = 0; k < 2; k++) {
        const client = stockClient(server.wsUrl, 'shared');
        clients.push(client);
        await waitSynced(client);
      }
    }
    for (let n = 0; n < EDITS; n++) {
      const client = clients[Math.floor(random() * clients.length)]!;
      const text = client.text;
      if (text.length > 4 && random() < 0.25) {
        text.delete(Math.floor(random() * (text.length - 2)), 2);
      } else {
        text.insert(Math.floor(random() * (text.length + 1)), `<${n}>`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 6)));
    }
    lossy = false;
    const stored = async () => {
      const doc = new Y.Doc();
      const s = await storage.load('shared');
      if (s?.snapshot) Y.applyUpdate(doc, s.snapshot);
      for (const u of s?.updates ?? []) Y.applyUpdate(doc, u);
      return doc.getText('text').toString();
    };
    await waitFor(
      async () => {
        const texts = new Set(clients.map((c) => c.text.toString()));
        return texts.size === 1 && texts.has(await stored());
      },
      20_000,
      `every client and the store to agree (seed ${SEED})`,
    );
    const total = (key: 'busCatchUps' | 'busGapRepairs' | 'compactions') =>
      servers.reduce((sum, s) => sum + s.server.metrics[key], 0);
    expect(total('busCatchUps')).toBeGreaterThan(0);
    expect(total('compactions')).toBeGreaterThan(0);
    expect(clients[0]!.text.length).toBeGreaterThan(0);
  });
});
