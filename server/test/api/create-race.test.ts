/**
 * Create exactly once: racing POSTs for one name give one 201 and 409s, and the text is stored
 * once — on one instance (SQLite), and on two instances sharing one PostgreSQL database, where
 * only the store's atomic create-if-absent can decide. A name a WebSocket client already wrote
 * to exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBusHub, MemoryStorage, PostgresStorage } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServer, tempDir } from '../helpers/server.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { api, docPath, jsonRequest } from './api-client.js';

const post = (url: string, name: string, text: string) =>
  api(url, '/api/docs', jsonRequest('POST', { name, text }));

describe('POST /api/docs races', () => {
  it('gives one 201 among racing requests on one instance, and the text once', async () => {
    const dir = tempDir('quire-race-');
    try {
      const running = await startServer({ dataDir: dir.path });
      for (let round = 0; round < 10; round++) {
        const name = `seed-${round}`;
        const answers = await Promise.all(
          Array.from({ length: 4 }, (_, i) => post(running.httpUrl, name, `seed text ${i}`)),
        );
        const statuses = answers.map((a) => a.status).sort();
        expect(statuses).toEqual([201, 409, 409, 409]);
        const winner = answers.findIndex((a) => a.status === 201);
        expect((await api(running.httpUrl, docPath(name, '/text'))).text).toBe(
          `seed text ${winner}`,
        );
      }
      await running.close();
    } finally {
      dir.remove();
    }
  });

  it('counts a document a WebSocket client wrote to as existing', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    const client = stockClient(running.wsUrl, 'typed-first');
    try {
      await waitSynced(client);
      client.doc.getText('codemirror').insert(0, 'typed');
      await waitFor(() => running.server.metrics.updatesPersisted > 0, 5_000, 'the write');
      expect((await post(running.httpUrl, 'typed-first', 'seed')).status).toBe(409);
      expect((await api(running.httpUrl, docPath('typed-first', '/text'))).text).toBe('typed');
    } finally {
      client.destroy();
    }
  });

  it('seeds a name an editor has open but never typed into, and the editor gets the text', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    const client = stockClient(running.wsUrl, 'opened-first');
    try {
      await waitSynced(client);
      expect(running.server.loadedDocuments()).toContain('opened-first');
      expect((await post(running.httpUrl, 'opened-first', 'seeded')).status).toBe(201);
      await waitFor(
        () => client.doc.getText('codemirror').toString() === 'seeded',
        5_000,
        'the open editor to get the seed',
      );
      expect((await post(running.httpUrl, 'opened-first', 'again')).status).toBe(409);
      expect(client.doc.getText('codemirror').toString()).toBe('seeded');
    } finally {
      client.destroy();
    }
  });

  describe('on two instances sharing one PostgreSQL database', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
    });
    afterAll(() => db.drop());

    it('gives one 201 across instances, and both serve the text once', async () => {
      const hub = new LocalBusHub();
      const instances = await Promise.all(
        ['a', 'b'].map(async (id) => {
          const storage = new PostgresStorage({ connectionString: db.url });
          await storage.ready();
          return startServer({ storage, bus: hub.connect(id) });
        }),
      );
      const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
      for (let round = 0; round < 10; round++) {
        const name = `shared/seed-${round}`;
        const [fromA, fromB] = await Promise.all([
          post(a.httpUrl, name, `from a ${round}`),
          post(b.httpUrl, name, `from b ${round}`),
        ]);
        expect([fromA.status, fromB.status].sort()).toEqual([201, 409]);
        const text = fromA.status === 201 ? `from a ${round}` : `from b ${round}`;
        for (const instance of [a, b]) {
          expect((await api(instance.httpUrl, docPath(name, '/text'))).text).toBe(text);
        }
      }
      await Promise.all(instances.map((i) => i.close()));
    });
  });
});
