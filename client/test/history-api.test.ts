import { describe, expect, it } from 'vitest';
import {
  apiOrigin,
  createHistoryApi,
  HistoryApiError,
  parseVersions,
  versionUrls,
} from '../src/history/api.js';

describe('history API URLs', () => {
  it('maps the WebSocket server URL to the HTTP origin, dropping any path prefix', () => {
    expect(apiOrigin('ws://127.0.0.1:1234')).toBe('http://127.0.0.1:1234');
    expect(apiOrigin('wss://docs.example/collab/')).toBe('https://docs.example');
    expect(apiOrigin('https://docs.example')).toBe('https://docs.example');
    expect(apiOrigin('http://localhost:8080/')).toBe('http://localhost:8080');
  });

  it('encodes each segment of the document name and the version id', () => {
    const urls = versionUrls('ws://h:1', 'team/café notes');
    expect(urls.list).toBe('http://h:1/api/docs/team/caf%C3%A9%20notes/versions');
    expect(urls.currentText).toBe('http://h:1/api/docs/team/caf%C3%A9%20notes/text');
    expect(urls.versionText('a/b?c')).toBe(
      'http://h:1/api/docs/team/caf%C3%A9%20notes/versions/a%2Fb%3Fc/text',
    );
    expect(urls.restore('42')).toBe(
      'http://h:1/api/docs/team/caf%C3%A9%20notes/versions/42/restore',
    );
  });
});

describe('parseVersions', () => {
  it('keeps well-formed entries, newest first, and drops what cannot be shown', () => {
    const parsed = parseVersions([
      { id: 1, createdAt: 1000, kind: 'auto', authors: ['Ada', 7, { name: 'Bob' }, ''] },
      { id: 'b', createdAt: 3000, kind: 'manual', label: 'Draft' },
      { id: 'c', createdAt: 'not a date', kind: 'auto' },
      { createdAt: 5000 },
      null,
      { id: 'd', createdAt: '1970-01-01T00:00:02.000Z', label: 42 },
    ]);
    expect(parsed).toEqual([
      { id: 'b', createdAt: 3000, kind: 'manual', label: 'Draft' },
      { id: 'd', createdAt: 2000, kind: 'auto' },
      { id: '1', createdAt: 1000, kind: 'auto', authors: ['Ada', 'Bob'] },
    ]);
  });

  it('refuses a body that is not a list', () => {
    expect(() => parseVersions({ versions: [] })).toThrow(HistoryApiError);
  });
});

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function recorder(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit = {}) => {
    const call = {
      url,
      method: init.method ?? 'GET',
      headers: (init.headers ?? {}) as Record<string, string>,
      body: init.body,
    };
    calls.push(call);
    return respond(call);
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

describe('createHistoryApi', () => {
  it('sends the token as a Bearer header, never in the URL', async () => {
    const { calls, fetchImpl } = recorder(() => Response.json([]));
    const api = createHistoryApi({
      serverUrl: 'ws://h:1',
      docName: 'a/b',
      token: 'tok.en',
      fetch: fetchImpl,
    });
    await api.list();
    expect(calls[0]?.url).toBe('http://h:1/api/docs/a/b/versions');
    expect(calls[0]?.headers.Authorization).toBe('Bearer tok.en');
    expect(calls[0]?.url).not.toContain('tok.en');
  });

  it('sends no Authorization header without a token', async () => {
    const { calls, fetchImpl } = recorder(() => new Response('hello'));
    const api = createHistoryApi({ serverUrl: 'ws://h:1', docName: 'x', fetch: fetchImpl });
    expect(await api.versionText('7')).toBe('hello');
    expect(calls[0]?.headers.Authorization).toBeUndefined();
  });

  it('saves a labelled version with a JSON POST and returns its id', async () => {
    const { calls, fetchImpl } = recorder(() => Response.json({ id: 12 }, { status: 201 }));
    const api = createHistoryApi({ serverUrl: 'ws://h:1', docName: 'x', fetch: fetchImpl });
    expect(await api.save('Sent for review')).toBe('12');
    expect(calls[0]).toMatchObject({
      url: 'http://h:1/api/docs/x/versions',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"label":"Sent for review"}',
    });
  });

  it('restores with a POST to the version', async () => {
    const { calls, fetchImpl } = recorder(() => Response.json({}));
    const api = createHistoryApi({ serverUrl: 'wss://h', docName: 'x', fetch: fetchImpl });
    await api.restore('v 1');
    expect(calls[0]).toMatchObject({
      url: 'https://h/api/docs/x/versions/v%201/restore',
      method: 'POST',
    });
  });

  it('reads a missing document as no versions, and explains refusals', async () => {
    const statuses = [404, 403, 401, 500];
    const { fetchImpl } = recorder(() =>
      Response.json({ error: 'read-only token' }, { status: statuses.shift() }),
    );
    const api = createHistoryApi({ serverUrl: 'ws://h:1', docName: 'x', fetch: fetchImpl });
    expect(await api.list()).toEqual([]);
    await expect(api.restore('1')).rejects.toMatchObject({
      status: 403,
      message: 'You do not have permission to do this (read-only token).',
    });
    await expect(api.save('x')).rejects.toMatchObject({ status: 401 });
    await expect(api.versionText('1')).rejects.toMatchObject({
      status: 500,
      message: 'The server refused the request: HTTP 500 (read-only token).',
    });
  });

  it('says so when the server keeps no versions at all', async () => {
    const { fetchImpl } = recorder(() => Response.json({ error: 'no history' }, { status: 501 }));
    const api = createHistoryApi({ serverUrl: 'ws://h:1', docName: 'x', fetch: fetchImpl });
    await expect(api.list()).rejects.toMatchObject({
      status: 501,
      message: 'This server keeps no version history (its storage has no version store).',
    });
  });

  it('says the server cannot be reached when fetch itself fails', async () => {
    const fetchImpl = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const api = createHistoryApi({ serverUrl: 'ws://h:1', docName: 'x', fetch: fetchImpl });
    await expect(api.list()).rejects.toMatchObject({ status: 0 });
  });
});
