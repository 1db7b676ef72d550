/**
 * The scale-out fault suite's harness (issue #13): three real `quire-server` processes (the built
 * CLI, chaos/cli-server.ts) on one PostgreSQL database of their own (helpers/postgres.ts) and one
 * private redis-server (helpers/redis.ts), each instance behind a "door": a TCP proxy
 * (chaos/fault-proxy.ts) that its clients connect through, as they would through a load
 * balancer. When an instance dies its door is pointed at a live one, so its clients reconnect
 * there by themselves, like stock clients behind a balancer without sticky sessions.
 *
 * Optional links put a fault between the instances and their services:
 *   - `busLinks`: each instance's Redis connections go through a BusLink (bus-link.ts) that can
 *     lose update deliveries to that instance without breaking the connection;
 *   - `databaseProxy`: every instance's --database-url points at one FaultProxy in front of the
 *     machine's PostgreSQL, which can make it unreachable.
 *
 * The cases (scale-out/*.test.ts) have stock 1.x and 3.x clients type unique markers
 * (chaos/harness.ts) through the doors while a fault happens, then check with room-checks.ts:
 * the replicas converge, presence is right, and the database holds every marker that was
 * acknowledged (persisted ack) or relayed to anyone. Child output is kept and printed only when
 * a case fails (`describe()`); passing cases print nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliServer } from '../chaos/cli-server.js';
import { FaultProxy } from '../chaos/fault-proxy.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { BusLink } from './bus-link.js';

const PG_PORT = Number(new URL(process.env.QUIRE_TEST_POSTGRES_URL ?? 'postgres://x@h:5432').port);

export interface ClusterOptions {
  /** Instances to start. Default 3. */
  instances?: number;
  /** Each instance's Redis link through a BusLink of its own. Default false. */
  busLinks?: boolean;
  /** Every instance's database link through one FaultProxy. Default false. */
  databaseProxy?: boolean;
  /** The instances' --log-level, to debug a case (their output is shown when it fails).
   * Default 'error'. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export class Cluster {
  readonly instances: CliServer[] = [];
  /** doors[i] is where instance i's clients connect; it forwards to a live instance. */
  readonly doors: FaultProxy[] = [];
  readonly busLinks: BusLink[] = [];
  private readonly dirs: string[] = [];
  private dbProxy: FaultProxy | null = null;

  private constructor(
    readonly db: TestDatabase,
    readonly redis: PrivateRedis,
    private readonly options: ClusterOptions,
  ) {}

  static async start(options: ClusterOptions = {}): Promise<Cluster> {
    const [db, redis] = await Promise.all([createTestDatabase(), startPrivateRedis()]);
    const cluster = new Cluster(db, redis, options);
    try {
      if (options.databaseProxy) cluster.dbProxy = await FaultProxy.start(PG_PORT || 5432);
      const count = options.instances ?? 3;
      // One at a time: starting several node processes at once on a busy two-core machine can
      // take longer than CliServer's start timeout.
      for (let i = 0; i < count; i++) await cluster.addInstance();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** The proxy in front of PostgreSQL (only with `databaseProxy`). */
  get databaseProxy(): FaultProxy {
    if (!this.dbProxy) throw new Error('cluster started without databaseProxy');
    return this.dbProxy;
  }

  /** What the instances get as --database-url. */
  get databaseUrl(): string {
    if (!this.dbProxy) return this.db.url;
    const url = new URL(this.db.url);
    url.port = String(this.dbProxy.port);
    return url.toString();
  }

  /** Instance i's clients' URL (its door). */
  url(i: number): string {
    return this.doors[i]!.wsUrl;
  }

  /** Starts one more instance on the same database and Redis, with a door of its own; returns
   * its index. */
  async addInstance(): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'quire-scale-'));
    this.dirs.push(dir);
    let redisUrl = this.redis.url;
    if (this.options.busLinks) {
      const link = await BusLink.start(this.redis.port);
      this.busLinks.push(link);
      redisUrl = link.url;
    }
    const args = ['--database-url', this.databaseUrl, '--redis-url', redisUrl];
    if (this.options.logLevel) args.push('--log-level', this.options.logLevel);
    this.instances.push(await CliServer.start(dir, args));
    this.doors.push(await FaultProxy.start(this.instances.at(-1)!.port));
    return this.instances.length - 1;
  }

  /** SIGKILLs instance i; every door that led to it now leads to the next live instance, and its
   * clients' connections (already dead with the process) are reset so they reconnect there. */
  async kill(i: number): Promise<void> {
    const victim = this.instances[i]!;
    await victim.stop('SIGKILL');
    const live = this.instances.find((s) => s.running);
    for (const door of this.doors) {
      if (door.targetPort !== victim.port || !live) continue;
      door.targetPort = live.port;
      await door.resetAll();
    }
  }

  /** Starts a killed instance i again on its port, and points its door back at it (clients that
   * moved stay where they are, as behind a balancer). */
  async revive(i: number): Promise<void> {
    const instance = this.instances[i]!;
    if (instance.running) return;
    await instance.restart('SIGKILL');
    this.doors[i]!.targetPort = instance.port;
  }

  /** SIGKILLs every instance at once (no door is redirected: nothing is left to lead to). */
  async killAll(): Promise<void> {
    await Promise.all(this.instances.map((s) => s.stop('SIGKILL')));
  }

  /** Instance i's /readyz status code (0 when it does not answer within a second). */
  async readyz(i: number): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.instances[i]!.port}/readyz`, {
        signal: AbortSignal.timeout(1_000),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    }
  }

  /** A counter of instance i's /metrics (`name` without the exporter's prefix), 0 if absent. */
  async metric(i: number, name: string): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.instances[i]!.port}/metrics`, {
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    const line = new RegExp(`^(?:\\w+_)?${name}(?:\\{[^}]*\\})? (\\d+)`, 'm').exec(text);
    return line ? Number(line[1]) : 0;
  }

  /** Every instance's recent output and health, for a failing case's message. */
  async describe(): Promise<string> {
    const lines: string[] = [];
    for (const [i, s] of this.instances.entries()) {
      lines.push(`instance ${i + 1} (port ${s.port}): ${await s.health()}`);
      lines.push(...summarized(s.recentOutput()));
    }
    return lines.join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((s) => s.stop('SIGKILL')));
    await Promise.all([...this.doors, ...this.busLinks].map((d) => d.close()));
    await this.dbProxy?.close();
    await this.redis.dispose();
    await this.db.drop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Log lines without what differs between repeats (time, pid), each distinct one once with
 * its count, the last few. Lines are pino JSON; anything else is kept as it is. */
function summarized(output: string): string[] {
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    const text = withoutVaryingFields(line.trim());
    if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts]
    .slice(-12)
    .map(([text, n]) => `  ${n > 1 ? `(×${n}) ` : ''}${text.slice(0, 400)}`);
}

function withoutVaryingFields(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const {
      time: _time,
      pid: _pid,
      hostname: _hostname,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return line;
  }
}
