/** Starts real Quire servers for tests: in-process on port 0, or as a child process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import {
  createQuireServer,
  silentLogger,
  type QuireServer,
  type QuireServerOptions,
} from '../../src/index.js';

export function tempDir(prefix = 'quire-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface RunningServer {
  server: QuireServer;
  port: number;
  wsUrl: string;
  httpUrl: string;
  close(): Promise<void>;
}

export async function startServer(options: QuireServerOptions = {}): Promise<RunningServer> {
  const server = createQuireServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    staticDir: false,
    roomUnloadGraceMs: 50,
    ...options,
  });
  closeAfterTest(server);
  const { port } = await server.listen();
  return {
    server,
    port,
    wsUrl: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    close: () => server.close(),
  };
}

/** A server started inside a test (or its beforeEach) is closed when that test finishes, even
 * when it failed before its own cleanup ran: no test leaks a listening port into the next. A test
 * that closes it itself loses nothing (QuireServer.close is idempotent: it returns the same
 * shutdown). A server started in beforeAll is shared by the file's tests and stays up: its
 * afterAll closes it. */
function closeAfterTest(server: QuireServer): void {
  try {
    onTestFinished(() => server.close());
  } catch {
    // Not inside a test (beforeAll, module scope): the suite owns the server's lifetime.
  }
}

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  wsUrl: string;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Runs the built CLI (`server/dist`) as a child process and waits for its listening line.
 * `script` replaces the CLI with another entry point that prints the same line. */
export async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  script = CLI,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 15_000);
    const check = () => {
      const match = /Quire listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening:\n${output}`));
    });
  });
  return { child, port, wsUrl: `ws://127.0.0.1:${port}`, output: () => output, exited };
}
