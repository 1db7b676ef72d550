/**
 * The real CLI (`node server/bin/quire-server.js`, built server/dist) as a child process that the
 * long chaos run kills and restarts on the same port and data directory, like a supervisor. It
 * does not load the server's sources into the calling process (unlike test/helpers/server.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;
/** A port just released by a killed process can take a moment to be free again. */
const START_ATTEMPTS = 5;
const HEALTH_TIMEOUT_MS = 2_000;

export class CliServer {
  private child!: ChildProcess;
  private exited!: Promise<number | string>;
  private output = '';
  port = 0;

  private constructor(
    readonly dataDir: string,
    private readonly extraArgs: readonly string[],
  ) {}

  /** `extraArgs` go to every start (e.g. `--database-url`, `--redis-url` for scale-out). */
  static async start(dataDir: string, extraArgs: readonly string[] = []): Promise<CliServer> {
    const server = new CliServer(dataDir, extraArgs);
    await server.launch(0);
    return server;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The last few KiB the server printed (for failure reports), without the open-mode banner
   * and listening line every start prints. */
  recentOutput(): string {
    return this.output
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s*\*|Quire listening on/.test(line))
      .join('\n')
      .slice(-4096);
  }

  /** How many lines of the last 64 KiB of output match `pattern`. */
  countOutput(pattern: RegExp): number {
    return this.output.split('\n').filter((line) => pattern.test(line)).length;
  }

  /** Sends `signal`, waits for the exit, starts again on the same port; resolves with the exit
   * code (or signal name) of the old process. */
  async restart(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | string> {
    const exit = await this.stop(signal);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.launch(this.port);
        return exit;
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  }

  /** What a failed check needs to know: is the process there, and does it answer HTTP? */
  async health(): Promise<string> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return `server exited (${this.child.exitCode ?? this.child.signalCode})`;
    }
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/healthz`, {
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      return `server pid ${this.child.pid} answers /healthz with ${res.status}`;
    } catch (error) {
      return `server pid ${this.child.pid} does not answer /healthz: ${(error as Error).message}`;
    }
  }

  async stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<number | string> {
    this.child.kill(signal);
    return this.exited;
  }

  /** False once the process has exited (killed or crashed). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private async launch(port: number): Promise<void> {
    const args = [
      ...['--port', String(port), '--data', this.dataDir, '--log-level', 'error'],
      ...this.extraArgs,
    ];
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const append = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-65_536);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    let printed = '';
    this.port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not start:\n${this.recentOutput()}`));
      }, START_TIMEOUT_MS);
      const check = (d: Buffer) => {
        printed += d.toString();
        const match = /Quire listening on http:\/\/[^:]+:(\d+)/.exec(printed);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on('data', check);
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`server exited before listening:\n${this.recentOutput()}`));
      });
    });
  }
}
