/** Runs the built `quire-server` CLI (server/bin/quire-server.js) as a child process, as an
 * operator or a cron job would, and collects what it printed and its exit code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '../../src/commands/command-line.js';
import { OPERATIONS_COMMANDS } from '../../src/commands/operations.js';

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    // Only what the test gives: an operator's QUIRE_* settings must not leak into a case.
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
  });
}

/** The same command run inside the test process (commands/operations.ts), its output captured:
 * the behaviour of a command at a fraction of a process start. */
export async function runInProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  const command = OPERATIONS_COMMANDS.get(args[0] ?? '');
  if (!command) throw new Error(`not an operations command: ${args[0]}`);
  const stdout: Buffer[] = [];
  let stderr = '';
  const io: CommandIo = {
    stdout: {
      write(chunk, callback) {
        stdout.push(Buffer.from(chunk));
        callback?.();
        return true;
      },
    },
    stderr: {
      write(chunk) {
        stderr += chunk;
        return true;
      },
    },
  };
  const code = await command(args.slice(1), env, io);
  return { code, stdout: Buffer.concat(stdout), stderr };
}
