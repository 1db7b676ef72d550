/**
 * The built CLI as an operator starts it: `--metrics-port` serves /metrics apart (and says
 * where), the editing port answers 404 for it, and the log lines are JSON objects (info on
 * stdout).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer, tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import { parsePrometheusText } from './prometheus-text.js';

describe('quire-server --metrics-port --log-format json', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('serves metrics on their own port and logs JSON lines', async () => {
    const proc = await spawnServer([
      ...['--port', '0', '--metrics-port', '0', '--data', dir.path],
      ...['--log-format', 'json', '--log-level', 'info'],
    ]);
    let stdout = '';
    let stderr = '';
    proc.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(() => /Quire metrics on /.test(proc.output()), 5_000, 'the metrics line');
      const metricsUrl = /Quire metrics on (http:\/\/\S+)/.exec(proc.output())![1]!;
      const metrics = await fetch(metricsUrl);
      expect(metrics.status).toBe(200);
      expect(parsePrometheusText(await metrics.text()).has('quire_connections')).toBe(true);
      expect((await fetch(`http://127.0.0.1:${proc.port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${proc.port}/readyz`)).status).toBe(200);
    } finally {
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    }
    const json = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; msg: string });
    const all = json(proc.output());
    expect(all.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['server started', 'shutting down', 'shutdown complete']),
    );
    // Open mode (no --secret) is said once, by the banner (cli-auth.test.ts): no warn line
    // repeats it; the start line names it as its auth state.
    expect(all.filter((l) => l.level === 'warn')).toEqual([]);
    expect(all.find((l) => l.msg === 'server started')).toMatchObject({
      auth: 'open mode (no --secret)',
    });
    // What was written once the test listened (the shutdown): info on stdout, none on stderr.
    expect(json(stdout).map((l) => l.msg)).toContain('shutdown complete');
    expect(json(stderr)).toEqual([]);
  });
});
