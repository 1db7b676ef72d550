/**
 * The servers under test, started as separate processes pinned to the server core, with a fresh
 * data directory each, and measured from /proc. Durability as each ships it:
 * - Quire: SQLite WAL, every update committed before it is relayed (library defaults, except
 *   the connection caps: all benchmark sockets share one IP, see servers/quire-server.mjs);
 * - @y/websocket-server 0.1.1: YPERSISTENCE (y-leveldb), each update stored asynchronously after
 *   it was applied, relay does not wait;
 * - @hocuspocus/server 3.4 + extension-sqlite: whole document stored after a 2 s debounce;
 * - floor: stores nothing, see servers/floor-relay.mjs;
 * - durable-floor: the floor plus what Quire's promise needs (a Y.Doc per room, a SQLite append
 *   before the relay, an fsync within 4 ms), see servers/durable-floor.mjs.
 * The peers are installed apart from Quire, in bench/peers (peers-install.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, rssBytes, writeSyscalls } from './proc-stats.js';
import type { Dialect } from './wire.js';
import type { Pinning } from './pinning.js';
import { PEERS_DIR } from './peers-install.js';

export type ServerName = 'quire' | 'y-websocket-server' | 'hocuspocus' | 'floor' | 'durable-floor';
/** The servers a run compares by default. */
export const SERVER_NAMES: readonly ServerName[] = ['quire', 'y-websocket-server', 'hocuspocus'];
/** Every name `--servers` accepts: the defaults plus the harness floor (servers/floor-relay.mjs),
 * a do-nothing relay that shows what the load generator and sockets alone cost, and the durable
 * floor (servers/durable-floor.mjs), which adds only what write-before-relay needs. */
export const ALL_SERVER_NAMES: readonly ServerName[] = [...SERVER_NAMES, 'floor', 'durable-floor'];
/** The reference relays of the harness: never peers, never in a ratio to the best peer. */
export const isFloor = (name: ServerName): boolean => name === 'floor' || name === 'durable-floor';
/** Servers Quire is compared with: everything but itself and the floors. */
export const isPeer = (name: ServerName): boolean => name !== 'quire' && !isFloor(name);

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = join(BENCH_DIR, '..');

/** How long a server may take to accept TCP connections after spawn. */
const START_TIMEOUT_MS = 20_000;
/** How long a server may take to exit after SIGTERM (it flushes documents) before SIGKILL. */
const STOP_TIMEOUT_MS = 20_000;

/** Extra node flags for every server under test, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to
 * see where a server spends its time (NODE_OPTIONS refuses --cpu-prof). */
const SERVER_NODE_FLAGS = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);

interface Launch {
  dialect: Dialect;
  args: string[];
  env: Record<string, string>;
}

function launchFor(name: ServerName, port: number, dataDir: string): Launch {
  switch (name) {
    case 'quire':
      if (!existsSync(join(REPO_DIR, 'server/dist/index.js'))) {
        throw new Error('server/dist is missing: run `npm run build` at the repository root first');
      }
      return {
        dialect: 'y-websocket',
        args: [join(BENCH_DIR, 'src/servers/quire-server.mjs')],
        env: { PORT: String(port), DATA: dataDir },
      };
    case 'y-websocket-server':
      return {
        dialect: 'y-websocket',
        args: [join(PEERS_DIR, 'node_modules/@y/websocket-server/src/server.js')],
        env: { HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: dataDir },
      };
    case 'hocuspocus':
      return {
        dialect: 'hocuspocus',
        args: [join(PEERS_DIR, 'hocuspocus-server.mjs')],
        env: { PORT: String(port), DATA: dataDir },
      };
    case 'floor':
      return {
        dialect: 'y-websocket',
        args: [join(BENCH_DIR, 'src/servers/floor-relay.mjs')],
        env: { PORT: String(port) },
      };
    case 'durable-floor':
      return {
        dialect: 'y-websocket',
        args: [join(BENCH_DIR, 'src/servers/durable-floor.mjs')],
        env: { PORT: String(port), DATA: dataDir },
      };
  }
}

export class ServerProcess {
  readonly dataDir: string;
  readonly dialect: Dialect;
  port = 0;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: ServerName,
    private readonly pinning: Pinning,
    /** Extra environment for the server process (the scale-out scenario's service URLs). */
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.dataDir = mkdtempSync(join(tmpdir(), `quire-bench-${name}-`));
    this.dialect = launchFor(name, 0, this.dataDir).dialect;
  }

  get baseUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.name} is not running`);
    return this.child.pid;
  }

  /** Starts (or restarts, keeping the data directory) the server and waits until it listens. */
  async start(): Promise<void> {
    this.port = await freePort();
    const launch = launchFor(this.name, this.port, this.dataDir);
    const logFd = openSync(join(this.dataDir, 'server.log'), 'a');
    const [command, args] = this.pinning.serverCommand(process.execPath, [
      ...SERVER_NODE_FLAGS,
      ...launch.args,
    ]);
    const child = spawn(command, args, {
      cwd: REPO_DIR,
      env: { ...process.env, ...launch.env, ...this.extraEnv, NODE_ENV: 'production' },
      stdio: ['ignore', logFd, logFd],
    });
    closeSync(logFd);
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitForPort(this.port, child);
  }

  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  rssBytes(): number {
    return rssBytes(this.pid);
  }

  writeSyscalls(): number {
    return writeSyscalls(this.pid);
  }

  /** SIGTERM (each server flushes its documents), SIGKILL if it does not exit in time. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not listen on port ${port} within ${START_TIMEOUT_MS} ms`);
}
