/**
 * The light histogram of hot paths writes exactly what prom-client's Histogram writes for the
 * same observations (bucket edges inclusive, cumulative counts, +Inf, sum, count).
 */
import { describe, expect, it } from 'vitest';
import { Histogram, Registry } from 'prom-client';
import { LightHistogram } from '../../src/observability/light-histogram.js';

describe('LightHistogram', () => {
  it("matches prom-client's Histogram line for line", async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const theirs = new Registry();
    const ours = new Registry();
    const reference = new Histogram({
      name: 'h',
      help: 'a histogram',
      buckets,
      registers: [theirs],
    });
    const light = new LightHistogram('h', 'a histogram', buckets, ours);
    for (const value of [0, 0.001, 0.0011, 0.05, 0.1, 0.5, 1, 7, 1e9]) {
      reference.observe(value);
      light.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    // Reset, it reads like a histogram never observed (prom-client's own reset() shows no
    // lines at all until the next observation; a fresh one shows zeros).
    light.reset();
    const fresh = new Registry();
    new Histogram({ name: 'h', help: 'a histogram', buckets, registers: [fresh] });
    expect(await ours.metrics()).toBe(await fresh.metrics());
  });

  it('times what a timer covers, in seconds', async () => {
    const registry = new Registry();
    const light = new LightHistogram('t_seconds', 'time', [0.001, 10], registry);
    const done = light.startTimer();
    await new Promise((resolve) => setTimeout(resolve, 5));
    done();
    const text = await registry.metrics();
    expect(text).toMatch(/^t_seconds_bucket\{le="0\.001"\} 0$/m);
    expect(text).toMatch(/^t_seconds_bucket\{le="10"\} 1$/m);
    expect(Number(/^t_seconds_sum (\S+)$/m.exec(text)?.[1])).toBeGreaterThan(0.004);
  });
});
