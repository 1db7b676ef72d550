/**
 * The `quire-server` flags about what the server tells its operators: `--log-format` (JSON lines
 * or a terminal's pretty form) and `--metrics-host` / `--metrics-port` (a listener of its own
 * for /metrics, /healthz and /readyz, e.g. on an internal interface; the editing port then
 * answers 404 for /metrics). Kept apart from cli.ts so that file stays the contract's outline.
 */
import { LOG_FORMATS, type LogFormat } from './log.js';

/** parseArgs option specs, spread into the serve command's. */
export const OBSERVABILITY_CLI_OPTIONS = {
  'log-format': { type: 'string' },
  'metrics-host': { type: 'string' },
  'metrics-port': { type: 'string' },
} as const;

/** A help line with a default, in cli.ts's columns (text at column 24, default at 72). */
const withDefault = (text: string, fallback: string) =>
  `${' '.repeat(23)}${text.padEnd(48)}${fallback}`;

export const OBSERVABILITY_USAGE = [
  `  --log-format <f>     ${LOG_FORMATS.join(' | ')}: JSON lines, or readable in a terminal`,
  withDefault('[QUIRE_LOG_FORMAT]', 'default json'),
  '  --metrics-port <n>   serve /metrics (and /healthz, /readyz) on this port only; the',
  '                       editing port then answers 404 for /metrics; 0 = any free port',
  withDefault('[QUIRE_METRICS_PORT]', 'default: none (/metrics on --port)'),
  '  --metrics-host <a>   interface of the metrics port, e.g. an internal address',
  withDefault('[QUIRE_METRICS_HOST]', 'default: --host'),
  '',
].join('\n');

export interface ObservabilityArgs {
  /** Absent = JSON lines. */
  logFormat?: LogFormat;
  /** Absent = /metrics on the editing port. */
  metricsPort?: number;
  /** Absent = the editing host. */
  metricsHost?: string;
}

interface ObservabilityValues {
  'log-format'?: string;
  'metrics-host'?: string;
  'metrics-port'?: string;
}

export function parseObservabilityArgs(
  values: ObservabilityValues,
  env: NodeJS.ProcessEnv,
): { args: ObservabilityArgs; problems: string[] } {
  const problems: string[] = [];
  const format = values['log-format'] ?? (env.QUIRE_LOG_FORMAT || 'json');
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    problems.push(
      `--log-format / QUIRE_LOG_FORMAT "${format}" must be one of ${LOG_FORMATS.join(', ')}`,
    );
  }
  const args: ObservabilityArgs = {};
  if (format !== 'json') args.logFormat = format as LogFormat;
  const portText = values['metrics-port'] ?? (env.QUIRE_METRICS_PORT || undefined);
  if (portText !== undefined) {
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port <= 65535)) {
      problems.push(
        `--metrics-port / QUIRE_METRICS_PORT "${portText}" is not a port number: use 0–65535, e.g. --metrics-port 9464`,
      );
    } else {
      args.metricsPort = port;
    }
  }
  const host = values['metrics-host'] ?? (env.QUIRE_METRICS_HOST || undefined);
  if (host !== undefined) {
    if (host.trim() === '') {
      problems.push('--metrics-host is empty: use e.g. --metrics-host 10.0.0.5 or 127.0.0.1');
    } else if (args.metricsPort === undefined && portText === undefined) {
      problems.push('--metrics-host / QUIRE_METRICS_HOST needs --metrics-port as well');
    } else {
      args.metricsHost = host;
    }
  }
  return { args, problems };
}
