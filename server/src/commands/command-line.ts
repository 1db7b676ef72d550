/**
 * What the operations commands (backup, restore-backup, export, import) share on the command
 * line: their two kinds of failure and exit codes, flag parsing in the style of `quire-server`
 * itself (cli.ts: say what is wrong and how to fix it, then exit 2), and where the documents
 * are — a running server's HTTP API, a data directory, or a PostgreSQL database.
 *
 * Exit codes: 0 done; 1 the operation failed or was refused (the document exists, a server is
 * running on the store, the file is not a Quire store, the server cannot be reached); 2 bad
 * arguments, nothing was touched.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_DATA_DIR } from '../config.js';
import { errorMessage } from '../log.js';

/** Bad arguments (exit 2): the message says what to change. */
export class CommandUsageError extends Error {}
/** The operation could not be done (exit 1): the message says why and what to do. */
export class CommandFailure extends Error {}

const HELP_OPTION = { type: 'boolean', short: 'h' } as const;

/** The flags a command declares, as parseArgs takes them. */
export type FlagSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseCommandFlags gives back for `specs`: each flag typed as parseArgs types it. */
export type CommandFlags<S extends FlagSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; strict: true; options: S & { help: typeof HELP_OPTION } }>
>['values'];

/** Parses a command's flags strictly, with -h/--help added to `specs`. What parseArgs refuses
 * comes back as a CommandUsageError naming the flag and the command's help; for --help, `usage`
 * is written to stdout and the result is null (the command then has nothing left to do). */
export function parseCommandFlags<S extends FlagSpecs>(
  command: string,
  argv: string[],
  specs: S,
  usage: string,
  io: CommandIo,
): CommandFlags<S> | null {
  const options = { ...specs, help: HELP_OPTION };
  const { values } = parseOrExplain(command, argv, () =>
    parseArgs({ args: argv, strict: true, options }),
  );
  // The generic `S` hides from TypeScript that `help` is always among the options.
  if ((values as { help?: boolean }).help) {
    io.stdout.write(usage);
    return null;
  }
  return values as CommandFlags<S>;
}

/** Runs parseArgs; what it refuses comes back naming the flag and the command's help. */
function parseOrExplain<T>(command: string, argv: string[], parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const flag = /'(-{1,2}[^' <]+)/.exec(errorMessage(error))?.[1] ?? '';
    const problem =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option ${flag}`
        : code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? `option ${flag} needs a value`
          : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
            ? `unexpected argument ${JSON.stringify(argv.find((a) => !a.startsWith('-')) ?? '')}`
            : errorMessage(error);
    throw new CommandUsageError(
      `${problem.trim()}. Run \`quire-server ${command} --help\` for the options.`,
    );
  }
}

/** Where the documents are. */
export type Target =
  | { kind: 'server'; url: string; token?: string }
  | { kind: 'data'; dataDir: string }
  | { kind: 'postgres'; databaseUrl: string };

export const TARGET_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string' },
  'database-url': { type: 'string' },
} as const;

export const TARGET_USAGE = `Where the documents are ([where], one of):
  --server <url>       a running server's HTTP API, e.g. http://127.0.0.1:1234
    --token <t>        access token when the server has --secret [QUIRE_TOKEN]
                       (quire-server token --doc '*' --mode ro|rw)
  --data <dir>         the server's data directory, read directly [QUIRE_DATA]
                       default ${DEFAULT_DATA_DIR}
  --database-url <u>   a PostgreSQL store [QUIRE_DATABASE_URL]`;

interface TargetValues {
  server?: string;
  token?: string;
  data?: string;
  'database-url'?: string;
}

/** The target the flags name, flags before environment; problems are appended to `problems`.
 * Without any flag: QUIRE_DATABASE_URL if set, else QUIRE_DATA or ./data, like `serve`. */
export function resolveTarget(
  values: TargetValues,
  env: NodeJS.ProcessEnv,
  problems: string[],
): Target {
  const given = (['server', 'data', 'database-url'] as const).filter(
    (f) => values[f] !== undefined,
  );
  if (given.length > 1) {
    problems.push(
      `${given.map((f) => `--${f}`).join(' and ')} name different stores: give one of them`,
    );
  }
  if (values.server !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(values.server);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      problems.push(
        `--server "${values.server}" must be the server's http(s) address, e.g. --server http://127.0.0.1:1234`,
      );
    }
    const token = values.token ?? (env.QUIRE_TOKEN || undefined);
    const base = values.server.replace(/\/+$/, '');
    return token === undefined
      ? { kind: 'server', url: base }
      : { kind: 'server', url: base, token };
  }
  if (values.token !== undefined) {
    problems.push('--token goes with --server; a data directory is read without one');
  }
  if (values['database-url'] !== undefined) {
    return { kind: 'postgres', databaseUrl: values['database-url'] };
  }
  if (values.data !== undefined) {
    if (values.data.trim() === '') problems.push('--data is empty: use e.g. --data ./data');
    return { kind: 'data', dataDir: values.data };
  }
  if (env.QUIRE_DATABASE_URL) return { kind: 'postgres', databaseUrl: env.QUIRE_DATABASE_URL };
  return { kind: 'data', dataDir: env.QUIRE_DATA || DEFAULT_DATA_DIR };
}

/** Where a command writes: the process's own streams, or a test's buffers. */
export interface CommandIo {
  stdout: {
    write(chunk: Uint8Array | string, callback?: (error?: Error | null) => void): boolean;
    isTTY?: boolean;
  };
  stderr: { write(chunk: string): boolean };
}
export const processIo: CommandIo = process;

/** An operations command as quire-server runs it: its arguments, the environment, and where it
 * writes; resolves with its exit code. */
export type CommandRunner = (
  argv: string[],
  env: NodeJS.ProcessEnv,
  io?: CommandIo,
) => Promise<number>;

/** A command from its name (for its messages), its flags, its --help text and its body, which
 * runs with the parsed flags unless --help was asked for; runCommand turns the outcome into the
 * exit code. */
export function defineCommand<S extends FlagSpecs>(
  command: string,
  specs: S,
  usage: string,
  body: (flags: CommandFlags<S>, env: NodeJS.ProcessEnv, io: CommandIo) => Promise<void>,
): CommandRunner {
  return (argv, env, io = processIo) =>
    runCommand(command, io, async () => {
      const flags = parseCommandFlags(command, argv, specs, usage, io);
      if (flags) await body(flags, env, io);
    });
}

/** Runs a command body and turns its outcome into an exit code, with one `quire-server
 * <command>: …` line on stderr for a failure. */
export async function runCommand(
  command: string,
  io: CommandIo,
  body: () => Promise<void>,
): Promise<number> {
  try {
    await body();
    return 0;
  } catch (error) {
    io.stderr.write(`quire-server ${command}: ${errorMessage(error)}\n`);
    return error instanceof CommandUsageError ? 2 : 1;
  }
}
