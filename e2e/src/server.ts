/**
 * Runs the real quire-server CLI as a child process on a free port with a temp data dir, and
 * can kill it (SIGKILL: a crash, no flush) or stop it (SIGTERM: a deploy) and restart it on the
 * same port and data, which is what the offline, durability and restart tests need.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const serverBin = join(repoRoot, 'server', 'bin', 'quire-server.js');

/** How long the server may take to print its address (loads SQLite, binds the port). */
const START_TIMEOUT_MS = 15_000;
/** How long a graceful stop (flush, fsync, final acks, close with 1001) may take. */
const STOP_TIMEOUT_MS = 10_000;

export function assertBuilt(): void {
  const missing = [
    join(repoRoot, 'server', 'dist', 'cli.js'),
    join(repoRoot, 'client', 'dist', 'demo', 'index.html'),
    join(repoRoot, 'client', 'dist', 'demo', 'quire-editor.js'),
  ].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `e2e needs the built server and client (missing ${missing.join(', ')}).\n` +
        'Run `npm run build` at the repository root first.',
    );
  }
}

export interface ServerHandle {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dataDir: string;
  /** Extra CLI arguments (for example `--secret`). */
  args: string[];
  /** SIGKILL: the server gets no chance to flush; durable data must already be on disk. */
  kill(): Promise<void>;
  /** SIGTERM, keeping the data dir: resolves with the exit code once the process has exited
   * (0 means everything was saved). Rejects if it does not exit in time (then it is killed). */
  stop(): Promise<number | null>;
  /** Starts again on the same port with the same data dir. */
  restart(): Promise<void>;
  /** Graceful stop (SIGTERM) and removal of the data dir. */
  dispose(): Promise<void>;
  /** Everything the server printed, for failure messages. */
  output(): string;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolvePromise) => child.once('exit', () => resolvePromise()));
}

function launch(
  port: number,
  dataDir: string,
  args: string[],
  log: string[],
): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(
    process.execPath,
    [serverBin, '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`quire-server did not start in time:\n${log.join('')}`));
    }, START_TIMEOUT_MS);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(text);
      stdout += text;
      const match = /Quire listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        const url = match[1].replace(/\/$/, '');
        resolvePromise({ child, url, port: Number(new URL(url).port) });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`quire-server exited (${code ?? signal}) before listening:\n${log.join('')}`),
      );
    });
  });
}

export async function startServer(args: string[] = []): Promise<ServerHandle> {
  assertBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-e2e-'));
  const log: string[] = [];
  let { child, url, port } = await launch(0, dataDir, args, log);
  return {
    get url() {
      return url;
    },
    get port() {
      return port;
    },
    dataDir,
    args,
    async kill() {
      child.kill('SIGKILL');
      await waitForExit(child);
    },
    async stop() {
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolveLate) => {
        timer = setTimeout(() => resolveLate('late'), STOP_TIMEOUT_MS);
      });
      const outcome = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        child.kill('SIGKILL');
        await exited;
        throw new Error(`quire-server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
      }
      return child.exitCode;
    },
    async restart() {
      ({ child, url, port } = await launch(port, dataDir, args, log));
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await waitForExit(child);
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
    output: () => log.join(''),
  };
}

/** A signed access token from the real `quire-server token` command. */
export function makeToken(
  secret: string,
  doc: string,
  mode: 'rw' | 'ro',
  extra: { ttlSeconds?: number; name?: string } = {},
): string {
  const args = [serverBin, 'token', '--secret', secret, '--doc', doc, '--mode', mode];
  if (extra.ttlSeconds !== undefined) args.push('--ttl', String(extra.ttlSeconds));
  if (extra.name !== undefined) args.push('--name', extra.name);
  return execFileSync(process.execPath, args, { encoding: 'utf8' }).trim();
}
