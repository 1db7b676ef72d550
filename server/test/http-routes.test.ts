/** HTTP on the WebSocket port: probes, metrics, the document list and the demo app's files. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { MemoryStorage } from '../src/index.js';
import { startServer, tempDir, type RunningServer } from './helpers/server.js';
import { stockClient, waitFor, waitSynced } from './helpers/clients.js';

/** A raw GET, so paths such as /../x reach the server unnormalized (fetch would resolve them). */
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP routes', () => {
  const site = tempDir('quire-static-');
  let running: RunningServer;

  beforeAll(async () => {
    mkdirSync(join(site.path, 'assets'));
    writeFileSync(join(site.path, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(site.path, 'embed.html'), '<!doctype html><title>embed</title>');
    writeFileSync(join(site.path, 'assets', 'app-1234.js'), 'console.log(1)');
    running = await startServer({ storage: new MemoryStorage(), staticDir: site.path });
  });
  afterAll(async () => {
    await running.close();
    site.remove();
  });

  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${running.httpUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${running.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('lists stored documents, newest first, in /api/docs', async () => {
    const older = stockClient(running.wsUrl, 'older');
    await waitSynced(older);
    const persisted = running.server.metrics.updatesPersisted;
    older.text.insert(0, 'a');
    await waitFor(() => running.server.metrics.updatesPersisted > persisted, 5_000, 'older stored');
    // Distinct update times on purpose: the list orders by them.
    await new Promise((r) => setTimeout(r, 5));
    const newer = stockClient(running.wsUrl, 'team/newer');
    await waitSynced(newer);
    newer.text.insert(0, 'bb');
    await waitFor(() => running.server.metrics.updatesPersisted >= persisted + 2);
    const { docs } = (await (await fetch(`${running.httpUrl}/api/docs`)).json()) as {
      docs: { name: string; size: number; updatedAt: number }[];
    };
    expect(docs.map((d) => d.name)).toEqual(['team/newer', 'older']);
    expect(docs.every((d) => d.size > 0 && d.updatedAt > 0)).toBe(true);
    older.destroy();
    newer.destroy();
  });

  it('pages /api/docs with prefix, limit and cursor, and refuses bad paging values with 400', async () => {
    const writers = ['page/a', 'page/b', 'page/c', 'other'].map((doc) =>
      stockClient(running.wsUrl, doc),
    );
    for (const w of writers) {
      await waitSynced(w);
      w.text.insert(0, 'x');
      await new Promise((r) => setTimeout(r, 5)); // distinct update times
    }
    await waitFor(() => running.server.metrics.updatesPersisted >= 6);
    const page = async (query: string) =>
      (await (await fetch(`${running.httpUrl}/api/docs?${query}`)).json()) as {
        docs: { name: string }[];
        next: string | null;
      };
    const first = await page('prefix=page/&limit=2');
    expect(first.docs.map((d) => d.name)).toEqual(['page/c', 'page/b']);
    expect(first.next).not.toBeNull();
    const second = await page(`prefix=page/&limit=2&cursor=${first.next}`);
    expect(second.docs.map((d) => d.name)).toEqual(['page/a']);
    expect(second.next).toBeNull();
    for (const bad of ['limit=0', 'limit=1001', 'limit=x', 'cursor=garbage']) {
      expect((await fetch(`${running.httpUrl}/api/docs?${bad}`)).status).toBe(400);
    }
    for (const w of writers) w.destroy();
  });

  it('exposes Prometheus metrics without document names', async () => {
    const text = await (await fetch(`${running.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^quire_connections \d+$/m);
    expect(text).toMatch(/^quire_updates_persisted_total \d+$/m);
    expect(text).not.toContain('team/newer');
  });

  it('serves the app for / and for document pages, including names with a dot', async () => {
    for (const path of ['/', '/d/notes', '/d/readme.md', '/d/team/v1.2']) {
      const res = await rawGet(running.port, path);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toContain('<title>app</title>');
    }
    expect((await rawGet(running.port, '/embed.html')).body).toContain('<title>embed</title>');
  });

  it('caches hashed assets for a year and pages not at all', async () => {
    const asset = await fetch(`${running.httpUrl}/assets/app-1234.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
    const page = await fetch(`${running.httpUrl}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
  });

  it('never serves files outside the static directory', async () => {
    for (const path of [
      '/../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/assets/..%2f..%2fetc%2fpasswd',
    ]) {
      const res = await rawGet(running.port, path);
      expect(res.body, path).not.toContain('root:');
    }
    expect((await rawGet(running.port, '/missing.js')).status).toBe(404);
    expect((await rawGet(running.port, '/api/nothing')).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD outside the API, and unknown methods in it', async () => {
    const post = await fetch(`${running.httpUrl}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    // /api/docs takes GET and POST (the document API); nothing else.
    const put = await fetch(`${running.httpUrl}/api/docs`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
  });
});
