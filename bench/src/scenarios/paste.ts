/**
 * A large paste into a busy room: one user pastes `pasteBytes` of text (one Yjs update) while the
 * other users of the room watch. Measures per-recipient latency, time until everyone has it, and
 * server CPU per paste; the gate checks all replicas are equal.
 */
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { Typist } from '../typist.js';
import { median, percentile, pollUntil, sleep } from '../stats.js';
import {
  ScenarioContext,
  closeAll,
  openInBatches,
  replicasEqual,
  type ScenarioResult,
} from './common.js';

export interface PasteConfig {
  /** Users in the room, the paster included. */
  users: number;
  pasteBytes: number;
  pastes: number;
  /** Pause between pastes. */
  gapMs: number;
}

/** Longest one paste may take to reach everyone before the run is declared failed. */
const PASTE_TIMEOUT_MS = 30_000;

export async function runPaste(server: ServerProcess, cfg: PasteConfig): Promise<ScenarioResult> {
  const ctx = new ScenarioContext(server);
  const paster = new Typist(ctx.clientOptions('paste'), 0);
  await paster.client.synced;
  const readers = await openInBatches(
    cfg.users - 1,
    (i) =>
      new BenchClient({
        ...ctx.clientOptions('paste'),
        awarenessState: { user: { name: `reader-${i}`, color: '#888888' } },
      }),
    (c) => c,
  );
  const content = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(cfg.pasteBytes / 27));
  const toAll: number[] = [];
  let delivered = true;
  ctx.counters.reset();
  ctx.latency.recording = true;
  const cpuBefore = server.cpuSeconds();
  for (let i = 0; i < cfg.pastes; i++) {
    const started = performance.now();
    paster.paste(content.slice(0, cfg.pasteBytes));
    const sent = paster.updatesSent;
    delivered &&= await pollUntil(
      () => readers.every((r) => r.updatesReceived >= sent),
      PASTE_TIMEOUT_MS,
      1,
    );
    toAll.push(performance.now() - started);
    await sleep(cfg.gapMs);
  }
  const cpuSeconds = server.cpuSeconds() - cpuBefore;
  ctx.latency.recording = false;
  const counters = ctx.counters.clone();
  const correct = delivered && replicasEqual([paster.client, ...readers]);
  await closeAll([paster.client, ...readers]);

  return {
    metrics: {
      p50Ms: percentile(ctx.latency.samples, 50),
      p99Ms: percentile(ctx.latency.samples, 99),
      allReceivedMs: median(toAll),
      cpuMsPerPaste: (cpuSeconds * 1000) / cfg.pastes,
      wireKiBInPerPaste: counters.bytesIn / 1024 / cfg.pastes,
    },
    correct,
    notes: delivered ? [] : ['a paste did not reach every reader in time'],
  };
}
