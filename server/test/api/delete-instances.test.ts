/**
 * DELETE with two instances on one store and one bus: the other instance's sessions are closed
 * with 4410 too (its sweep reads the shared tombstones), and both refuse upgrades with 410.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { LocalBusHub, MemoryStorage } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { upgradeStatus } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient, type VersionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from './api-client.js';

describe('DELETE across instances', () => {
  const clients: VersionedStockClient[] = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await s.close();
  });

  it('closes the sessions on every instance and refuses upgrades on both', async () => {
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    for (const id of ['a', 'b']) servers.push(await startServer({ storage, bus: hub.connect(id) }));
    const [a, b] = servers as [RunningServer, RunningServer];
    await api(a.httpUrl, '/api/docs', jsonRequest('POST', { name: 'shared', text: 'both' }));
    const onA = versionedStockClient('v3', a.wsUrl, 'shared');
    const onB = versionedStockClient('v3', b.wsUrl, 'shared');
    clients.push(onA, onB);
    await waitFor(
      () => [onA, onB].every((c) => c.doc.getText('codemirror').toString() === 'both'),
      5_000,
      'both clients to load',
    );
    expect((await api(a.httpUrl, docPath('shared'), { method: 'DELETE' })).status).toBe(204);
    await waitFor(
      () => onA.closeCodes.includes(CloseCode.Gone) && onB.closeCodes.includes(CloseCode.Gone),
      10_000,
      'both instances to close their sessions with 4410',
    );
    expect(b.server.loadedDocuments()).not.toContain('shared');
    for (const s of servers) expect(await upgradeStatus(`${s.wsUrl}/shared`)).toBe(410);
    expect((await api(b.httpUrl, docPath('shared', '/text'))).status).toBe(404);
  });
});
