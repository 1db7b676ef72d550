/**
 * One slow consumer in a busy room: a reader stops reading its socket while typists type fast and
 * paste often. Measures latency for everyone else and server memory growth; afterwards the slow
 * reader resumes. The gate: all other replicas equal; the slow reader either catches up to the
 * same state or was disconnected and a fresh client resyncs to it.
 */
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { Typist } from '../typist.js';
import { percentile, pollUntil } from '../stats.js';
import {
  ScenarioContext,
  closeAll,
  measureWindow,
  openInBatches,
  replicasEqual,
  type ScenarioResult,
} from './common.js';

export interface SlowConsumerConfig {
  readers: number;
  typists: number;
  keysPerSecond: number;
  /** The first typist also pastes this much text `pastesPerSecond` times a second. */
  pasteBytes: number;
  pastesPerSecond: number;
  measureMs: number;
}

const DOC = 'busy';
/** How often server RSS is sampled during the window. */
const RSS_SAMPLE_MS = 200;
/** How long replicas may take to converge after the load stops. */
const CONVERGE_TIMEOUT_MS = 30_000;

export async function runSlowConsumer(
  server: ServerProcess,
  cfg: SlowConsumerConfig,
): Promise<ScenarioResult> {
  const ctx = new ScenarioContext(server);
  const typists = await openInBatches(
    cfg.typists,
    (i) => new Typist(ctx.clientOptions(DOC), i),
    (t) => t.client,
  );
  const readers = await openInBatches(
    cfg.readers,
    (i) =>
      new BenchClient({
        ...ctx.clientOptions(DOC),
        awarenessState: { user: { name: `reader-${i}`, color: '#888888' } },
      }),
    (c) => c,
  );
  // The slow reader records no latency: its deliveries are late by design.
  const slow = new BenchClient({ ...ctx.clientOptions(DOC), latency: undefined });
  await slow.synced;
  slow.ws.pause();

  const rssBefore = server.rssBytes();
  let rssPeak = rssBefore;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, server.rssBytes());
  }, RSS_SAMPLE_MS);
  const keyTimer = setInterval(() => {
    for (const typist of typists) typist.type();
  }, 1000 / cfg.keysPerSecond);
  const chunk = 'the quick brown fox jumps over the lazy dog '.repeat(
    Math.ceil(cfg.pasteBytes / 44),
  );
  const pasteTimer = setInterval(
    () => typists[0]?.paste(chunk.slice(0, cfg.pasteBytes)),
    1000 / cfg.pastesPerSecond,
  );
  const window = await measureWindow(ctx, cfg.measureMs);
  clearInterval(keyTimer);
  clearInterval(pasteTimer);
  clearInterval(sampler);
  const samples = ctx.latency.samples;

  const sent = typists.reduce((sum, t) => sum + t.updatesSent, 0);
  const othersConverged = await pollUntil(
    () => readers.every((r) => r.updatesReceived >= sent),
    CONVERGE_TIMEOUT_MS,
  );
  slow.ws.resume();
  const slowCaughtUp = await pollUntil(
    () => slow.closeCode !== null || slow.updatesReceived >= sent,
    CONVERGE_TIMEOUT_MS,
  );
  const witnesses = [...typists.map((t) => t.client), ...readers];
  let slowOutcome: string;
  let slowOk: boolean;
  if (slow.closeCode !== null) {
    const fresh = new BenchClient(ctx.clientOptions(DOC));
    await fresh.synced;
    slowOk = replicasEqual([...witnesses, fresh]);
    slowOutcome = `slow reader disconnected (close ${slow.closeCode}); a fresh client resynced`;
    await fresh.close();
  } else {
    slowOk = slowCaughtUp && replicasEqual([...witnesses, slow]);
    slowOutcome = 'slow reader kept its socket and caught up after resuming';
  }
  const correct = othersConverged && replicasEqual(witnesses) && slowOk;
  const slowDisconnected = slow.closeCode === null ? 0 : 1;
  await closeAll([...witnesses, slow]);

  return {
    metrics: {
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      rssGrowthMiB: (rssPeak - rssBefore) / 1024 / 1024,
      serverCpuPercent: (100 * window.cpuSeconds) / window.wallSeconds,
      slowDisconnected,
      loadGeneratorCpuPercent: window.loadGeneratorCpuPercent,
    },
    correct,
    notes: [slowOutcome, ...(othersConverged ? [] : ['other readers did not converge in time'])],
  };
}
