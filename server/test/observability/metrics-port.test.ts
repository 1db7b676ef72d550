/**
 * The metrics port (metricsPort / --metrics-port): /metrics, /healthz and /readyz on a listener
 * of their own, and no /metrics on the editing port; the probes stay on both. Its options and
 * flags are checked like every other: a bad value is refused, naming the fix.
 */
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, MemoryStorage, resolveOptions } from '../../src/index.js';
import { parseServeArgs, UsageError } from '../../src/cli.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

describe('the metrics port', () => {
  let running: RunningServer;
  let metricsUrl: string;

  beforeAll(async () => {
    running = await startServer({ storage: new MemoryStorage(), metricsPort: 0 });
    const at = await running.server.listenMetrics();
    metricsUrl = at!.url;
  });
  afterAll(async () => {
    await running.close();
  });

  it('serves /metrics there, and the editing port answers 404 for it', async () => {
    const client = stockClient(running.wsUrl, 'notes');
    try {
      await waitSynced(client);
      const res = await fetch(`${metricsUrl}/metrics`);
      expect(res.status).toBe(200);
      const families = parsePrometheusText(await res.text());
      expect(sampleValue(families, 'quire_connections')).toBe(1);
      const editing = await fetch(`${running.httpUrl}/metrics`);
      expect(editing.status).toBe(404);
      expect(await editing.text()).not.toContain('quire_');
    } finally {
      client.destroy();
    }
  });

  it('answers /healthz and /readyz on both ports, and nothing else on the metrics port', async () => {
    for (const base of [metricsUrl, running.httpUrl]) {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ready: true, checks: { storage: 'ok' } });
    }
    expect((await fetch(`${metricsUrl}/api/docs`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/`)).status).toBe(404);
    expect((await fetch(`${metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('listen() starts it too and says where', async () => {
    const { createQuireServer, silentLogger } = await import('../../src/index.js');
    const server = createQuireServer({
      port: 0,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      storage: new MemoryStorage(),
      staticDir: false,
      logger: silentLogger,
    });
    try {
      const address = await server.listen();
      expect(address.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(address.metricsUrl).not.toBe(address.url);
      expect((await fetch(`${address.metricsUrl}/metrics`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('listen() rejects naming the metrics port when it is taken', async () => {
    const { createQuireServer, silentLogger } = await import('../../src/index.js');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    const server = createQuireServer({
      port: 0,
      metricsPort: port,
      storage: new MemoryStorage(),
      staticDir: false,
      logger: silentLogger,
    });
    try {
      await expect(server.listen()).rejects.toThrow(
        new RegExp(`the metrics port 127\\.0\\.0\\.1:${port} \\(--metrics-port\\): .*EADDRINUSE`),
      );
    } finally {
      await server.close();
      taken.close();
    }
  });

  it('refuses a bad metricsPort or an empty metricsHost', () => {
    expect(() => resolveOptions({ metricsPort: 70_000 })).toThrow(ConfigError);
    expect(() => resolveOptions({ port: 9000, metricsPort: 9000 })).toThrow(/editing port/);
    expect(() => resolveOptions({ metricsPort: 9464, metricsHost: ' ' })).toThrow(/metricsHost/);
    expect(resolveOptions({ host: '10.0.0.1' })).toMatchObject({
      metricsPort: null,
      metricsHost: '10.0.0.1',
    });
  });

  it('takes --metrics-port, --metrics-host and --log-format, or their QUIRE_ variables', () => {
    const args = parseServeArgs(
      ['--metrics-port', '9464', '--metrics-host', '10.0.0.5', '--log-format', 'pretty'],
      {},
    );
    expect(args).toMatchObject({ metricsPort: 9464, metricsHost: '10.0.0.5', logFormat: 'pretty' });
    const fromEnv = parseServeArgs([], {
      QUIRE_METRICS_PORT: '9100',
      QUIRE_METRICS_HOST: '127.0.0.1',
      QUIRE_LOG_FORMAT: 'json',
    });
    expect(fromEnv).toMatchObject({ metricsPort: 9100, metricsHost: '127.0.0.1' });
    expect(parseServeArgs([], {})).not.toHaveProperty('metricsPort');
  });

  it.each([
    [['--metrics-port', 'abc'], /--metrics-port .*"abc" is not a port number/],
    [['--metrics-port', '65536'], /--metrics-port/],
    [['--metrics-host', '10.0.0.5'], /needs --metrics-port/],
    [['--log-format', 'xml'], /--log-format .*"xml" must be one of json, pretty/],
  ])('refuses %j naming the fix', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(UsageError);
    expect(() => parseServeArgs(argv, {})).toThrow(message);
  });
});
