/** The library API: attach to an existing HTTP server, mount the routes, and option validation. */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  createQuireServer,
  MemoryStorage,
  resolveOptions,
  silentLogger,
} from '../src/index.js';
import { stockClient, waitFor, waitSynced } from './helpers/clients.js';

describe('library API', () => {
  it('attaches to an existing http.Server next to the embedder own routes', async () => {
    const storage = new MemoryStorage();
    const quire = createQuireServer({ storage, logger: silentLogger, staticDir: false });
    const http = createServer((req, res) => {
      if (req.url === '/hello') return res.end('from the embedder');
      quire.handleRequest(req, res);
    });
    quire.attach(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).text()).toBe(
        'from the embedder',
      );
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const a = stockClient(`ws://127.0.0.1:${port}`, 'attached');
      const b = stockClient(`ws://127.0.0.1:${port}`, 'attached');
      await Promise.all([waitSynced(a), waitSynced(b)]);
      a.text.insert(0, 'through an attached server');
      await waitFor(() => b.text.toString() === 'through an attached server');
      expect((await storage.list()).map((d) => d.name)).toEqual(['attached']);
      a.destroy();
      b.destroy();
    } finally {
      await quire.close();
      await new Promise((resolve) => http.close(resolve));
    }
    // close() closed the store it was given.
    await expect(storage.list()).rejects.toThrow(/closed/);
  });

  it('names every bad option at once in one ConfigError', () => {
    let error: unknown;
    try {
      resolveOptions({ port: 70000, host: ' ', maxConnections: 0, allowOrigins: ['evil'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/port 70000/);
    expect(problems).toMatch(/host is empty/);
    expect(problems).toMatch(/maxConnections/);
    expect(problems).toMatch(/allowed origin "evil"/);
  });

  it('documents its defaults in the resolved options', () => {
    const options = resolveOptions({});
    expect(options).toMatchObject({
      port: 1234,
      host: '127.0.0.1',
      heartbeatIntervalMs: 30_000,
      compactAfterUpdates: 500,
      maxMessageBytes: 16 * 1024 * 1024,
      maxNewDocumentsPerMinute: 120,
    });
  });
});
