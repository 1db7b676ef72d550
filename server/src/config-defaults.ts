/**
 * Every option's default, and withDefaults(), which fills them in. The defaults of limits live in
 * limits.ts (each with its reason), those of history and the bus beside the code they tune; the
 * ones that belong to no module are here. Nothing is checked here: config-validation.ts does that.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrustedProxies } from './access/trusted-proxies.js';
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
import { resolveWebhookOptions } from './webhooks/webhook-options.js';
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
} from './limits.js';
import type { QuireServerOptions, ResolvedOptions } from './config-options.js';

export const DEFAULT_PORT = 1234;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DATA_DIR = './data';
export const DEFAULT_BUS_CATCH_UP_INTERVAL_MS = 5_000;
export const DEFAULT_DELETED_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** client/dist/demo, relative to this file in server/dist or server/src. */
export const defaultStaticDir = (): string =>
  fileURLToPath(new URL('../../client/dist/demo', import.meta.url));

/**
 * The options with every default filled in, unchecked. The derived values wait for
 * resolveOptions (config.ts): trustedProxies starts as none until trustProxy has been parsed, and
 * a secret becomes an authorize only once it has been checked.
 */
export function withDefaults(options: QuireServerOptions): ResolvedOptions {
  return {
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
    warnOpenMode: options.warnOpenMode ?? true,
    ...resolveWebhookOptions(options),
  };
}
