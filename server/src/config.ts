/**
 * Server options: every option typed, with its default, validated in one place. Invalid values
 * produce a single ConfigError that names each bad value and how to fix it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Authorize } from './access/access.js';
import { createTokenAuthorize } from './access/token-authorize.js';
import { TrustedProxies } from './access/trusted-proxies.js';
import type { DocumentBus } from './bus/adapter.js';
import { DEFAULT_AUTO_VERSION_IDLE_MS } from './history/version-policy.js';
import {
  DEFAULT_VERSION_THIN_INTERVAL_MS,
  DEFAULT_VERSIONS_KEEP_ALL_MS,
  DEFAULT_VERSIONS_KEEP_HOURLY_MS,
} from './history/retention.js';
import {
  DEFAULT_BUS_HEARTBEAT_INTERVAL_MS,
  DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS,
} from './bus/instance-heartbeat.js';
import { DEFAULT_BUS_PRESENCE_BATCH_MS } from './bus/presence-link.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Logger } from './log.js';
import {
  resolveWebhookOptions,
  webhookOptionProblems,
  type WebhookOptions,
} from './webhooks/webhook-options.js';
import {
  byteBurstFor,
  DEFAULT_BYTES_PER_SECOND,
  DEFAULT_COMPACT_AFTER_BYTES,
  DEFAULT_COMPACT_AFTER_UPDATES,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_IP_CAP_EXEMPT_ADDRESSES,
  DEFAULT_MAX_AWARENESS_STATE_BYTES,
  DEFAULT_MAX_BUFFERED_CHUNKS,
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL,
  DEFAULT_MAX_NEW_DOCUMENTS_PER_MINUTE,
  DEFAULT_MAX_DOCUMENT_BYTES,
  DEFAULT_MAX_HEADERS_COUNT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MESSAGE_BURST,
  DEFAULT_MESSAGES_PER_SECOND,
  DEFAULT_ROOM_UNLOAD_GRACE_MS,
  DEFAULT_SEND_HIGH_WATER_BYTES,
  DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
  MIN_SECRET_LENGTH,
} from './limits.js';

/** The webhook options (webhookUrls, webhookSecret, …) are in webhooks/webhook-options.ts. */
export interface QuireServerOptions extends WebhookOptions {
  /** TCP port for `listen()`. 0 picks a free port. Default 1234. */
  port?: number;
  /** Interface for `listen()`. Default '127.0.0.1' (loopback only; use 0.0.0.0 to expose). */
  host?: string;
  /** A port of its own for /metrics (with /healthz and /readyz): the editing port then answers
   * 404 for /metrics. 0 picks a free port. Default: none (/metrics on the editing port). */
  metricsPort?: number | null;
  /** Interface of the metrics port, e.g. an internal address. Default: `host`. */
  metricsHost?: string;
  /** Directory of the SQLite database. Default './data'. Ignored when `storage` is given. */
  dataDir?: string;
  /** A storage adapter to use instead of SQLite in `dataDir` (e.g. MemoryStorage). */
  storage?: StorageAdapter;
  /** Other instances serving the same documents from the same store: their stored changes reach
   * this instance's clients through it, and this instance's reach theirs. Default: none (one
   * instance). */
  bus?: DocumentBus;
  /** With a bus: how often one query reads the head seq of every open document, so one that
   * missed the last message of a burst (the bus is at-most-once) catches up from storage.
   * Default 5000 ms. */
  busCatchUpIntervalMs?: number;
  /** With a bus: presence changes of this instance's clients are batched this long per document
   * and published as one message (the latest state of each client). Default 40 ms. */
  busPresenceBatchMs?: number;
  /** With a bus: this instance announces itself this often on the bus's instance channel.
   * Default 2500 ms. */
  busHeartbeatIntervalMs?: number;
  /** With a bus: another instance not heard from for this long is gone, and its clients'
   * presence is removed everywhere (a clean close says goodbye: removed at once). At least twice
   * busHeartbeatIntervalMs; use the same values on every instance. Default 7500 ms. */
  busHeartbeatTimeoutMs?: number;
  /** URL path prefix for WebSocket connections: `/<prefix>/<docName>`. Default '' (none). */
  pathPrefix?: string;
  /** Directory of static files (the demo app) served over HTTP; false to serve none.
   * Default: the built @quire/client demo (client/dist/demo) when it exists. */
  staticDir?: string | false;
  /** HS256 secret that turns token auth on (at least 32 characters): every upgrade then needs a
   * token (`?token=` or `Authorization: Bearer`) signed with it. Default: none (open mode). */
  secret?: string;
  /** Decides each upgrade's access, instead of tokens (e.g. a cookie/session check). Throw
   * AccessDeniedError(401|403) to refuse. Default: everyone may read and write (open mode). */
  authorize?: Authorize;
  /** Origins allowed to open WebSockets (exact `scheme://host[:port]`). Default [] = any. */
  allowOrigins?: string[];
  /** Ping interval; dead peers are dropped within two. Default 30000 ms. */
  heartbeatIntervalMs?: number;
  /** How long an empty room stays loaded. Default 2000 ms. */
  roomUnloadGraceMs?: number;
  /** Compact a document's log after this many updates. Default 500. Both thresholds are scaled
   * by snapshot size ÷ compactAfterBytes once the snapshot is bigger than that. */
  compactAfterUpdates?: number;
  /** …or after this many logged bytes. Default 1 MiB. */
  compactAfterBytes?: number;
  /** Largest WebSocket message accepted (ws maxPayload). Default 16 MiB. */
  maxMessageBytes?: number;
  /** WebSocket frames one message may be split into (ws maxFragments); more → 1008.
   * Default 128. */
  maxFragments?: number;
  /** TCP chunks ws may buffer for one message (ws maxBufferedChunks); more → 1008.
   * Default 16384. */
  maxBufferedChunks?: number;
  /** Most open connections per process; more get HTTP 503. Default 10000. */
  maxConnections?: number;
  /** Unsent bytes after which a slow reader gets no more updates until its socket drains; then
   * it is sent what it missed in one sync step 2. Default 8 MiB. */
  sendHighWaterBytes?: number;
  /** How long a slow reader may take to drain before it is closed with 1013. Default 30000 ms. */
  slowConsumerTimeoutMs?: number;
  /** Largest awareness state (JSON text). Default 64 KiB. */
  maxAwarenessStateBytes?: number;
  /** Largest document (encoded Yjs state); growing past it closes the writer with 4413.
   * Default 64 MiB. */
  maxDocumentBytes?: number;
  /** Open connections per client IP; more get HTTP 429. Default 500. */
  maxConnectionsPerIp?: number;
  /** Client addresses exempt from maxConnectionsPerIp, e.g. a reverse proxy on the same host
   * (with trustProxy, the forwarded client address is the one compared).
   * Default: loopback ['127.0.0.1', '::1', '::ffff:127.0.0.1']; [] caps every address. */
  ipCapExemptAddresses?: string[];
  /** Reverse proxies (IP addresses or CIDR ranges, IPv4/IPv6) whose `X-Forwarded-For` (or
   * `Forwarded: for=`) names the client: for requests from them, the per-IP cap, the new-document
   * quota, `authorize`'s remoteAddress and the logs use the forwarded address (the rightmost hop
   * that is not a trusted proxy). Nobody else's forwarding headers are read. Default [] = none.
   */
  trustProxy?: string[];
  /** Open connections per token subject (`sub`); more get HTTP 429. Default 100. */
  maxConnectionsPerPrincipal?: number;
  /** New documents a token subject (or, without one, a client IP not in ipCapExemptAddresses)
   * may create per minute; the write that would create one more is refused with 1013 (try
   * again later).
   * Default 120. */
  maxNewDocumentsPerMinute?: number;
  /** Sustained messages per second per connection; beyond the burst, the connection is
   * throttled (its socket is not read until the budget refills), never closed. Default 500. */
  messagesPerSecond?: number;
  /** Messages a connection may send at once above the sustained rate. Default 1000. */
  messageBurst?: number;
  /** Sustained bytes per second per connection; beyond the burst (2 × maxMessageBytes), the
   * connection is throttled like above. Default 4 MiB. */
  bytesPerSecond?: number;
  /** Deadline for `authorize` (HTTP 503 after it) and for a new connection's first message
   * (1013 after it). Default 10000 ms. */
  handshakeTimeoutMs?: number;
  /** Re-check every open session this often by calling `authorize` again with its upgrade
   * request: a refusal closes it (4401/4403), a `ro` answer makes it a viewer. Use with an
   * `authorize` that can see revocations (session store, token deny-list). 0 = never; token
   * expiry is enforced either way. Default 0. */
  revalidateIntervalMs?: number;
  /** HTTP headers must arrive within this (servers started by `listen()`). Default 10000 ms. */
  headersTimeoutMs?: number;
  /** Most HTTP headers per request (servers started by `listen()`). Default 100. */
  maxHeadersCount?: number;
  /** How long a deleted document (`DELETE /api/docs/<name>`) can be restored
   * (`POST /api/docs/<name>/restore`); a periodic purge removes it after that.
   * Default 2592000000 ms (30 days). */
  deletedRetentionMs?: number;
  /** Version history: a version is saved this long after the last change to a document, once
   * editing pauses (also when the last person leaves, before restores and API writes, and on
   * request). 0 = no versions after a pause. Default 120000 ms (2 minutes). */
  autoVersionIdleMs?: number;
  /** Version history keeps every version this long. Default 86400000 ms (24 hours). */
  versionsKeepAllMs?: number;
  /** …then the newest version of each hour up to this age, and after it the newest of each day.
   * Labelled versions are kept until deleted. At least versionsKeepAllMs.
   * Default 2592000000 ms (30 days). */
  versionsKeepHourlyMs?: number;
  /** How often old versions are thinned by those rules. Default 3600000 ms (1 hour). */
  versionThinIntervalMs?: number;
  /** Where log lines go. Default: console at 'info'. */
  logger?: Logger;
}

