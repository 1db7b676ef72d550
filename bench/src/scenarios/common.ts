/** Helpers every scenario shares: opening many sockets, measuring a window, the replica gate. */
import * as Y from 'yjs';
import type { BenchClient, BenchClientOptions } from '../bench-client.js';
import { Counters, LatencyRecorder } from '../counters.js';
import type { ServerProcess } from '../servers.js';
import { sleep } from '../stats.js';
import { TEXT_NAME } from '../traces.js';
import { wireFor, type Wire } from '../wire.js';

/** Sockets opened at once: bounded so the handshake burst is not a SYN flood on one core. */
const OPEN_BATCH = 200;
/** How long a batch of sockets may take to open and sync before the run is declared failed. */
const SYNC_TIMEOUT_MS = 30_000;

export interface ScenarioResult {
  /** Metric name → value (units in the name). */
  metrics: Record<string, number>;
  /** The correctness gate: every replica equal (and equal to the oracle where there is one). */
  correct: boolean;
  notes: string[];
}

export class ScenarioContext {
  readonly counters = new Counters();
  readonly latency = new LatencyRecorder();
  readonly wire: Wire;

  constructor(readonly server: ServerProcess) {
    this.wire = wireFor(server.dialect);
  }

  clientOptions(docName: string): Omit<BenchClientOptions, 'doc' | 'awarenessState'> {
    return {
      wire: this.wire,
      baseUrl: this.server.baseUrl,
      docName,
      counters: this.counters,
      latency: this.latency,
    };
  }
}

/** Creates `count` clients, `OPEN_BATCH` at a time, each batch synced before the next. */
export async function openInBatches<T>(
  count: number,
  make: (index: number) => T,
  clientOf: (item: T) => BenchClient,
): Promise<T[]> {
  const items: T[] = [];
  for (let start = 0; start < count; start += OPEN_BATCH) {
    const batch: T[] = [];
    for (let i = start; i < Math.min(count, start + OPEN_BATCH); i++) batch.push(make(i));
    const synced = Promise.all(batch.map((item) => clientOf(item).synced));
    const timedOut = sleep(SYNC_TIMEOUT_MS).then(() => 'timeout' as const);
    if ((await Promise.race([synced, timedOut])) === 'timeout') {
      throw new Error(`sockets did not sync within ${SYNC_TIMEOUT_MS} ms`);
    }
    items.push(...batch);
  }
  return items;
}

export interface Window {
  cpuSeconds: number;
  wallSeconds: number;
  /** What the load generator saw during the window (counting goes on after it). */
  counters: Counters;
  /** Write system calls the server made (socket writes, plus its storage writes). */
  writeSyscalls: number;
  /** CPU the load generator itself used: near 100% means latencies measure it, not the server. */
  loadGeneratorCpuPercent: number;
}

/** Measures server CPU over `ms` of load; counters and latency cover the same window. */
export async function measureWindow(ctx: ScenarioContext, ms: number): Promise<Window> {
  ctx.counters.reset();
  ctx.latency.recording = true;
  const cpu0 = ctx.server.cpuSeconds();
  const writes0 = ctx.server.writeSyscalls();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const cpuSeconds = ctx.server.cpuSeconds() - cpu0;
  const writeSyscalls = ctx.server.writeSyscalls() - writes0;
  const own = process.cpuUsage(own0);
  const wallSeconds = (performance.now() - t0) / 1000;
  ctx.latency.recording = false;
  return {
    cpuSeconds,
    wallSeconds,
    counters: ctx.counters.clone(),
    writeSyscalls,
    loadGeneratorCpuPercent: (own.user + own.system) / 1e4 / wallSeconds,
  };
}

/** True when every client's replica has the same text and state vector (and `oracle` text). */
export function replicasEqual(clients: readonly BenchClient[], oracle?: string): boolean {
  let text: string | null = oracle ?? null;
  let stateVector: string | null = null;
  for (const client of clients) {
    const doc = client.replica();
    const t = doc.getText(TEXT_NAME).toString();
    const sv = Buffer.from(Y.encodeStateVector(doc)).toString('base64');
    text ??= t;
    stateVector ??= sv;
    if (t !== text || sv !== stateVector) return false;
  }
  return true;
}

export async function closeAll(clients: readonly BenchClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

/** Wire cost per logical delivery from the window's counters. */
export function wireMetrics(counters: Counters): Record<string, number> {
  const deliveries = Math.max(1, counters.deliveries);
  return {
    deliveries: counters.deliveries,
    framesInPerDelivery: counters.framesIn / deliveries,
    bytesInPerDelivery: counters.bytesIn / deliveries,
  };
}
