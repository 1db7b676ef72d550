/**
 * The document API at the edges of HTTP: CORS preflights, rooms the API loads unloading again,
 * and request bodies that are cut off or streamed past the limit.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import { api, docPath, jsonRequest } from './api-client.js';

describe('CORS for the document API', () => {
  it('answers a preflight from an allowed origin, and not from another', async () => {
    const running = await startServer({
      storage: new MemoryStorage(),
      allowOrigins: ['https://app.example'],
    });
    const preflight = (origin: string) =>
      api(running.httpUrl, '/api/docs/plan/text', { method: 'OPTIONS', headers: { origin } });
    const allowed = await preflight('https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-methods')).toBe('GET, PUT');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // And a real call from a disallowed origin is refused, as at the upgrade.
    const refused = await api(running.httpUrl, '/api/docs/plan/text', {
      headers: { origin: 'https://evil.example' },
    });
    expect(refused.status).toBe(403);
  });
});

describe('rooms the API loads', () => {
  it('unload after the grace period once the call is done', async () => {
    const running = await startServer({ storage: new MemoryStorage(), roomUnloadGraceMs: 20 });
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'visited', text: 'v' }));
    await waitFor(() => !running.server.loadedDocuments().includes('visited'), 5_000, 'unload');
    expect((await api(running.httpUrl, docPath('visited', '/text'))).text).toBe('v');
    await waitFor(() => !running.server.loadedDocuments().includes('visited'), 5_000, 'unload');
    const put = await api(running.httpUrl, docPath('visited', '/text'), {
      method: 'PUT',
      body: 'w',
      type: 'text/plain',
    });
    expect(put.status).toBe(200);
    await waitFor(() => !running.server.loadedDocuments().includes('visited'), 5_000, 'unload');
    expect((await api(running.httpUrl, docPath('visited', '/text'))).text).toBe('w');
  });
});

describe('request bodies', () => {
  it('cost nothing when the client goes away mid-body', async () => {
    const { request } = await import('node:http');
    const running = await startServer({ storage: new MemoryStorage() });
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'half', text: 'kept' }));
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: running.port,
        method: 'PUT',
        path: '/api/docs/half/text',
        headers: { 'content-type': 'text/plain', 'content-length': '1000' },
      });
      req.on('error', () => resolve());
      req.write('only part of it', () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    expect((await api(running.httpUrl, docPath('half', '/text'))).text).toBe('kept');
  });
});

describe('streamed bodies', () => {
  it('are refused with 413 as soon as they pass the limit, without a declared length', async () => {
    const { request } = await import('node:http');
    const running = await startServer({ storage: new MemoryStorage(), maxMessageBytes: 64 * 1024 });
    await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'streamed', text: 'kept' }),
    );
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: running.port,
          method: 'PUT',
          path: '/api/docs/streamed/text',
          headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      const chunk = 'x'.repeat(16 * 1024);
      // Keeps sending until the server answers: 413 must come before the body ends.
      const pump = () => {
        if (req.destroyed) return;
        req.write(chunk, () => setImmediate(pump));
      };
      pump();
    });
    expect(status).toBe(413);
    expect((await api(running.httpUrl, docPath('streamed', '/text'))).text).toBe('kept');
  });
});