export type ResolvedOptions = Required<
  Omit<
    QuireServerOptions,
    'storage' | 'bus' | 'logger' | 'authorize' | 'secret' | 'webhookSecret' | 'webhookOperator'
  >
> &
  Pick<
    QuireServerOptions,
    'storage' | 'bus' | 'logger' | 'authorize' | 'secret' | 'webhookSecret' | 'webhookOperator'
  > & {
    /** Byte burst per connection, derived from maxMessageBytes. */
    byteBurst: number;
    /** trustProxy, parsed (access/trusted-proxies.ts). */
    trustedProxies: TrustedProxies;
  };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Quire configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_PORT = 1234;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_BUS_CATCH_UP_INTERVAL_MS = 5_000;
export const DEFAULT_DELETED_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** client/dist/demo, relative to this file in server/dist or server/src. */
export const defaultStaticDir = (): string =>
  fileURLToPath(new URL('../../client/dist/demo', import.meta.url));

export function resolveOptions(options: QuireServerOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    port: options.port ?? DEFAULT_PORT,
    host: options.host ?? DEFAULT_HOST,
    metricsPort: options.metricsPort ?? null,
    metricsHost: options.metricsHost ?? options.host ?? DEFAULT_HOST,
    dataDir: resolve(options.dataDir ?? DEFAULT_DATA_DIR),
    storage: options.storage,
    bus: options.bus,
    busCatchUpIntervalMs: options.busCatchUpIntervalMs ?? DEFAULT_BUS_CATCH_UP_INTERVAL_MS,
    busPresenceBatchMs: options.busPresenceBatchMs ?? DEFAULT_BUS_PRESENCE_BATCH_MS,
    busHeartbeatIntervalMs: options.busHeartbeatIntervalMs ?? DEFAULT_BUS_HEARTBEAT_INTERVAL_MS,
    busHeartbeatTimeoutMs: options.busHeartbeatTimeoutMs ?? DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS,
    pathPrefix: options.pathPrefix ?? '',
    staticDir: options.staticDir ?? defaultStaticDir(),
    secret: options.secret,
    authorize: options.authorize,
    allowOrigins: options.allowOrigins ?? [],
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    roomUnloadGraceMs: options.roomUnloadGraceMs ?? DEFAULT_ROOM_UNLOAD_GRACE_MS,
    compactAfterUpdates: options.compactAfterUpdates ?? DEFAULT_COMPACT_AFTER_UPDATES,
    compactAfterBytes: options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxFragments: options.maxFragments ?? DEFAULT_MAX_FRAGMENTS,
    maxBufferedChunks: options.maxBufferedChunks ?? DEFAULT_MAX_BUFFERED_CHUNKS,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    sendHighWaterBytes: options.sendHighWaterBytes ?? DEFAULT_SEND_HIGH_WATER_BYTES,
    slowConsumerTimeoutMs: options.slowConsumerTimeoutMs ?? DEFAULT_SLOW_CONSUMER_TIMEOUT_MS,
    maxAwarenessStateBytes: options.maxAwarenessStateBytes ?? DEFAULT_MAX_AWARENESS_STATE_BYTES,
    maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    ipCapExemptAddresses: options.ipCapExemptAddresses ?? [...DEFAULT_IP_CAP_EXEMPT_ADDRESSES],
    trustProxy: options.trustProxy ?? [],
    trustedProxies: TrustedProxies.none,
    maxConnectionsPerPrincipal:
      options.maxConnectionsPerPrincipal ?? DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL,
    maxNewDocumentsPerMinute:
      options.maxNewDocumentsPerMinute ?? DEFAULT_MAX_NEW_DOCUMENTS_PER_MINUTE,
    messagesPerSecond: options.messagesPerSecond ?? DEFAULT_MESSAGES_PER_SECOND,
    messageBurst: options.messageBurst ?? DEFAULT_MESSAGE_BURST,
    bytesPerSecond: options.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND,
    byteBurst: byteBurstFor(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES),
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    revalidateIntervalMs: options.revalidateIntervalMs ?? 0,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    maxHeadersCount: options.maxHeadersCount ?? DEFAULT_MAX_HEADERS_COUNT,
    deletedRetentionMs: options.deletedRetentionMs ?? DEFAULT_DELETED_RETENTION_MS,
    autoVersionIdleMs: options.autoVersionIdleMs ?? DEFAULT_AUTO_VERSION_IDLE_MS,
    versionsKeepAllMs: options.versionsKeepAllMs ?? DEFAULT_VERSIONS_KEEP_ALL_MS,
    versionsKeepHourlyMs: options.versionsKeepHourlyMs ?? DEFAULT_VERSIONS_KEEP_HOURLY_MS,
    versionThinIntervalMs: options.versionThinIntervalMs ?? DEFAULT_VERSION_THIN_INTERVAL_MS,
    logger: options.logger,
    ...resolveWebhookOptions(options),
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
  const { metricsPort, metricsHost } = resolved;
  if (
    metricsPort !== null &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)
  ) {
    problems.push(`metricsPort ${String(metricsPort)} is not an integer from 0 to 65535`);
  } else if (metricsPort !== null && metricsPort !== 0 && metricsPort === resolved.port) {
    problems.push(
      `metricsPort ${metricsPort} is the editing port: pick another, or leave it unset`,
    );
  }
  if (typeof metricsHost !== 'string' || metricsHost.trim() === '') {
    problems.push('metricsHost is empty; use an interface address such as 10.0.0.5 or 127.0.0.1');
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
    'busPresenceBatchMs',
    'busHeartbeatIntervalMs',
    'busHeartbeatTimeoutMs',
    'busCatchUpIntervalMs',
    'heartbeatIntervalMs',
    'compactAfterUpdates',
    'compactAfterBytes',
    'maxMessageBytes',
    'maxFragments',
    'maxBufferedChunks',
    'maxConnections',
    'sendHighWaterBytes',
    'slowConsumerTimeoutMs',
    'maxAwarenessStateBytes',
    'maxDocumentBytes',
    'maxConnectionsPerIp',
    'maxConnectionsPerPrincipal',
    'maxNewDocumentsPerMinute',
    'messagesPerSecond',
    'messageBurst',
    'bytesPerSecond',
    'handshakeTimeoutMs',
    'headersTimeoutMs',
    'maxHeadersCount',
    'deletedRetentionMs',
    'versionsKeepAllMs',
    'versionsKeepHourlyMs',
    'versionThinIntervalMs',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      problems.push(`${key} must be a positive integer (got ${String(value)})`);
    }
  }
  if (!Number.isInteger(resolved.revalidateIntervalMs) || resolved.revalidateIntervalMs < 0) {
    problems.push(
      `revalidateIntervalMs must be an integer ≥ 0 (got ${resolved.revalidateIntervalMs})`,
    );
  }
  if (resolved.busHeartbeatTimeoutMs < 2 * resolved.busHeartbeatIntervalMs) {
    problems.push(
      `busHeartbeatTimeoutMs (${resolved.busHeartbeatTimeoutMs}) must be at least twice ` +
        `busHeartbeatIntervalMs (${resolved.busHeartbeatIntervalMs}), or one late heartbeat ` +
        'would drop a live instance’s presence',
    );
  }
  if (!Number.isInteger(resolved.autoVersionIdleMs) || resolved.autoVersionIdleMs < 0) {
    problems.push(
      `autoVersionIdleMs must be an integer ≥ 0 (0 = no versions after a pause; got ${resolved.autoVersionIdleMs})`,
    );
  }
  if (resolved.versionsKeepHourlyMs < resolved.versionsKeepAllMs) {
    problems.push(
      `versionsKeepHourlyMs (${resolved.versionsKeepHourlyMs}) must be at least versionsKeepAllMs (${resolved.versionsKeepAllMs})`,
    );
  }
  if (!Number.isInteger(resolved.roomUnloadGraceMs) || resolved.roomUnloadGraceMs < 0) {
    problems.push(`roomUnloadGraceMs must be an integer ≥ 0 (got ${resolved.roomUnloadGraceMs})`);
  }
  if (resolved.secret !== undefined) {
    if (typeof resolved.secret !== 'string' || resolved.secret.length < MIN_SECRET_LENGTH) {
      problems.push(
        `secret must have at least ${MIN_SECRET_LENGTH} characters ` +
          '(generate one with `openssl rand -base64 32`)',
      );
    } else if (resolved.authorize !== undefined) {
      problems.push('give either secret (token auth) or authorize (your own check), not both');
    } else {
      resolved.authorize = createTokenAuthorize(resolved.secret);
    }
  }
  // A plain string from JavaScript callers is one entry, not a list of characters.
  const trust = TrustedProxies.parse(
    Array.isArray(resolved.trustProxy) ? resolved.trustProxy : [String(resolved.trustProxy)],
  );
  problems.push(...trust.problems.map((problem) => `trustProxy entry ${problem}`));
  resolved.trustedProxies = trust.proxies;
  problems.push(...webhookOptionProblems(resolved));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
