/**
 * Version history on PostgreSQL with two instances (one database, an in-process bus): a version
 * saved on one instance is listed and restorable on the other, and a restore made on one
 * reaches a stock client connected to the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBusHub } from '../../src/index.js';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { TEXT_NAME } from '../../src/history/version-state.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';

let db: TestDatabase | undefined;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('versions on PostgreSQL, two instances', () => {
  it('a version saved on one instance is restored from the other, and every client gets it', async () => {
    if (!db) throw new Error('the test database was not created (see the beforeAll error)');
    const hub = new LocalBusHub();
    const stores = [0, 1].map(() => new PostgresStorage({ connectionString: db!.url }));
    const [a, b] = [
      await startServer({ storage: stores[0]!, bus: hub.connect('a'), roomUnloadGraceMs: 600_000 }),
      await startServer({ storage: stores[1]!, bus: hub.connect('b'), roomUnloadGraceMs: 600_000 }),
    ];
    const onA = (path: string, req?: Parameters<typeof api>[2]) => api(a.httpUrl, path, req);
    const onB = (path: string, req?: Parameters<typeof api>[2]) => api(b.httpUrl, path, req);
    const client = versionedStockClient('v3', a.wsUrl, 'shared');
    try {
      expect(
        (await onA('/api/docs', jsonRequest('POST', { name: 'shared', text: 'v1 text' }))).status,
      ).toBe(201);
      const saved = await onA(docPath('shared', '/versions'), { method: 'POST' });
      expect(saved.status).toBe(201);
      await waitFor(() => client.provider.synced, 5_000, 'the client on A to sync');
      const t = client.doc.getText(TEXT_NAME);
      t.insert(t.length, ' and more');
      await waitFor(
        async () => (await onB(docPath('shared', '/text'))).text === 'v1 text and more',
        5_000,
        'B to see the edit made on A',
      );
      const listedOnB = (await onB(docPath('shared', '/versions'))).json;
      expect(listedOnB.map((v: { id: number }) => v.id)).toContain(saved.json.id);
      const restored = await onB(docPath('shared', `/versions/${saved.json.id}/restore`), {
        method: 'POST',
      });
      expect(restored.status).toBe(200);
      await waitFor(() => t.toString() === 'v1 text', 5_000, "the restore to reach A's client");
      expect((await onA(docPath('shared', '/text'))).text).toBe('v1 text');
      // The version saved before the restore is there for both.
      const onAList = (await onA(docPath('shared', '/versions'))).json;
      expect(onAList[0]).toMatchObject({ id: restored.json.savedBefore, kind: 'restore' });
    } finally {
      client.destroy();
      await a.close();
      await b.close();
    }
  });
});
