/**
 * Structured logs: JSON lines by default (one object per line: level, time, pid, hostname, msg,
 * and the caller's fields: doc, conn, code, reason…), or a human-readable form for a terminal
 * (`--log-format pretty`). Built on pino; callers see only the small Logger interface.
 *
 * Fields, not interpolation, so a log line never carries a token or a payload by accident:
 * callers pass only what they mean to show, and observability/redact.ts removes what slips
 * through anyway. debug and info go to stdout, warn and error to stderr.
 *
 * The pretty form is pino-pretty as a stream in this thread, not a pino transport: a transport
 * runs in a worker thread, which is one more thread per process and can lose the last lines when
 * the process exits right after them (a failed start, a shutdown). Both forms write
 * synchronously for the same reason.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import { REDACT_PATHS, REDACTED, scrubText } from './observability/redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  /** Least severe level written. Default 'info'. */
  level?: LogLevel;
  /** 'json' (one JSON object per line) or 'pretty' (for a terminal). Default 'json'. */
  format?: LogFormat;
  /** Where every line goes (tests, embedders). Default: stdout, and stderr for warn and error. */
  destination?: NodeJS.WritableStream;
}

/** Keys pino writes itself: a caller's field of the same name is renamed, or the line would
 * carry the key twice. */
const RESERVED_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? 'json';
  const stream = (fd: 1 | 2): DestinationStream =>
    format === 'pretty'
      ? pretty({
          sync: true,
          destination: options.destination ?? fd,
          // Colors for a terminal only, never in a file or a pipe.
          colorize:
            !options.destination && Boolean((fd === 1 ? process.stdout : process.stderr).isTTY),
          singleLine: true,
          // Callers pass `error` as the message text: shown like any field, not as an Error.
          errorLikeObjectKeys: [],
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
        })
      : ((options.destination ?? pino.destination({ dest: fd, sync: true })) as DestinationStream);
  const destination = options.destination
    ? stream(1)
    : pino.multistream(
        [
          { level: 'debug', stream: stream(1) },
          { level: 'warn', stream: stream(2) },
        ],
        { dedupe: true },
      );
  const logger = pino(
    {
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
  return wrap(logger);
}

/** The default logger: JSON lines at `level`. */
export function createConsoleLogger(level: LogLevel = 'info', format: LogFormat = 'json'): Logger {
  return createLogger({ level, format });
}

function wrap(logger: PinoLogger): Logger {
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (!logger.isLevelEnabled(level)) return;
    // The message first, then the fields: a line reads (and greps) like the sentence it is.
    logger[level]({ msg: scrubText(message), ...(fields ? clean(fields) : {}) });
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function clean(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[RESERVED_KEYS.has(key) ? `field_${key}` : key] =
      typeof value === 'string' ? scrubText(value) : value;
  }
  return out;
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
