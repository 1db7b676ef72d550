/**
 * The JSON API under auth: /api/docs lists only what the caller may open, and /api/access
 * answers the same access decision as the WebSocket upgrade (which browsers cannot read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, signToken } from '../src/index.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { stockClient, upgradeStatus, waitFor, waitSynced } from './helpers/clients.js';

const SECRET = 'an-api-test-secret-that-is-long-enough-1234';

describe('JSON API with tokens', () => {
  let running: RunningServer;
  const token = (doc: string, mode: 'rw' | 'ro' = 'rw') => signToken({ secret: SECRET, doc, mode });

  beforeAll(async () => {
    const storage = new MemoryStorage();
    running = await startServer({
      storage,
      secret: SECRET,
      allowOrigins: ['https://app.example'],
    });
    for (const doc of ['team-a/plan', 'team-a/notes', 'team-b/secret']) {
      const writer = stockClient(running.wsUrl, doc, { params: { token: await token(doc) } });
      await waitSynced(writer);
      writer.text.insert(0, doc);
      writer.destroy();
    }
    await waitFor(() => running.server.metrics.updatesPersisted >= 3, 5_000, 'the writes');
    // Each room unloads once its writer left, and its final flush compacts the document, which
    // moves it to the front of the 'recent' order: the paging test below must not race that.
    await waitFor(() => running.server.metrics.roomsUnloaded >= 3, 5_000, 'the rooms to unload');
  });
  afterAll(() => running.close());

  const getJSON = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${running.httpUrl}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown>, res };
  };

  it('lists no document to a caller without credentials', async () => {
    expect((await getJSON('/api/docs')).body).toEqual({ docs: [], next: null });
  });

  it('lists only the documents a prefix token grants', async () => {
    const { body } = await getJSON(`/api/docs?token=${await token('team-a/*', 'ro')}`);
    const names = (body.docs as { name: string }[]).map((d) => d.name).sort();
    expect(names).toEqual(['team-a/notes', 'team-a/plan']);
  });

  it('pages under auth by what the caller may open, never counting the others', async () => {
    const auth = { authorization: `Bearer ${await token('team-a/*', 'ro')}` };
    const first = await getJSON('/api/docs?limit=1', auth);
    expect((first.body.docs as unknown[]).length).toBe(1);
    const second = await getJSON(`/api/docs?limit=1&cursor=${String(first.body.next)}`, auth);
    const names = [
      ...(first.body.docs as { name: string }[]),
      ...(second.body.docs as { name: string }[]),
    ]
      .map((d) => d.name)
      .sort();
    expect(names).toEqual(['team-a/notes', 'team-a/plan']);
  });

  it('accepts the token as a bearer header too', async () => {
    const { body } = await getJSON('/api/docs', {
      authorization: `Bearer ${await token('team-b/secret')}`,
    });
    expect((body.docs as { name: string }[]).map((d) => d.name)).toEqual(['team-b/secret']);
  });

  it('answers the access probe exactly like the upgrade', async () => {
    const cases: [string, number][] = [
      ['team-a/plan', 401],
      [`team-a/plan?token=${await token('team-b/*')}`, 403],
      [`team-a/plan?token=not.a.token`, 401],
      [`..%2F..%2Fetc%2Fpasswd?token=${await token('*')}`, 400],
    ];
    for (const [path, status] of cases) {
      expect((await getJSON(`/api/access/${path}`)).status, path).toBe(status);
      expect(await upgradeStatus(`${running.wsUrl}/${path}`), path).toBe(status);
    }
  });

  it('reports the mode a valid token grants, without upgrading', async () => {
    const { status, body } = await getJSON(
      `/api/access/team-a/plan?token=${await token('team-a/*', 'ro')}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({ doc: 'team-a/plan', mode: 'ro' });
    expect(running.server.connectionCount()).toBe(0);
  });

  it('refuses a foreign Origin and allows CORS only for allowed ones', async () => {
    const t = await token('team-a/plan');
    const foreign = await getJSON(`/api/access/team-a/plan?token=${t}`, {
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(foreign.res.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await getJSON(`/api/access/team-a/plan?token=${t}`, {
      origin: 'https://app.example',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.res.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});
