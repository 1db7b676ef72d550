/**
 * Redis for the bus tests. The shared server on 127.0.0.1:6379 (the machine's Redis 7) for
 * ordinary cases, required: a suite that needs it fails with how to start it rather than
 * skipping. A private redis-server on a free port for fault tests, which stop, restart and
 * freeze it; those never touch the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './poll.js';

export const SHARED_REDIS_PORT = 6379;
export const SHARED_REDIS_URL = `redis://127.0.0.1:${SHARED_REDIS_PORT}`;

const START_SHARED =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no ' +
  '--dir /var/lib/redis --logfile /var/log/redis/ci.log';

/** Throws, saying how to start it, unless the shared Redis answers PING. */
export async function requireSharedRedis(): Promise<void> {
  if (await ping(SHARED_REDIS_PORT)) return;
  throw new Error(
    `these tests need Redis 7 on 127.0.0.1:${SHARED_REDIS_PORT}, which does not answer; ` +
      `start it with: ${START_SHARED}`,
  );
}

/** A plain client (for publishing raw bytes, PUBSUB queries) that never prints its errors. */
export function rawRedis(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return client;
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGTERM, and wait until the process is gone. */
  stop(): Promise<void>;
  /** A fresh, empty server on the same port (after `stop`). */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'quire-redis-'));
  let port = 0;
  let child: ChildProcess | null = null;
  let frozen = false;

  const launch = async (): Promise<boolean> => {
    const proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: dir, stdio: 'ignore' },
    );
    child = proc;
    let exited = false;
    proc.once('exit', () => (exited = true));
    proc.once('error', () => (exited = true));
    await waitFor(async () => exited || (await ping(port)), 5_000, `redis-server on ${port}`);
    return !exited;
  };

  const stop = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    if (frozen) proc.kill('SIGCONT');
    frozen = false;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 3_000);
    await gone;
    clearTimeout(timer);
  };

  // A free port can be taken between probing and binding: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    if (await launch()) break;
    if (attempt === 4) {
      await rm(dir, { recursive: true, force: true });
      throw new Error('could not start a private redis-server (is redis-server installed?)');
    }
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start: async () => {
      if (!(await launch())) throw new Error(`redis-server did not restart on port ${port}`);
    },
    freeze: () => {
      frozen = true;
      child?.kill('SIGSTOP');
    },
    thaw: () => {
      frozen = false;
      child?.kill('SIGCONT');
    },
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
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

/** True once a Redis on `port` answers PING within half a second. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
