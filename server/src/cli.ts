/**
 * `quire-server` command line. Contract (other tools depend on it):
 *   quire-server [serve] [--port P] [--host H] [--data DIR] [--secret S] [--allow-origin O]...
 *   quire-server token --secret S --doc NAME --mode rw|ro [--ttl SECONDS]
 *   quire-server backup | restore-backup | export | import ...   (commands/operations.ts)
 * with env QUIRE_PORT / QUIRE_HOST / QUIRE_DATA / QUIRE_SECRET / QUIRE_ALLOW_ORIGIN (comma-
 * separated) as fallbacks; prints `Quire listening on URL`. Without a secret the server runs in
 * open mode and says so loudly on stderr.
 * Bad values fail fast (exit 2) with what is wrong and how to fix it.
 */
import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from './config.js';
import { createQuireServer } from './server.js';
import {
  applyHeapProfile,
  DEFAULT_HEAP_PROFILE,
  HEAP_PROFILES,
  isHeapProfile,
  type HeapProfile,
} from './heap-profile.js';
import { connectServices, serviceUrlProblems } from './cli-services.js';
import { createConsoleLogger, errorMessage, type LogLevel } from './log.js';
import {
  OBSERVABILITY_CLI_OPTIONS,
  OBSERVABILITY_USAGE,
  parseObservabilityArgs,
  type ObservabilityArgs,
} from './cli-observability.js';
import { MIN_SECRET_LENGTH, SHUTDOWN_TIMEOUT_MS } from './limits.js';
import { runTokenCommand, TOKEN_USAGE } from './access/token-command.js';
import {
  parseWebhookArgs,
  WEBHOOK_CLI_OPTIONS,
  WEBHOOK_USAGE,
  type WebhookArgs,
} from './webhooks/webhook-cli.js';
import {
  CLIENT_LIMIT_OPTIONS,
  CLIENT_LIMIT_USAGE,
  parseClientLimitArgs,
  type ClientLimitArgs,
} from './cli-client-limits.js';
import { OPERATIONS_COMMANDS, OPERATIONS_SUMMARY } from './commands/operations.js';

const USAGE = `Usage: quire-server [serve] [options]
       quire-server token --doc <name> --mode rw|ro [--ttl s]   (see quire-server token --help)
${OPERATIONS_SUMMARY}

Starts the Quire collaborative editing server.

Options (environment variable in brackets):
  --port <n>           TCP port, 0 for any free port [QUIRE_PORT]      default ${DEFAULT_PORT}
  --host <addr>        interface to listen on [QUIRE_HOST]             default ${DEFAULT_HOST}
  --data <dir>         directory of the SQLite database [QUIRE_DATA]   default ${DEFAULT_DATA_DIR}
  --secret <s>         require tokens signed with this secret (32+ characters) [QUIRE_SECRET]
                       default: none = OPEN MODE, anyone can read and write every document
  --allow-origin <o>   allow WebSockets from this page origin only; repeatable
                       [QUIRE_ALLOW_ORIGIN, comma-separated]           default: any origin
  --database-url <u>   keep documents in PostgreSQL instead of SQLite [QUIRE_DATABASE_URL]
                       e.g. postgres://quire@db:5432/quire             default: none (SQLite)
  --redis-url <u>      share updates with other instances on the same database
                       [QUIRE_REDIS_URL], e.g. redis://cache:6379      default: none
${CLIENT_LIMIT_USAGE}  --log-level <l>      debug | info | warn | error [QUIRE_LOG_LEVEL]   default info
${OBSERVABILITY_USAGE}  --heap-profile <p>   lean | small | v8 [QUIRE_HEAP_PROFILE]          default ${DEFAULT_HEAP_PROFILE}
                       lean: V8's young generation stays at 4 MiB (less memory per idle
                       connection after bursts); small: also --optimize-for-size (least
                       memory, more CPU); v8: V8's own sizing (young generation up to 16 MiB)
${WEBHOOK_USAGE}  -h, --help           show this help
`;

/** The open-mode banner: a box whose right edge lines up whatever the lines say. */
const OPEN_MODE_WARNING = box([
  'WARNING: Quire is running in OPEN MODE (no --secret / QUIRE_SECRET).',
  'Anyone who can reach this port can read and change every document.',
  'For anything but local development, set QUIRE_SECRET and hand out',
  'tokens made with: quire-server token --doc NAME --mode rw|ro',
]);

function box(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const edge = `  ${'*'.repeat(width + 6)}`;
  const body = lines.map((l) => `  *  ${l.padEnd(width)}  *`);
  return `\n${[edge, ...body, edge].join('\n')}\n\n`;
}

export class UsageError extends Error {}

/** What parseArgs refused, in our words (its own text quotes the option oddly and suggests
 * `--` tricks that do not apply here). */
