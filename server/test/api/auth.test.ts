/**
 * The document API under auth: with `--secret`, every call needs a Bearer token, `ro` to read
 * and `rw` to write, for the document or a prefix; 401 and 403 as at the upgrade. An
 * `authorize` hook decides API calls the way it decides sockets. Refusals change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  AccessDeniedError,
  MemoryStorage,
  signToken,
  type UpgradeRequest,
} from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { api, docPath, jsonRequest, type ApiRequest } from './api-client.js';

const SECRET = 'a-document-api-test-secret-long-enough-42';

describe('document API with tokens', () => {
  let running: RunningServer;
  const token = (
    doc: string,
    mode: 'rw' | 'ro',
    extra: { ttlSeconds?: number; now?: number } = {},
  ) => signToken({ secret: SECRET, doc, mode, sub: `${mode}-user`, ...extra });
  const call = (path: string, req?: ApiRequest) => api(running.httpUrl, path, req);

  beforeAll(async () => {
    running = await startServer({ storage: new MemoryStorage(), secret: SECRET });
    const admin = await token('*', 'rw');
    for (const name of ['team/plan', 'team/notes', 'other/secret']) {
      const res = await call(
        '/api/docs',
        jsonRequest('POST', { name, text: `${name} text` }, admin),
      );
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => running.close());

  /** Every route for `name`, as [label, path, request, access needed]. */
  const routes = (name: string, tok?: string) => {
    const auth = tok ? { token: tok } : {};
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    return [
      ['GET text', docPath(name, '/text'), { ...auth }, 'ro'],
      ['GET update', docPath(name, '/update'), { ...auth }, 'ro'],
      [
        'PUT text',
        docPath(name, '/text'),
        { method: 'PUT', body: `${name} text`, type: 'text/plain', ...auth },
        'rw',
      ],
      [
        'POST update',
        docPath(name, '/update'),
        { method: 'POST', body: update, type: 'application/octet-stream', ...auth },
        'rw',
      ],
      ['POST restore', docPath(name, '/restore'), { method: 'POST', ...auth }, 'rw'],
      ['DELETE', docPath(name), { method: 'DELETE', ...auth }, 'rw'],
    ] as const;
  };

  it('answers 401 without a token, with a forged one, and with an expired one', async () => {
    const forged = `${(await token('*', 'rw')).slice(0, -4)}AAAA`;
    const expired = await token('*', 'rw', { ttlSeconds: 60, now: Date.now() - 3_600_000 });
    for (const tok of [undefined, 'not-a-jwt', forged, expired]) {
      for (const [label, path, req] of routes('team/plan', tok)) {
        const res = await call(path, req);
        expect(res.status, `${label} with ${String(tok).slice(0, 12)}`).toBe(401);
      }
      expect((await call('/api/docs', jsonRequest('POST', { name: 'team/new' }, tok))).status).toBe(
        401,
      );
    }
    expect(
      (await call(docPath('team/plan', '/text'), { token: await token('team/plan', 'rw') })).text,
    ).toBe('team/plan text');
  });

  it('answers 403 for a token naming another document or prefix', async () => {
    for (const tok of [await token('other/secret', 'rw'), await token('other/*', 'rw')]) {
      for (const [label, path, req] of routes('team/plan', tok)) {
        expect((await call(path, req)).status, label).toBe(403);
      }
      expect((await call('/api/docs', jsonRequest('POST', { name: 'team/new' }, tok))).status).toBe(
        403,
      );
    }
  });

  it('lets a ro token read and refuses its writes with 403', async () => {
    const ro = await token('team/plan', 'ro');
    for (const [label, path, req, need] of routes('team/plan', ro)) {
      const res = await call(path, req);
      expect(res.status, label).toBe(need === 'ro' ? 200 : 403);
      if (need === 'rw') expect(res.json.error, label).toMatch(/read-only/);
    }
    expect((await call('/api/docs', jsonRequest('POST', { name: 'team/new' }, ro))).status).toBe(
      403,
    );
    expect((await call(docPath('team/plan', '/text'), { token: ro })).text).toBe('team/plan text');
  });

  it('lets a rw prefix token do everything within its prefix', async () => {
    const rw = await token('team/*', 'rw');
    const put = await call(docPath('team/notes', '/text'), {
      method: 'PUT',
      body: 'rewritten',
      type: 'text/plain',
      token: rw,
    });
    expect(put.status).toBe(200);
    expect((await call(docPath('team/notes', '/text'), { token: rw })).text).toBe('rewritten');
    expect(
      (await call('/api/docs', jsonRequest('POST', { name: 'team/new', text: 'n' }, rw))).status,
    ).toBe(201);
    expect((await call(docPath('team/new'), { method: 'DELETE', token: rw })).status).toBe(204);
    expect(
      (await call(docPath('team/new', '/restore'), { method: 'POST', token: rw })).status,
    ).toBe(204);
    expect((await call(docPath('team/new', '/text'), { token: rw })).text).toBe('n');
    // The listing shows only what the token may open.
    const list = await call('/api/docs', { token: rw });
    expect(list.json.docs.map((d: { name: string }) => d.name).sort()).toEqual([
      'team/new',
      'team/notes',
      'team/plan',
    ]);
  });

  it('serves the OpenAPI description without a token (it holds no document data)', async () => {
    expect((await call('/api/openapi.json')).status).toBe(200);
  });

  it('changed nothing on any refusal', async () => {
    const admin = await token('*', 'rw');
    expect((await call(docPath('team/plan', '/text'), { token: admin })).text).toBe(
      'team/plan text',
    );
    expect((await call(docPath('other/secret', '/text'), { token: admin })).text).toBe(
      'other/secret text',
    );
  });
});

describe('document API with an authorize hook', () => {
  it('decides API calls as it decides sockets, with the name from the path', async () => {
    const seen: string[] = [];
    const authorize = (request: UpgradeRequest) => {
      seen.push(request.docName);
      if (request.headers['x-user'] === 'editor')
        return { mode: 'rw' as const, principal: 'editor' };
      if (request.headers['x-user'] === 'viewer')
        return { mode: 'ro' as const, principal: 'viewer' };
      throw new AccessDeniedError(401, 'who are you');
    };
    const running = await startServer({ storage: new MemoryStorage(), authorize });
    const as = (user: string): ApiRequest => ({ headers: { 'x-user': user } });
    const created = await api(running.httpUrl, '/api/docs', {
      ...jsonRequest('POST', { name: 'Caf\u0065\u0301', text: 'é' }),
      ...as('editor'),
    });
    expect(created.status).toBe(201);
    expect(seen).toEqual(['Caf\u00e9']);
    expect((await api(running.httpUrl, docPath('Café', '/text'), as('viewer'))).text).toBe('é');
    expect(
      (
        await api(running.httpUrl, docPath('Café', '/text'), {
          method: 'PUT',
          body: 'x',
          type: 'text/plain',
          ...as('viewer'),
        })
      ).status,
    ).toBe(403);
    const stranger = await api(running.httpUrl, docPath('Café', '/text'), as('nobody'));
    expect([stranger.status, stranger.json.error]).toEqual([401, 'who are you']);
    expect(seen.every((name) => name === 'Café')).toBe(true);
  });
});
