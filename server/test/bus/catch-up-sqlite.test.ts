/**
 * Bus catch-up on a store whose seqs are not gapless per document: two instances on one SQLite
 * file (one AUTOINCREMENT counter for every document), so a receiver cannot see a gap in the
 * seqs. A dropped middle message is healed by the periodic head check, which reads the tail
 * after what the room has read from storage whenever the head moved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBusHub, SqliteStorage } from '../../src/index.js';
import { startServer, tempDir } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { publishedSeqs, TestBus } from './catch-up-support.js';

describe('bus catch-up on SQLite (seqs not gapless)', () => {
  const clients: StockClient[] = [];
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const d of dirs.splice(0)) d.remove();
  });

  it('heals a dropped middle message with the head check, not with a gap repair', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const hub = new LocalBusHub();
    const busA = new TestBus(hub.connect('a'));
    const start = (bus: TestBus) =>
      startServer({
        storage: new SqliteStorage({ dataDir: dir.path }),
        bus,
        busCatchUpIntervalMs: 100,
      });
    const a = await start(busA);
    const b = await start(new TestBus(hub.connect('b')));
    const join = async (url: string, doc: string) => {
      const client = stockClient(url, doc);
      clients.push(client);
      await waitSynced(client);
      return client;
    };
    const onA = await join(a.wsUrl, 'doc');
    const onB = await join(b.wsUrl, 'doc');
    const elsewhere = await join(a.wsUrl, 'elsewhere');
    onA.text.insert(0, 'one ');
    await waitFor(() => onB.text.toString() === 'one ', 5_000, 'the first edit on b');
    busA.drop = (doc, m) =>
      doc === 'doc' && m.kind === 'update' && publishedSeqs(busA, doc).length === 2;
    onA.text.insert(4, 'two ');
    await waitFor(() => publishedSeqs(busA, 'doc').length === 2, 5_000, 'the dropped one');
    elsewhere.text.insert(0, 'takes a seq in between');
    await waitFor(() => a.server.metrics.updatesPersisted === 3, 5_000, 'the other write');
    onA.text.insert(8, 'three');
    await waitFor(() => onB.text.toString() === 'one two three', 5_000, 'b healed');
    const [first, second, third] = publishedSeqs(busA, 'doc');
    expect(second).toBe(first! + 1);
    expect(third).toBeGreaterThan(second! + 1); // the store-wide counter moved on elsewhere
    expect(b.server.metrics.busGapRepairs).toBe(0);
    expect(b.server.metrics.busCatchUps).toBeGreaterThanOrEqual(1);
  });
});
