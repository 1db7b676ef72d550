/**
 * The `quire-server` flags about who a client is and what one may take: `--trust-proxy` (whose
 * forwarding headers name the client) and the per-client-IP budgets it makes meaningful behind a
 * reverse proxy. Kept apart from cli.ts so that file stays the contract's outline.
 */
import { TrustedProxies } from './access/trusted-proxies.js';
import { DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_MAX_NEW_DOCUMENTS_PER_MINUTE } from './limits.js';

/** parseArgs option specs, spread into the serve command's. */
export const CLIENT_LIMIT_OPTIONS = {
  'trust-proxy': { type: 'string', multiple: true },
  'max-connections-per-ip': { type: 'string' },
  'max-new-documents-per-minute': { type: 'string' },
} as const;

/** A help line with a default, in cli.ts's columns (text at column 24, default at 72). */
const withDefault = (text: string, fallback: string) =>
  `${' '.repeat(23)}${text.padEnd(48)}${fallback}`;

export const CLIENT_LIMIT_USAGE = [
  '  --trust-proxy <a>    a reverse proxy whose X-Forwarded-For / Forwarded names the client:',
  '                       IP address or CIDR, e.g. 127.0.0.1 or 10.0.0.0/8; repeatable',
  withDefault('[QUIRE_TRUST_PROXY, comma-separated]', 'default: none'),
  '  --max-connections-per-ip <n>',
  '                       open connections per client IP; more get HTTP 429',
  withDefault('[QUIRE_MAX_CONNECTIONS_PER_IP]', `default ${DEFAULT_MAX_CONNECTIONS_PER_IP}`),
  '  --max-new-documents-per-minute <n>',
  '                       new documents per minute per token subject (else client IP)',
  withDefault(
    '[QUIRE_MAX_NEW_DOCUMENTS_PER_MINUTE]',
    `default ${DEFAULT_MAX_NEW_DOCUMENTS_PER_MINUTE}`,
  ),
  '',
].join('\n');

export interface ClientLimitArgs {
  /** Absent = no proxy trusted. */
  trustProxy?: string[];
  /** Absent = the library default. */
  maxConnectionsPerIp?: number;
  maxNewDocumentsPerMinute?: number;
}

interface ClientLimitValues {
  'trust-proxy'?: string[];
  'max-connections-per-ip'?: string;
  'max-new-documents-per-minute'?: string;
}

export function parseClientLimitArgs(
  values: ClientLimitValues,
  env: NodeJS.ProcessEnv,
): { args: ClientLimitArgs; problems: string[] } {
  const problems: string[] = [];
  const args: ClientLimitArgs = {};
  // Each flag may itself hold a comma-separated list, like the environment variable.
  const trustProxy = (values['trust-proxy'] ?? [env.QUIRE_TRUST_PROXY ?? ''])
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const problem of TrustedProxies.parse(trustProxy).problems) {
    problems.push(`--trust-proxy / QUIRE_TRUST_PROXY ${problem}`);
  }
  if (trustProxy.length > 0) args.trustProxy = trustProxy;
  const count = (flag: keyof ClientLimitValues & `max-${string}`, envName: string) => {
    const text = values[flag] ?? (env[envName] || undefined);
    if (text === undefined) return undefined;
    if (!/^[1-9]\d{0,8}$/.test(text)) {
      problems.push(`--${flag} / ${envName} "${text}" must be a positive whole number, e.g. 50`);
      return undefined;
    }
    return Number(text);
  };
  const perIp = count('max-connections-per-ip', 'QUIRE_MAX_CONNECTIONS_PER_IP');
  if (perIp !== undefined) args.maxConnectionsPerIp = perIp;
  const newDocs = count('max-new-documents-per-minute', 'QUIRE_MAX_NEW_DOCUMENTS_PER_MINUTE');
  if (newDocs !== undefined) args.maxNewDocumentsPerMinute = newDocs;
  return { args, problems };
}
