/**
 * The server's options as callers give them (QuireServerOptions, each documented with its
 * default) and as the server uses them once defaults are filled in (ResolvedOptions). Defaults
 * are in config-defaults.ts, checks in config-validation.ts; config.ts puts them together.
 */
import type { Authorize } from './access/access.js';
import type { TrustedProxies } from './access/trusted-proxies.js';
import type { DocumentBus } from './bus/adapter.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Logger } from './log.js';
import type { WebhookOptions } from './webhooks/webhook-options.js';

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
  /** With a bus: presence changes of this instance's clients are batched for at most this long
   * (one clock for every document, so their messages leave together) and published as one
   * message per document (the latest state of each client). Default 40 ms. */
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
   * again later), and a `POST /api/docs` (the same budget) with HTTP 429 and Retry-After.
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
  /** Log a warning at start in open mode (neither `secret` nor `authorize`). Default true;
   * quire-server sets it false because it prints its own banner (one warning, not two). */
  warnOpenMode?: boolean;
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
