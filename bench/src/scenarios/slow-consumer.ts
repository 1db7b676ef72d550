/**
 * One slow consumer in a busy room: a reader stops reading its socket while typists type fast and
 * paste often. Measures latency for everyone else (p50/p99 are the other clients' deliveries; the
 * slow reader records none) and server memory growth; afterwards the slow reader resumes. The
 * gate: all other replicas equal, and the slow reader ends with the same state, by one of three
 * routes, recorded per server: it kept its socket and got every update (the server buffered
 * them all), it was resynced in place (the server stopped sending to it and, once it drained,
 * sent one sync step 2 with what it missed), or it was disconnected and a fresh client resyncs.
 * Quire must not disconnect it: the reader resumes well within Quire's slow-consumer timeout.
 */
import * as Y from 'yjs';
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
  // The slow reader records no latency: its deliveries are late by design. It keeps a live
  // Y.Doc, so whether it caught up is a state vector comparison, whichever way the server sends
  // what it missed.
  const slowDoc = new Y.Doc();
  const slow = new BenchClient({ ...ctx.clientOptions(DOC), latency: undefined, doc: slowDoc });
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
    () =>
      readers.every((r) => r.updatesReceived >= sent) &&
      typists.every((t) => t.client.updatesReceived >= sent - t.updatesSent),
    CONVERGE_TIMEOUT_MS,
  );
  slow.ws.resume();
  const witness = typists[0]?.doc ?? new Y.Doc();
  const stateOf = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');
  const slowCaughtUp = await pollUntil(
    () => slow.closeCode !== null || stateOf(slowDoc) === stateOf(witness),
    CONVERGE_TIMEOUT_MS,
  );
  const witnesses = [...typists.map((t) => t.client), ...readers];
  // The first sync step 2 was the handshake; another one on the same socket is a resync.
  const resyncedInPlace = slow.closeCode === null && slow.syncStep2Received > 1;
  let slowOutcome: string;
  let slowOk: boolean;
  if (slow.closeCode !== null) {
    const fresh = new BenchClient(ctx.clientOptions(DOC));
    await fresh.synced;
    // Quire keeps a reader that drains within its slow-consumer timeout: a close is a failure.
    slowOk = server.name !== 'quire' && replicasEqual([...witnesses, fresh]);
    slowOutcome = `slow reader disconnected (close ${slow.closeCode}); a fresh client resynced`;
    await fresh.close();
  } else {
    slowOk = slowCaughtUp && replicasEqual([...witnesses, slow]);
    slowOutcome = resyncedInPlace
      ? 'slow reader resynced in place: after it drained, one sync step 2 with what it missed'
      : 'slow reader kept its socket and got every update after resuming (the server buffered them)';
    if (!slowCaughtUp) slowOutcome += '; it did not catch up in time';
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
      slowResyncedInPlace: resyncedInPlace ? 1 : 0,
      loadGeneratorCpuPercent: window.loadGeneratorCpuPercent,
    },
    correct,
    notes: [slowOutcome, ...(othersConverged ? [] : ['other readers did not converge in time'])],
  };
}
