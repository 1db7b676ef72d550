/**
 * `quire-server token --secret S --doc NAME --mode rw|ro [--ttl SECONDS] [--sub ID] [--name N]`
 * prints one signed token on stdout (nothing else, so `$(quire-server token …)` works).
 * The secret may come from QUIRE_SECRET instead of --secret (keeps it out of shell history).
 */
import { parseArgs } from 'node:util';
import { errorMessage } from '../log.js';
import { DEFAULT_TOKEN_TTL_SECONDS, signToken, type SignTokenOptions } from './token.js';

export const TOKEN_USAGE = `Usage: quire-server token --doc <name> --mode rw|ro [options]

Prints a signed access token for a server started with the same secret.

Options (environment variable in brackets):
  --secret <s>     HS256 secret, at least 32 characters [QUIRE_SECRET]   required
  --doc <name>     a document name, a prefix pattern like team-a/*, or *  required
  --mode <m>       rw (edit) or ro (view only)                            required
  --ttl <seconds>  lifetime                                               default ${DEFAULT_TOKEN_TTL_SECONDS}
  --sub <id>       who the token is for (logs, per-user connection cap)
  --name <name>    display name
  -h, --help       show this help
`;

export class TokenUsageError extends Error {}

export function parseTokenArgs(argv: string[], env: NodeJS.ProcessEnv): SignTokenOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        secret: { type: 'string' },
        doc: { type: 'string' },
        mode: { type: 'string' },
        ttl: { type: 'string' },
        sub: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new TokenUsageError(
      `${errorMessage(error)}. Run \`quire-server token --help\` for the options.`,
    );
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const problems: string[] = [];
  const secret = v.secret ?? env.QUIRE_SECRET ?? '';
  if (secret === '') problems.push('--secret (or QUIRE_SECRET) is required');
  if (v.doc === undefined) problems.push('--doc is required, e.g. --doc notes or --doc team-a/*');
  if (v.mode !== 'rw' && v.mode !== 'ro') problems.push('--mode must be rw or ro');
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (v.ttl !== undefined) {
    ttlSeconds = /^\d+$/.test(v.ttl) ? Number(v.ttl) : NaN;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
      problems.push(`--ttl "${v.ttl}" must be a positive number of seconds, e.g. --ttl 3600`);
    }
  }
  if (problems.length > 0) throw new TokenUsageError(problems.join('\n'));
  return {
    secret,
    doc: v.doc as string,
    mode: v.mode as 'rw' | 'ro',
    ttlSeconds,
    sub: v.sub,
    name: v.name,
  };
}

/** Runs the subcommand; returns the process exit code. */
export async function runTokenCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: SignTokenOptions | 'help';
  try {
    options = parseTokenArgs(argv, env);
    if (options === 'help') {
      process.stdout.write(TOKEN_USAGE);
      return 0;
    }
    process.stdout.write(`${await signToken(options)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`quire-server token: ${errorMessage(error)}\n`);
    return 2;
  }
}
