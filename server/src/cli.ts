/**
 * `quire-server` command line. Contract (other tools depend on it):
 *   quire-server [serve] [--port P] [--host H] [--data DIR]
 * with env QUIRE_PORT / QUIRE_HOST / QUIRE_DATA as fallbacks; prints `Quire listening on URL`.
 * Bad values fail fast (exit 2) with what is wrong and how to fix it.
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from './config.js';
import { createQuireServer } from './server.js';
import { createConsoleLogger, errorMessage, type LogLevel } from './log.js';
import { SHUTDOWN_TIMEOUT_MS } from './limits.js';

const USAGE = `Usage: quire-server [serve] [options]

Starts the Quire collaborative editing server.

Options (environment variable in brackets):
  --port <n>        TCP port, 0 for any free port [QUIRE_PORT]      default ${DEFAULT_PORT}
  --host <addr>     interface to listen on [QUIRE_HOST]             default ${DEFAULT_HOST}
  --data <dir>      directory of the SQLite database [QUIRE_DATA]   default ${DEFAULT_DATA_DIR}
  --log-level <l>   debug | info | warn | error [QUIRE_LOG_LEVEL]   default info
  -h, --help        show this help
`;

export class UsageError extends Error {}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ServeArgs {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): ServeArgs | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${errorMessage(error)}. Run \`quire-server --help\` for the options.`);
  }
  if (parsed.values.help) return 'help';
  const [command, ...rest] = parsed.positionals;
  if ((command !== undefined && command !== 'serve') || rest.length > 0) {
    throw new UsageError(
      `unknown command "${parsed.positionals.join(' ')}". Run \`quire-server --help\`.`,
    );
  }
  const problems: string[] = [];
  const portText = parsed.values.port ?? env.QUIRE_PORT ?? String(DEFAULT_PORT);
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port > 65535) {
    problems.push(
      `--port / QUIRE_PORT "${portText}" is not a port number: use 0–65535, e.g. --port 1234`,
    );
  }
  const host = parsed.values.host ?? env.QUIRE_HOST ?? DEFAULT_HOST;
  if (host.trim() === '')
    problems.push('--host / QUIRE_HOST is empty: use e.g. --host 127.0.0.1 or 0.0.0.0');
  const dataDir = parsed.values.data ?? env.QUIRE_DATA ?? DEFAULT_DATA_DIR;
  if (dataDir.trim() === '') problems.push('--data / QUIRE_DATA is empty: use e.g. --data ./data');
  const logLevel = (parsed.values['log-level'] ?? env.QUIRE_LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`--log-level "${logLevel}" must be one of ${LOG_LEVELS.join(', ')}`);
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return { port, host, dataDir, logLevel };
}

export async function main(argv: string[]): Promise<void> {
  let args: ServeArgs | 'help';
  try {
    args = parseServeArgs(argv, process.env);
  } catch (error) {
    process.stderr.write(`quire-server: ${errorMessage(error)}\n`);
    process.exit(2);
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  await serve(args);
}

async function serve(args: ServeArgs): Promise<void> {
  const log = createConsoleLogger(args.logLevel);
  let server;
  try {
    server = createQuireServer({
      port: args.port,
      host: args.host,
      dataDir: args.dataDir,
      logger: log,
    });
  } catch (error) {
    const detail = error instanceof ConfigError ? error.message : errorMessage(error);
    process.stderr.write(`quire-server: cannot start: ${detail}\n`);
    process.exit(2);
  }
  const address = await server.listen().catch((error: unknown) => {
    process.stderr.write(
      `quire-server: cannot listen on ${args.host}:${args.port}: ${errorMessage(error)}\n` +
        'Is another process using that port? Pick another with --port.\n',
    );
    process.exit(2);
  });
  process.stdout.write(`Quire listening on ${address.url}\n`);
  log.info('server started', { data: server.options.dataDir, auth: 'open (no --secret)' });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    force.unref();
    server.close().then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        log.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
