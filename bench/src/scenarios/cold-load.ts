/**
 * Cold load of real documents: each trace's history is written to the server as a series of
 * updates, the server is restarted (SIGTERM, so each one flushes however it does), and a fresh
 * client then measures the time from opening its socket until its replica holds the whole
 * document (text equal to the trace's endContent). A second client measures the warm case.
 */
import * as Y from 'yjs';
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { median, pollUntil, sleep } from '../stats.js';
import { TEXT_NAME, type ReplayedTrace } from '../traces.js';
import { ScenarioContext, closeAll, type ScenarioResult } from './common.js';

export interface ColdLoadConfig {
  traces: string[];
  /** Updates each trace's history is cut into when written to the server. */
  chunks: number;
  /** Restart + cold load repetitions per server. */
  trials: number;
}

/** Longest a document may take to arrive before the run is declared failed. */
const LOAD_TIMEOUT_MS = 60_000;
/** Wait after seeding so servers that store asynchronously (y-leveldb, Hocuspocus' 2 s debounce)
 * have written before the restart; each also flushes on SIGTERM. */
const SEED_SETTLE_MS = 3_000;
/** Pause between a restart and the first client: the measurement is of a document that is not
 * in memory, not of a process still finishing its start-up. Same for every server. */
const POST_RESTART_SETTLE_MS = 1_000;

export async function runColdLoad(
  server: ServerProcess,
  cfg: ColdLoadConfig,
  traces: readonly ReplayedTrace[],
): Promise<ScenarioResult> {
  let correct = true;
  const notes: string[] = [];
  for (const trace of traces) {
    const ctx = new ScenarioContext(server);
    const writer = new BenchClient(ctx.clientOptions(docName(trace)));
    await writer.synced;
    for (const update of trace.updates) writer.sendUpdate(update);
    const { ms, ok } = await timeToFullDocument(ctx, trace);
    await writer.close();
    if (!ok) {
      correct = false;
      notes.push(`${trace.name}: seeding did not reach endContent (${ms} ms)`);
    }
  }
  await sleep(SEED_SETTLE_MS);

  const cold: Record<string, number[]> = {};
  const warm: Record<string, number[]> = {};
  const cpu: number[] = [];
  for (let trial = 0; trial < cfg.trials; trial++) {
    await server.stop();
    await server.start();
    await sleep(POST_RESTART_SETTLE_MS);
    const cpuBefore = server.cpuSeconds();
    for (const trace of traces) {
      const ctx = new ScenarioContext(server);
      const first = await timeToFullDocument(ctx, trace);
      const second = await timeToFullDocument(ctx, trace);
      (cold[trace.name] ??= []).push(first.ms);
      (warm[trace.name] ??= []).push(second.ms);
      if (!first.ok || !second.ok) {
        correct = false;
        notes.push(`${trace.name}: a reader did not get endContent`);
      }
    }
    cpu.push(server.cpuSeconds() - cpuBefore);
  }

  const metrics: Record<string, number> = { cpuMsPerColdLoadRound: median(cpu) * 1000 };
  for (const trace of traces) {
    metrics[`coldMs:${trace.name}`] = median(cold[trace.name] ?? []);
    metrics[`warmMs:${trace.name}`] = median(warm[trace.name] ?? []);
    metrics[`stateKiB:${trace.name}`] = trace.stateBytes / 1024;
  }
  return { metrics, correct, notes };
}

const docName = (trace: ReplayedTrace) => `cold-${trace.name}`;

/** Opens a client with a real Y.Doc and times until its text is the trace's endContent. */
async function timeToFullDocument(
  ctx: ScenarioContext,
  trace: ReplayedTrace,
): Promise<{ ms: number; ok: boolean }> {
  const doc = new Y.Doc();
  const text = doc.getText(TEXT_NAME);
  const started = performance.now();
  let doneAt = 0;
  const client = new BenchClient({
    ...ctx.clientOptions(docName(trace)),
    doc,
    onUpdate: () => {
      if (doneAt === 0 && text.length === trace.endContent.length) doneAt = performance.now();
    },
  });
  await pollUntil(() => doneAt !== 0, LOAD_TIMEOUT_MS, 5);
  const ok = doneAt !== 0 && text.toString() === trace.endContent;
  await closeAll([client]);
  doc.destroy();
  return { ms: doneAt === 0 ? NaN : doneAt - started, ok };
}
