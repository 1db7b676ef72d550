/**
 * Scale-out (`npm run bench -- --only=scale-out`): the same typing load on 1, 2 and 3 Quire
 * instances over one PostgreSQL database and one Redis, and on one instance over the same
 * database without a bus, the baseline. Typists and readers are spread round-robin over the
 * instances, so most deliveries cross an instance.
 *
 * One more row is the floor under the bus rows: 3 instances without a bus, each room wholly on
 * one instance (rooms partitioned), so nothing crosses and no update is applied twice. What it
 * costs beyond the baseline is what three processes sharing the server core cost by themselves
 * (three event loops, heaps, PostgreSQL pools and group commits, context switches), which no
 * change to the bus can remove.
 *
 * Reports, per topology: writer-to-reader latency split into same-instance and cross-instance
 * samples, CPU per delivery summed over every instance (all pinned to the server core, so the
 * instances compete for it as they would on a small machine), and PostgreSQL commits per second
 * (pg_stat_database's xact_commit for the run's own database, which only Quire uses).
 *
 * Needs PostgreSQL and Redis, by default those of this machine: BENCH_POSTGRES_URL (a server
 * URL without a database, default postgres://postgres@127.0.0.1:5432) and BENCH_REDIS_URL
 * (default redis://127.0.0.1:6379). Each topology gets a database of its own, dropped
 * afterwards, and a Redis key prefix of its own.
 */
import { execFileSync } from 'node:child_process';
import { BenchClient } from '../bench-client.js';
import { Counters, LatencyRecorder } from '../counters.js';
import type { Pinning } from '../pinning.js';
import { ServerProcess } from '../servers.js';
import { percentile, pollUntil, sleep } from '../stats.js';
import { Typist, startTyping } from '../typist.js';
import { wireFor } from '../wire.js';
import { closeAll, openInBatches, replicasEqual, type ScenarioResult } from './common.js';

export interface ScaleOutConfig {
  rooms: number;
  typistsPerRoom: number;
  readersPerRoom: number;
  keysPerSecond: number;
  warmupMs: number;
  measureMs: number;
}

export interface Topology {
  /** Row label. */
  label: string;
  instances: number;
  bus: boolean;
  /** Each room's clients all on one instance (room i on instance i mod n), not round-robin. */
  partitioned?: boolean;
}

/** The baseline first: one instance on PostgreSQL, no bus. */
export const TOPOLOGIES: readonly Topology[] = [
  { label: '1 instance, no bus', instances: 1, bus: false },
  { label: '1 instance + Redis', instances: 1, bus: true },
  { label: '2 instances + Redis', instances: 2, bus: true },
  { label: '3 instances + Redis', instances: 3, bus: true },
  { label: '3 instances, rooms partitioned, no bus', instances: 3, bus: false, partitioned: true },
];

