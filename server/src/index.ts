/** @quire/server — public API. Everything not exported here is internal. */
export { createQuireServer, type QuireServer } from './server.js';
export {
  ConfigError,
  DEFAULT_DATA_DIR,
  DEFAULT_HOST,
  DEFAULT_PORT,
  resolveOptions,
  type QuireServerOptions,
} from './config.js';
export {
  AccessDeniedError,
  type Access,
  type AccessMode,
  type Authorize,
  type UpgradeRequest,
} from './access/access.js';
export type {
  CompactionCover,
  DocumentInfo,
  ListOptions,
  ListOrder,
  LogTail,
  StorageAdapter,
  StoredDocument,
} from './storage/adapter.js';
export { listCursor } from './storage/adapter.js';
export { MemoryStorage } from './storage/memory.js';
export type {
  NewVersion,
  StoredVersion,
  VersionInfo,
  VersionKind,
  VersionListOptions,
  VersionStore,
} from './history/version-store.js';
export type {
  BusEnvelope,
  BusHandler,
  BusMessage,
  DocumentBus,
  InstanceEnvelope,
  InstanceHandler,
  InstanceMessage,
} from './bus/adapter.js';
export { LocalBus, LocalBusHub } from './bus/local.js';
export { RedisBus, type RedisBusOptions } from './bus/redis.js';
export { SqliteStorage, SQLITE_FILE_NAME, type SqliteStorageOptions } from './storage/sqlite.js';
export { PostgresStorage, type PostgresStorageOptions } from './storage/postgres.js';
export type { PostgresPoolOptions } from './storage/postgres-pool.js';
export {
  applyHeapProfile,
  DEFAULT_HEAP_PROFILE,
  HEAP_PROFILES,
  type HeapProfile,
} from './heap-profile.js';
export {
  createConsoleLogger,
  createLogger,
  silentLogger,
  type Logger,
  type LogLevel,
  type LogFormat,
  type LogFields,
  type LoggerOptions,
} from './log.js';
export { Metrics, type MetricsOptions } from './metrics.js';
export {
  Readiness,
  type ReadinessCheck,
  type ReadinessReport,
  READINESS_CHECK_TIMEOUT_MS,
} from './http/readiness.js';
export * as limits from './limits.js';
export {
  signToken,
  verifyToken,
  docPatternMatches,
  TokenError,
  DEFAULT_TOKEN_TTL_SECONDS,
  type TokenClaims,
  type SignTokenOptions,
} from './access/token.js';
export { createTokenAuthorize, tokenFromRequest, TOKEN_PARAM } from './access/token-authorize.js';
export { SIGNATURE_HEADER, signWebhookBody, verifyWebhookSignature } from './webhooks/signature.js';
export type { WebhookOptions } from './webhooks/webhook-options.js';
export type { Webhooks, WebhookHealth } from './webhooks/webhooks.js';
export {
  WEBHOOK_EVENTS,
  type WebhookEventName,
  type WebhookOutbox,
  type NewOutboxEvent,
  type OutboxDelivery,
  type DeadLetter,
  type OutboxStats,
} from './webhooks/outbox.js';
