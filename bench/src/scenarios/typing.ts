/**
 * Typing fan-out: rooms of typists and readers at human typing rates, every keystroke followed by
 * a cursor awareness change. Measures server CPU per logical delivery, writer-to-reader latency
 * and wire cost; the gate checks every replica of every room is equal at the end.
 */
import { BenchClient } from '../bench-client.js';
import { Typist, startTyping } from '../typist.js';
import { percentile, pollUntil } from '../stats.js';
import {
  ScenarioContext,
  closeAll,
  measureWindow,
  openInBatches,
  replicasEqual,
  wireMetrics,
  type ScenarioResult,
} from './common.js';
import type { ServerProcess } from '../servers.js';

export interface TypingConfig {
  rooms: number;
  typistsPerRoom: number;
  readersPerRoom: number;
  /** Mean keystrokes per second per typist (intervals jittered ±50%). */
  keysPerSecond: number;
  warmupMs: number;
  measureMs: number;
}

/** How long replicas may take to converge after typing stops before the gate fails. */
const CONVERGE_TIMEOUT_MS = 15_000;

export async function runTyping(server: ServerProcess, cfg: TypingConfig): Promise<ScenarioResult> {
  const ctx = new ScenarioContext(server);
  const rooms: { typists: Typist[]; readers: BenchClient[] }[] = [];
  const perRoom = cfg.typistsPerRoom + cfg.readersPerRoom;
  const all = await openInBatches(
    cfg.rooms * perRoom,
    (i) => {
      const room = Math.floor(i / perRoom);
      const slot = i % perRoom;
      const options = ctx.clientOptions(`typing-${room}`);
      rooms[room] ??= { typists: [], readers: [] };
      if (slot < cfg.typistsPerRoom) {
        const typist = new Typist(options, i);
        rooms[room].typists.push(typist);
        return typist.client;
      }
      const reader = new BenchClient({
        ...options,
        awarenessState: { user: { name: `reader-${i}`, color: '#888888' } },
      });
      rooms[room].readers.push(reader);
      return reader;
    },
    (c) => c,
  );

  const stopTyping = startTyping(
    rooms.flatMap((r) => r.typists),
    cfg.keysPerSecond,
  );
  await new Promise((resolve) => setTimeout(resolve, cfg.warmupMs));
  const window = await measureWindow(ctx, cfg.measureMs);
  stopTyping();
  const counters = window.counters;
  const samples = ctx.latency.samples;

  // Gate: every client of a room ends with every update its typists sent, and equal replicas.
  const expected = (room: (typeof rooms)[number], self: BenchClient | null) =>
    room.typists.reduce((sum, t) => sum + (t.client === self ? 0 : t.updatesSent), 0);
  const converged = await pollUntil(
    () =>
      rooms.every(
        (room) =>
          room.readers.every((r) => r.updatesReceived >= expected(room, null)) &&
          room.typists.every((t) => t.client.updatesReceived >= expected(room, t.client)),
      ),
    CONVERGE_TIMEOUT_MS,
  );
  const correct =
    converged &&
    rooms.every((room) => replicasEqual([...room.typists.map((t) => t.client), ...room.readers]));
  const dropped = all.filter((c) => c.closeCode !== null).length;
  await closeAll(all);

  return {
    metrics: {
      cpuUsPerDelivery: (window.cpuSeconds * 1e6) / Math.max(1, counters.deliveries),
      writeSyscallsPerDelivery: window.writeSyscalls / Math.max(1, counters.deliveries),
      serverCpuPercent: (100 * window.cpuSeconds) / window.wallSeconds,
      deliveriesPerSecond: counters.deliveries / window.wallSeconds,
      p50Ms: percentile(samples, 50),
      p99Ms: percentile(samples, 99),
      latencySamples: samples.length,
      loadGeneratorCpuPercent: window.loadGeneratorCpuPercent,
      ...wireMetrics(counters),
    },
    correct,
    notes: [
      ...(converged ? [] : ['replicas did not receive every update in time']),
      ...(dropped > 0 ? [`${dropped} sockets closed during the run`] : []),
    ],
  };
}
