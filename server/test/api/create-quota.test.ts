/**
 * POST /api/docs pays the new-documents-per-minute quota (maxNewDocumentsPerMinute) that
 * WebSocket writers pay, from the same budget: over it, 429 with Retry-After and a log line
 * saying who paid. A create that did not happen (409) costs nothing. Loopback is exempt by
 * default (ipCapExemptAddresses), so these servers exempt nobody.
 */
import { CloseCode } from '@quire/shared';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { startServer } from '../helpers/server.js';
import { recordingLogger } from '../persistence/fakes.js';
import { api, jsonRequest } from './api-client.js';

/** `user`: the token subject the authorize hook below gives (none: the address pays). */
const create = (url: string, name: string, user?: string) =>
  api(
    url,
    user === undefined ? '/api/docs' : `/api/docs?user=${user}`,
    jsonRequest('POST', { name, text: `# ${name}` }),
  );

/** A principal per `?user=` (for sockets and API calls alike). */
const byUserParam = {
  authorize: (request: { url: URL }) => ({
    mode: 'rw' as const,
    principal: request.url.searchParams.get('user') ?? undefined,
  }),
};

/** Resolves with the code of the first close the server sends `client` (rejects after 5 s). */
function firstClose(client: ReturnType<typeof stockClient>): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the writer was not closed in 5 s')), 5_000);
    client.provider.on('connection-close', (event: { code: number } | null) => {
      if (!event) return;
      clearTimeout(timer);
      resolve(event.code);
    });
  });
}

describe('POST /api/docs and the new-documents quota', () => {
  it('answers 429 with Retry-After past the quota, logs who paid, and a 409 costs nothing', async () => {
    const logger = recordingLogger();
    const { httpUrl } = await startServer({
      storage: new MemoryStorage(),
      maxNewDocumentsPerMinute: 2,
      ipCapExemptAddresses: [],
      logger,
    });
    expect((await create(httpUrl, 'one')).status).toBe(201);
    expect((await create(httpUrl, 'one')).status).toBe(409);
    expect((await create(httpUrl, 'two')).status).toBe(201);
    const refused = await create(httpUrl, 'three');
    expect(refused.status).toBe(429);
    expect(refused.json.error).toMatch(
      /^too many new documents \(at most 2 a minute\); retry in \d+ s$/,
    );
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await api(httpUrl, '/api/docs/three/text')).status).toBe(404);
    const line = logger.lines.find((l) => l.fields?.status === 429);
    expect(line).toMatchObject({
      level: 'warn',
      message: 'api request refused',
      fields: { doc: 'three', quota: 'ip', limit: 2, remote: '127.0.0.1' },
    });
  });

  it('charges the token subject when there is one, each with its own quota', async () => {
    const { httpUrl } = await startServer({
      storage: new MemoryStorage(),
      maxNewDocumentsPerMinute: 1,
      ipCapExemptAddresses: [],
      ...byUserParam,
    });
    expect((await create(httpUrl, 'a-1', 'alice')).status).toBe(201);
    expect((await create(httpUrl, 'a-2', 'alice')).status).toBe(429);
    // Same address, another subject: its own quota.
    expect((await create(httpUrl, 'b-1', 'bob')).status).toBe(201);
  });

  it('shares the budget with WebSocket writers, both ways', async () => {
    const { httpUrl, wsUrl } = await startServer({
      storage: new MemoryStorage(),
      maxNewDocumentsPerMinute: 1,
      ipCapExemptAddresses: [],
      ...byUserParam,
    });
    // The address's one creation, over HTTP: a socket writer from it is then refused (1013).
    expect((await create(httpUrl, 'over-http')).status).toBe(201);
    const writer = stockClient(wsUrl, 'over-ws');
    const closed = firstClose(writer);
    try {
      await waitSynced(writer);
      writer.text.insert(0, 'a new document');
      expect(await closed).toBe(CloseCode.TryAgainLater);
    } finally {
      writer.destroy();
    }
    // A subject's one creation, over WebSocket: its HTTP create is then refused (429).
    const typist = stockClient(wsUrl, 'typed-by-carol', { params: { user: 'carol' } });
    try {
      await waitSynced(typist);
      typist.text.insert(0, 'typed');
      await waitFor(
        async () => (await api(httpUrl, '/api/docs/typed-by-carol/update')).status === 200,
        5_000,
        'the typed document to be stored',
      );
    } finally {
      typist.destroy();
    }
    expect((await create(httpUrl, 'carol-over-http', 'carol')).status).toBe(429);
  });
});
