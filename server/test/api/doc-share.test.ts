/**
 * POST /api/docs/<name>/share: a rw grant mints a view-only (or editing) link token for exactly
 * this document, within the documented lifetime bounds; a ro token mints nothing; an editing
 * link never outlives the minter's token; an open server answers 501 and says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, signToken, verifyToken } from '../../src/index.js';
import { MAX_SHARE_TTL_SECONDS } from '../../src/http/api/doc-share.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { api, docPath, jsonRequest } from './api-client.js';

const SECRET = 'share-test-secret-0123456789abcdefgh';

describe('POST /api/docs/<name>/share with a secret', () => {
  let running: RunningServer;
  const dir = tempDir('quire-share-');
  let rw: string;
  const share = (name: string, body: unknown, token: string) =>
    api(running.httpUrl, docPath(name, '/share'), jsonRequest('POST', body, token));

  beforeAll(async () => {
    running = await startServer({ dataDir: dir.path, secret: SECRET });
    rw = await signToken({
      secret: SECRET,
      doc: 'team/*',
      mode: 'rw',
      sub: 'sam',
      ttlSeconds: 600,
    });
    const created = await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'team/plan', text: 'the plan' }, rw),
    );
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await running.close();
    dir.remove();
  });

  it('mints a view-only link for this document only, which reads but cannot write or mint', async () => {
    const before = Date.now();
    const res = await share('team/plan', { mode: 'ro', ttlSeconds: 86_400 }, rw);
    expect(res.status).toBe(201);
    const { token, expiresAt, path, mode } = res.json;
    expect(mode).toBe('ro');
    expect(path).toBe(`/d/team/plan?token=${encodeURIComponent(token)}`);
    expect(token).not.toBe(rw);
    // A view-only link may outlive the minter's 10-minute token.
    expect(expiresAt).toBeGreaterThanOrEqual(before + 86_399_000);
    const claims = await verifyToken(SECRET, token);
    expect(claims).toMatchObject({ doc: 'team/plan', mode: 'ro', sub: 'link:sam' });
    const read = await api(running.httpUrl, docPath('team/plan', '/text'), { token });
    expect(read.text).toBe('the plan');
    const write = await api(running.httpUrl, docPath('team/plan', '/text'), {
      method: 'PUT',
      body: 'vandalised',
      type: 'text/plain',
      token,
    });
    expect(write.status).toBe(403);
    expect((await share('team/plan', { mode: 'ro' }, token)).status).toBe(403);
    expect((await share('team/plan', { mode: 'rw' }, token)).status).toBe(403);
    expect((await api(running.httpUrl, docPath('team/other', '/text'), { token })).status).toBe(
      403,
    );
  });

  it('cuts an editing link to the minter’s own expiry', async () => {
    const res = await share('team/plan', { mode: 'rw', ttlSeconds: MAX_SHARE_TTL_SECONDS }, rw);
    expect(res.status).toBe(201);
    const claims = await verifyToken(SECRET, res.json.token);
    const own = await verifyToken(SECRET, rw);
    expect(claims.mode).toBe('rw');
    expect(claims.doc).toBe('team/plan');
    expect(claims.exp).toBeLessThanOrEqual(own.exp + 5);
  });

  it('refuses lifetimes out of bounds, bad modes, no token, a missing document', async () => {
    for (const ttlSeconds of [59, MAX_SHARE_TTL_SECONDS + 1, 3.5, '3600']) {
      expect((await share('team/plan', { mode: 'ro', ttlSeconds }, rw)).status).toBe(400);
    }
    expect((await share('team/plan', { mode: 'admin' }, rw)).status).toBe(400);
    expect((await share('team/plan', [], rw)).status).toBe(400);
    expect((await share('team/none', { mode: 'ro' }, rw)).status).toBe(404);
    const anonymous = await api(
      running.httpUrl,
      docPath('team/plan', '/share'),
      jsonRequest('POST', { mode: 'ro' }),
    );
    expect(anonymous.status).toBe(401);
  });
});

describe('POST /api/docs/<name>/share on an open server', () => {
  it('answers 501 and says that view-only links need a secret', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    try {
      await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'open' }));
      const res = await api(
        running.httpUrl,
        docPath('open', '/share'),
        jsonRequest('POST', { mode: 'ro', ttlSeconds: 3_600 }),
      );
      expect(res.status).toBe(501);
      expect(res.json.error).toMatch(/--secret/);
      expect(res.json.error).toMatch(/view=1/);
    } finally {
      await running.close();
    }
  });
});