function usageProblem(error: unknown, argv: string[]): string {
  const code = (error as { code?: string }).code;
  const flag = /'(-{1,2}[^' <]+)/.exec(errorMessage(error))?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return `unknown option ${flag ?? argv.find((a) => a.startsWith('-')) ?? ''}`.trim();
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag) {
    return `option ${flag} needs a value`;
  }
  return errorMessage(error);
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface ServeArgs extends ClientLimitArgs, ObservabilityArgs {
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  /** Absent = open mode. */
  secret?: string;
  /** Absent = any origin. */
  allowOrigins?: string[];
  heapProfile: HeapProfile;
  /** Absent = SQLite in dataDir. */
  databaseUrl?: string;
  /** Absent = one instance, no bus. */
  redisUrl?: string;
  /** Absent = no webhooks. */
  webhooks?: WebhookArgs;
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
        'heap-profile': { type: 'string' },
        secret: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'database-url': { type: 'string' },
        'redis-url': { type: 'string' },
        ...OBSERVABILITY_CLI_OPTIONS,
        ...WEBHOOK_CLI_OPTIONS,
        ...CLIENT_LIMIT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(
      `${usageProblem(error, argv)}. Run \`quire-server --help\` for the options.`,
    );
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
  const heapProfile =
    parsed.values['heap-profile'] ?? env.QUIRE_HEAP_PROFILE ?? DEFAULT_HEAP_PROFILE;
  if (!isHeapProfile(heapProfile)) {
    problems.push(`--heap-profile "${heapProfile}" must be one of ${HEAP_PROFILES.join(', ')}`);
  }
  // An empty QUIRE_SECRET counts as unset (a blank line in an env file), never as a secret.
  const secret = parsed.values.secret ?? (env.QUIRE_SECRET || undefined);
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `--secret / QUIRE_SECRET has ${secret.length} characters; use at least ${MIN_SECRET_LENGTH} ` +
        'random ones, e.g. --secret "$(openssl rand -base64 32)"',
    );
  }
  const origins =
    parsed.values['allow-origin'] ??
    (env.QUIRE_ALLOW_ORIGIN ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(
        `--allow-origin "${origin}" must be scheme://host[:port], e.g. https://docs.example.com`,
      );
    }
  }
  const databaseUrl = parsed.values['database-url'] ?? (env.QUIRE_DATABASE_URL || undefined);
  const redisUrl = parsed.values['redis-url'] ?? (env.QUIRE_REDIS_URL || undefined);
  problems.push(...serviceUrlProblems({ databaseUrl, redisUrl }));
  const webhooks = parseWebhookArgs(parsed.values, env);
  problems.push(...webhooks.problems);
  const clientLimits = parseClientLimitArgs(parsed.values, env);
  problems.push(...clientLimits.problems);
  const observability = parseObservabilityArgs(parsed.values, env);
  problems.push(...observability.problems);
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  const args: ServeArgs = {
    port,
    host,
    dataDir,
    logLevel,
    heapProfile: heapProfile as HeapProfile,
  };
  if (secret !== undefined) args.secret = secret;
  if (origins.length > 0) args.allowOrigins = origins;
  if (databaseUrl !== undefined) args.databaseUrl = databaseUrl;
  if (redisUrl !== undefined) args.redisUrl = redisUrl;
  if (webhooks.args) args.webhooks = webhooks.args;
  Object.assign(args, clientLimits.args);
  Object.assign(args, observability.args);
  return args;
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'token') {
    process.exitCode = await runTokenCommand(argv.slice(1), process.env);
    return;
  }
  const operation = OPERATIONS_COMMANDS.get(argv[0] ?? '');
  if (operation) {
    process.exitCode = await operation(argv.slice(1), process.env);
    return;
  }
  let args: ServeArgs | 'help';
  try {
    args = parseServeArgs(argv, process.env);
  } catch (error) {
    process.stderr.write(`quire-server: ${errorMessage(error)}\n`);
    process.exit(2);
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n${TOKEN_USAGE}`);
    return;
  }
  await serve(args);
}

async function serve(args: ServeArgs): Promise<void> {
  const log = createConsoleLogger(args.logLevel, args.logFormat);
  // Usually applied already by bin/quire-server.js, before the server's modules loaded.
  applyHeapProfile(args.heapProfile);
  let services: Awaited<ReturnType<typeof connectServices>>;
  try {
    services = await connectServices(args, log);
  } catch (error) {
    process.stderr.write(`quire-server: cannot start: ${errorMessage(error)}\n`);
    process.exit(1);
  }
  let server;
  try {
    server = createQuireServer({
      ...services,
      port: args.port,
      host: args.host,
      dataDir: args.dataDir,
      secret: args.secret,
      allowOrigins: args.allowOrigins,
      metricsPort: args.metricsPort,
      metricsHost: args.metricsHost,
      ...args.webhooks,
      trustProxy: args.trustProxy,
      maxConnectionsPerIp: args.maxConnectionsPerIp,
      maxNewDocumentsPerMinute: args.maxNewDocumentsPerMinute,
      logger: log,
      // The banner below says it (clearer, with the fix): the library's warn line would repeat it.
      warnOpenMode: false,
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
  // Before the listening line, so anything that waits for that line has seen the warning too.
  if (args.secret === undefined) process.stderr.write(OPEN_MODE_WARNING);
  process.stdout.write(`Quire listening on ${address.url}\n`);
  if (address.metricsUrl) process.stdout.write(`Quire metrics on ${address.metricsUrl}/metrics\n`);
  log.info('server started', {
    data: args.databaseUrl ? 'postgresql' : server.options.dataDir,
    bus: args.redisUrl ? 'redis' : 'none',
    // A state, not a second warning: the banner said it.
    auth: args.secret === undefined ? 'open mode (no --secret)' : 'tokens',
    origins: args.allowOrigins?.join(',') ?? 'any',
    trustProxy: args.trustProxy?.join(',') ?? 'none',
    heapProfile: args.heapProfile,
  });

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
    server
      .close()
      .then(() => services.bus?.close())
      .then(
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
