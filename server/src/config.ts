/**
 * Server options: every option typed, with its default, validated in one place. Invalid values
 * produce a single ConfigError that names each bad value and how to fix it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Authorize } from './access.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Logger } from './log.js';
import {
  DEFAULT_COMPACT_AFTER_BYTES,
  DEFAULT_COMPACT_AFTER_UPDATES,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_AWARENESS_STATE_BYTES,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_ROOM_UNLOAD_GRACE_MS,
  DEFAULT_SEND_HIGH_WATER_BYTES,
} from './limits.js';

export interface QuireServerOptions {
  /** TCP port for `listen()`. 0 picks a free port. Default 1234. */
  port?: number;
  /** Interface for `listen()`. Default '127.0.0.1' (loopback only; use 0.0.0.0 to expose). */
  host?: string;
  /** Directory of the SQLite database. Default './data'. Ignored when `storage` is given. */
  dataDir?: string;
  /** A storage adapter to use instead of SQLite in `dataDir` (e.g. MemoryStorage). */
  storage?: StorageAdapter;
  /** URL path prefix for WebSocket connections: `/<prefix>/<docName>`. Default '' (none). */
  pathPrefix?: string;
  /** Directory of static files (the demo app) served over HTTP; false to serve none.
   * Default: the built @quire/client demo (client/dist/demo) when it exists. */
  staticDir?: string | false;
  /** Decides each upgrade's access. Default: everyone may read and write (open mode). */
  authorize?: Authorize;
  /** Origins allowed to open WebSockets (exact `scheme://host[:port]`). Default [] = any. */
  allowOrigins?: string[];
  /** Ping interval; dead peers are dropped within two. Default 30000 ms. */
  heartbeatIntervalMs?: number;
  /** How long an empty room stays loaded. Default 2000 ms. */
  roomUnloadGraceMs?: number;
  /** Compact a document's log after this many updates. Default 500. */
  compactAfterUpdates?: number;
  /** …or after this many logged bytes. Default 1 MiB. */
  compactAfterBytes?: number;
  /** Largest WebSocket message accepted (ws maxPayload). Default 16 MiB. */
  maxMessageBytes?: number;
  /** Most open connections per process; more get HTTP 503. Default 10000. */
  maxConnections?: number;
  /** Unsent bytes after which a slow reader is closed with 4429. Default 8 MiB. */
  sendHighWaterBytes?: number;
  /** Largest awareness state (JSON text). Default 64 KiB. */
  maxAwarenessStateBytes?: number;
  /** Where log lines go. Default: console at 'info'. */
  logger?: Logger;
}

export type ResolvedOptions = Required<
  Omit<QuireServerOptions, 'storage' | 'logger' | 'authorize'>
> &
  Pick<QuireServerOptions, 'storage' | 'logger' | 'authorize'>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Quire configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_PORT = 1234;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './data';

/** client/dist/demo, relative to this file in server/dist or server/src. */
export const defaultStaticDir = (): string =>
  fileURLToPath(new URL('../../client/dist/demo', import.meta.url));

export function resolveOptions(options: QuireServerOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    storage: options.storage,
    pathPrefix: options.pathPrefix ?? '',
    staticDir: options.staticDir ?? defaultStaticDir(),
    authorize: options.authorize,
    allowOrigins: options.allowOrigins ?? [],
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    roomUnloadGraceMs: options.roomUnloadGraceMs ?? DEFAULT_ROOM_UNLOAD_GRACE_MS,
    compactAfterUpdates: options.compactAfterUpdates ?? DEFAULT_COMPACT_AFTER_UPDATES,
    compactAfterBytes: options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    sendHighWaterBytes: options.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES,
    maxAwarenessStateBytes: options.maxAwarenessStateBytes ?? DEFAULT_MAX_AWARENESS_STATE_BYTES,
    logger: options.logger,
  };
  const problems: string[] = [];
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    problems.push(
      `port ${String(resolved.port)} is not an integer from 0 to 65535 (0 = any free port)`,
    );
  }
  if (typeof resolved.host !== 'string' || resolved.host.trim() === '') {
    problems.push('host is empty; use an interface address such as 127.0.0.1 or 0.0.0.0');
  }
  if (resolved.pathPrefix !== '' && !/^\/[A-Za-z0-9._~/-]*[^/]$/.test(resolved.pathPrefix)) {
    problems.push(`pathPrefix "${resolved.pathPrefix}" must start with / and not end with /`);
  }
  for (const origin of resolved.allowOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`allowed origin "${origin}" must look like https://example.com[:port]`);
    }
  }
  const positive: (keyof ResolvedOptions)[] = [
    'heartbeatIntervalMs',
    'compactAfterUpdates',
    'compactAfterBytes',
    'maxMessageBytes',
    'maxConnections',
    'sendHighWaterBytes',
    'maxAwarenessStateBytes',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      problems.push(`${key} must be a positive integer (got ${String(value)})`);
    }
  }
  if (!Number.isInteger(resolved.roomUnloadGraceMs) || resolved.roomUnloadGraceMs < 0) {
    problems.push(`roomUnloadGraceMs must be an integer ≥ 0 (got ${resolved.roomUnloadGraceMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
