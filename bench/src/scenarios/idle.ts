/**
 * Many idle connections: each socket does what an open editor tab does (sync handshake, announce
 * presence) and then stays quiet. Measures the server's resident memory per connection (rooms
 * included, amortized over their connections); the gate checks every socket synced and stayed open.
 */
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { sleep } from '../stats.js';
import { ScenarioContext, closeAll, openInBatches, type ScenarioResult } from './common.js';

export interface IdleConfig {
  connections: number;
  rooms: number;
  /** Quiet time after the last socket synced, before RSS is read. */
  settleMs: number;
}

/** Quiet time after the warm-up connection, so the baseline includes loaded code and caches. */
const BASELINE_SETTLE_MS = 1_000;

export async function runIdle(server: ServerProcess, cfg: IdleConfig): Promise<ScenarioResult> {
  const ctx = new ScenarioContext(server);
  const presence = { user: { name: 'idle', color: '#999999' } };
  const warm = new BenchClient({ ...ctx.clientOptions('idle-warmup'), awarenessState: presence });
  await warm.synced;
  await warm.close();
  await sleep(BASELINE_SETTLE_MS);
  const rssBefore = server.rssBytes();

  const started = performance.now();
  const clients = await openInBatches(
    cfg.connections,
    (i) =>
      new BenchClient({
        ...ctx.clientOptions(`idle-${i % cfg.rooms}`),
        awarenessState: { user: { name: `idle-${i}`, color: '#999999' } },
      }),
    (c) => c,
  );
  const connectSeconds = (performance.now() - started) / 1000;
  await sleep(cfg.settleMs);
  const cpuBefore = server.cpuSeconds();
  await sleep(cfg.settleMs);
  const idleCpuPercent = (100 * (server.cpuSeconds() - cpuBefore)) / (cfg.settleMs / 1000);
  const rssAfter = server.rssBytes();
  const open = clients.filter((c) => c.isOpen).length;
  await closeAll(clients);

  return {
    metrics: {
      rssKiBPerConnection: (rssAfter - rssBefore) / 1024 / cfg.connections,
      rssMiBTotal: rssAfter / 1024 / 1024,
      connectSeconds,
      idleCpuPercent,
    },
    correct: open === cfg.connections,
    notes: open === cfg.connections ? [] : [`${cfg.connections - open} sockets were closed`],
  };
}