const CONVERGE_TIMEOUT_MS = 15_000;
const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The latency of one instance's clients, writers and readers alike: a client on instance w
 * registers what it sends with "same" of w and "cross" of every other instance, and looks what
 * it receives up in "same" and "cross" of w only, so a delivery lands in "cross" exactly when
 * writer and receiver are on different instances. (A typist receiving its co-typist's updates
 * once looked them up with the writer's targets, which put same-instance deliveries into other
 * instances' "cross".) */
class FanOutLatency extends LatencyRecorder {
  constructor(
    private readonly sentTo: LatencyRecorder[],
    private readonly receivedBy: LatencyRecorder[],
  ) {
    super();
  }
  override sent(id: string, at: number): void {
    for (const t of this.sentTo) t.sent(id, at);
  }
  override received(id: string, at: number): void {
    for (const t of this.receivedBy) t.received(id, at);
  }
}

export async function runScaleOut(
  topology: Topology,
  cfg: ScaleOutConfig,
  pinning: Pinning,
): Promise<ScenarioResult> {
  const run = `${process.pid}_${Date.now().toString(36)}_${topology.instances}${topology.bus ? 'b' : ''}`;
  const database = `quire_bench_${run}`;
  psql('postgres', `CREATE DATABASE ${database}`);
  const env: Record<string, string> = {
    BENCH_QUIRE_DATABASE_URL: `${POSTGRES_SERVER}/${database}`,
    ...(topology.bus
      ? { BENCH_QUIRE_REDIS_URL: REDIS_URL, BENCH_QUIRE_REDIS_PREFIX: `quire-bench-${run}:` }
      : {}),
  };
  const servers = Array.from(
    { length: topology.instances },
    () => new ServerProcess('quire', pinning, env),
  );
  try {
    await Promise.all(servers.map((s) => s.start()));
    return await measure(servers, database, cfg, topology.partitioned === true);
  } finally {
    await Promise.all(servers.map((s) => s.dispose()));
    psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

async function measure(
  servers: ServerProcess[],
  database: string,
  cfg: ScaleOutConfig,
  partitioned: boolean,
): Promise<ScenarioResult> {
  const n = servers.length;
  const counters = new Counters();
  const wire = wireFor('y-websocket');
  const same = servers.map(() => new LatencyRecorder());
  const cross = servers.map(() => new LatencyRecorder());
  const latencyOf = servers.map(
    (_, i) =>
      new FanOutLatency([same[i]!, ...cross.filter((_, r) => r !== i)], [same[i]!, cross[i]!]),
  );
  const rooms: { typists: Typist[]; readers: BenchClient[] }[] = [];
  const perRoom = cfg.typistsPerRoom + cfg.readersPerRoom;
  const all = await openInBatches(
    cfg.rooms * perRoom,
    (i) => {
      const room = Math.floor(i / perRoom);
      const slot = i % perRoom;
      const instance = partitioned ? room % n : i % n;
      const options = {
        wire,
        baseUrl: servers[instance]!.baseUrl,
        docName: `scale-${room}`,
        counters,
      };
      rooms[room] ??= { typists: [], readers: [] };
      if (slot < cfg.typistsPerRoom) {
        const typist = new Typist({ ...options, latency: latencyOf[instance]! }, i);
        rooms[room].typists.push(typist);
        return typist.client;
      }
      const reader = new BenchClient({
        ...options,
        latency: latencyOf[instance]!,
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
  await sleep(cfg.warmupMs);
  counters.reset();
  for (const r of [...same, ...cross]) r.recording = true;
  const cpu0 = servers.map((s) => s.cpuSeconds());
  const commits0 = commits(database);
  const t0 = performance.now();
  await sleep(cfg.measureMs);
  const cpuSeconds = servers.reduce((sum, s, i) => sum + s.cpuSeconds() - cpu0[i]!, 0);
  const wallSeconds = (performance.now() - t0) / 1000;
  for (const r of [...same, ...cross]) r.recording = false;
  const window = counters.clone();
  stopTyping();
  // pg_stat_database is updated when a backend reports, at most about once a second.
  await sleep(1_500);
  const committed = commits(database) - commits0;

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

  const sameSamples = same.flatMap((r) => r.samples);
  const crossSamples = cross.flatMap((r) => r.samples);
  const deliveries = Math.max(1, window.deliveries);
  return {
    metrics: {
      cpuUsPerDelivery: (cpuSeconds * 1e6) / deliveries,
      serverCpuPercent: (100 * cpuSeconds) / wallSeconds,
      deliveriesPerSecond: window.deliveries / wallSeconds,
      awarenessDeliveriesPerSecond: window.awarenessDeliveries / wallSeconds,
      sameP50Ms: percentile(sameSamples, 50),
      sameP99Ms: percentile(sameSamples, 99),
      crossP50Ms: percentile(crossSamples, 50),
      crossP99Ms: percentile(crossSamples, 99),
      crossSamples: crossSamples.length,
      postgresCommitsPerSecond: committed / wallSeconds,
      keystrokesPerSecond: rooms.length * cfg.typistsPerRoom * cfg.keysPerSecond,
    },
    correct,
    notes: [
      ...(converged ? [] : ['replicas did not receive every update in time']),
      ...(dropped > 0 ? [`${dropped} sockets closed during the run`] : []),
    ],
  };
}

function commits(database: string): number {
  return Number(
    psql(
      'postgres',
      `SELECT xact_commit FROM pg_stat_database WHERE datname = '${database}'`,
    ).trim(),
  );
}

function psql(db: string, sql: string): string {
  const url = new URL(POSTGRES_SERVER);
  return execFileSync(
    'psql',
    [
      '-X',
      '-q',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      url.username || 'postgres',
      '-d',
      db,
      '-c',
      sql,
    ],
    { encoding: 'utf8', env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
  );
}
