/**
 * POST /api/docs/<name>/rename: content, title and versions move atomically; open sessions
 * are closed with 4410 and a reason naming the new name; the old name answers like a deleted
 * one (410 at the upgrade, 404 in the API, nothing to restore) and can be renamed back onto;
 * races give one winner; refusals (same name, taken, missing, ro token, no rw for the target).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { LocalBusHub, MemoryStorage, signToken } from '../../src/index.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { upgradeStatus } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from './api-client.js';

describe('POST /api/docs/<name>/rename', () => {
  let running: RunningServer;
  const dir = tempDir('quire-rename-');
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  const create = async (name: string, text: string) =>
    expect((await call('/api/docs', jsonRequest('POST', { name, text }))).status).toBe(201);
  const rename = (from: string, to: unknown) =>
    call(docPath(from, '/rename'), jsonRequest('POST', { to }));

  beforeAll(async () => {
    running = await startServer({ dataDir: dir.path });
  });
  afterAll(async () => {
    await running.close();
    dir.remove();
  });

  it('moves text, title and versions; closes sessions with 4410 naming the new name', async () => {
    await create('r/old', '# Old title\nbody');
    expect(
      (await call(docPath('r/old', '/versions'), jsonRequest('POST', { label: 'v1' }))).status,
    ).toBe(201);
    const client = versionedStockClient('v3', running.wsUrl, 'r/old');
    const reasons: string[] = [];
    client.provider.on('connection-close', (event: { reason: string } | null) => {
      if (event) reasons.push(event.reason);
    });
    try {
      await waitFor(() => client.provider.synced, 5_000, 'the client to sync');
      const res = await rename('r/old', 'r/new');
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ name: 'r/new' });
      await waitFor(() => client.closeCodes.includes(CloseCode.Gone), 5_000, 'the 4410');
      expect(reasons).toContain('renamed to r/new');
    } finally {
      client.destroy();
    }
    expect((await call(docPath('r/new', '/text'))).text).toBe('# Old title\nbody');
    const versions = await call(docPath('r/new', '/versions'));
    expect(versions.json.map((v: { label?: string }) => v.label)).toContain('v1');
    const listed = (await call('/api/docs?prefix=r/')).json.docs;
    expect(listed.map((d: { name: string; title: string }) => [d.name, d.title])).toEqual([
      ['r/new', 'Old title'],
    ]);
    // The old name is gone: 404 in the API, 410 at the upgrade, nothing to restore.
    expect((await call(docPath('r/old', '/text'))).status).toBe(404);
    expect(await upgradeStatus(`${running.wsUrl}/r/old`)).toBe(410);
    expect((await call(docPath('r/old', '/restore'), { method: 'POST' })).status).toBe(404);
    expect((await call('/api/docs?prefix=r/&deleted=1')).json.docs).toEqual([]);
    // …and can be renamed back onto at once.
    expect((await rename('r/new', 'r/old')).status).toBe(200);
    expect((await call(docPath('r/old', '/text'))).text).toBe('# Old title\nbody');
  });

  it('refuses: same name, taken name (also a restorable deleted one), missing, bad body', async () => {
    await create('x/a', 'a');
    await create('x/b', 'b');
    await create('x/deleted', 'd');
    expect((await call(docPath('x/deleted'), { method: 'DELETE' })).status).toBe(204);
    expect((await rename('x/a', 'x/a')).status).toBe(400);
    expect((await rename('x/a', 'x/b')).status).toBe(409);
    expect((await rename('x/a', 'x/deleted')).status).toBe(409);
    expect((await rename('x/missing', 'x/c')).status).toBe(404);
    expect((await rename('x/deleted', 'x/c')).status).toBe(404);
    expect((await rename('x/a', 42)).status).toBe(400);
    expect((await rename('x/a', '../etc')).status).toBe(400);
    expect((await call(docPath('x/a', '/text'))).text).toBe('a');
    expect((await call(docPath('x/b', '/text'))).text).toBe('b');
  });

  it('of racing renames, exactly one wins: onto one name, and of one name', async () => {
    await create('race/p', 'p');
    await create('race/q', 'q');
    const onto = await Promise.all([rename('race/p', 'race/t'), rename('race/q', 'race/t')]);
    expect(onto.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = onto[0]!.status === 200 ? 'p' : 'q';
    expect((await call(docPath('race/t', '/text'))).text).toBe(winner);
    await create('race/s', 's');
    const away = await Promise.all([rename('race/s', 'race/u'), rename('race/s', 'race/v')]);
    expect(away.map((r) => r.status).sort()).toEqual([200, 404]);
    const texts = await Promise.all(
      ['race/u', 'race/v'].map(async (n) => (await call(docPath(n, '/text'))).status),
    );
    expect(texts.sort()).toEqual([200, 404]);
  });
});

describe('rename with token auth', () => {
  const SECRET = 'rename-test-secret-0123456789abcdef';
  it('needs rw on both names', async () => {
    const dir = tempDir('quire-rename-auth-');
    try {
      const running = await startServer({ dataDir: dir.path, secret: SECRET });
      const token = (doc: string, mode: 'rw' | 'ro') => signToken({ secret: SECRET, doc, mode });
      const teamRw = await token('team/*', 'rw');
      const post = (from: string, to: string, t: string) =>
        api(running.httpUrl, docPath(from, '/rename'), jsonRequest('POST', { to }, t));
      expect(
        (await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'team/a' }, teamRw)))
          .status,
      ).toBe(201);
      expect((await post('team/a', 'team/b', await token('team/*', 'ro'))).status).toBe(403);
      // A token for the old name only may not take a name it cannot write.
      expect((await post('team/a', 'team/b', await token('team/a', 'rw'))).status).toBe(403);
      expect((await post('team/a', 'elsewhere', teamRw)).status).toBe(403);
      expect((await post('team/a', 'team/b', 'not-a-token')).status).toBe(401);
      expect((await post('team/a', 'team/b', teamRw)).status).toBe(200);
      await running.close();
    } finally {
      dir.remove();
    }
  });
});

describe('rename across instances', () => {
  it('sessions on the other instance are told the new name too; the old name is free to create', async () => {
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    const a = await startServer({ storage, bus: hub.connect('a') });
    const b = await startServer({ storage, bus: hub.connect('b') });
    await api(a.httpUrl, '/api/docs', jsonRequest('POST', { name: 'moving', text: 'both' }));
    const onB = versionedStockClient('v3', b.wsUrl, 'moving');
    const reasons: string[] = [];
    onB.provider.on('connection-close', (event: { reason: string } | null) => {
      if (event) reasons.push(event.reason);
    });
    try {
      await waitFor(() => onB.provider.synced, 5_000, 'the client on b to sync');
      const res = await api(
        a.httpUrl,
        docPath('moving', '/rename'),
        jsonRequest('POST', { to: 'moved' }),
      );
      expect(res.status).toBe(200);
      await waitFor(() => onB.closeCodes.includes(CloseCode.Gone), 10_000, 'b to close with 4410');
      expect(reasons).toContain('renamed to moved');
    } finally {
      onB.destroy();
    }
    expect((await api(b.httpUrl, docPath('moved', '/text'))).text).toBe('both');
    // An explicit create takes the old name again (the tombstone had no content).
    const again = await api(
      b.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'moving', text: 'new' }),
    );
    expect(again.status).toBe(201);
    expect((await api(a.httpUrl, docPath('moving', '/text'))).text).toBe('new');
    // Each server closes the store they share: the one closing second must hold no room.
    await waitFor(() => a.server.loadedDocuments().length === 0, 5_000, 'a to unload its rooms');
    await b.close();
    await a.close();
  });
});
