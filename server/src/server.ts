/**
 * createQuireServer: wires storage, rooms, the WebSocket handshake and HTTP routes together, and
 * owns the lifecycle (listen / attach / graceful close).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '@quire/shared';
import { CreationQuota, creationQuotaKey } from './guards/creation-quota.js';
import { resolveOptions, type QuireServerOptions, type ResolvedOptions } from './config.js';
import { Connection, type ConnectionContext } from './transport/connection.js';
import { ConnectionCaps } from './guards/connection-caps.js';
import { startRevalidation } from './access/revalidate.js';
import { startSessionSweep } from './access/session-sweep.js';
import { UpdateGuard } from './guards/update-guard.js';
import {
  HTTP_REQUEST_TIMEOUT_MS,
  HTTP_TIMEOUT_CHECK_INTERVAL_MS,
  SESSION_SWEEP_INTERVAL_MS,
} from './limits.js';
import { startHeartbeat } from './transport/heartbeat.js';
import { handleHttp } from './http/http-routes.js';
import { listenMetrics, type MetricsListener } from './http/metrics-listener.js';
import type { Readiness } from './http/readiness.js';
import { createReadiness, observeServices } from './observability/server-observability.js';
import { createApiRouter } from './http/api/routes.js';
import type { ApiRouter } from './http/api/router.js';
import { DocumentService } from './documents/document-service.js';
import { DocumentTitles, roomObservers } from './documents/document-titles.js';
import { startTombstonePurge } from './documents/tombstone-purge.js';
import { startDeletedRoomSweep } from './documents/deleted-room-sweep.js';
import { createConsoleLogger, errorMessage, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { DocumentStore } from './persistence/document-store.js';
import { DocumentHistory } from './history/document-history.js';
import { RetentionRunner } from './history/retention.js';
import { VersionPolicy } from './history/version-policy.js';
import { versionRoutes } from './http/api/versions.js';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';
import { DocumentGoneError, RoomRegistry } from './room/room-registry.js';
import { BusPresence } from './bus/bus-presence.js';
import type { StorageAdapter } from './storage/adapter.js';
import { SqliteStorage } from './storage/sqlite.js';
import { handleUpgrade, type Session } from './transport/upgrade.js';

export interface QuireServer {
  /** Starts an HTTP server on options.port/host; resolves with where it listens. */
  listen(): Promise<{ host: string; port: number; url: string; metricsUrl?: string }>;
  /** Starts the metrics listener on options.metricsHost/metricsPort (listen() does it too; call
   * it yourself with attach()). Null when no metricsPort is set. */
  listenMetrics(): Promise<{ host: string; port: number; url: string } | null>;
  /** Handles WebSocket upgrades of an existing Node HTTP server (HTTP routes: `handleRequest`). */
  attach(server: Server): void;
  /** The HTTP routes (/healthz, /readyz, /metrics, /api/docs, demo app) as a request handler. */
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Stops accepting, flushes every document, closes sockets with 1001 and the store. */
  close(): Promise<void>;
  readonly options: ResolvedOptions;
  readonly storage: StorageAdapter;
  readonly metrics: Metrics;
  /** The named checks behind /readyz; `readiness.add(name, check)` adds one. */
  readonly readiness: Readiness;
  /** Open connections (for tests and metrics). */
  connectionCount(): number;
  /** Names of documents loaded in memory. */
  loadedDocuments(): string[];
  /** The `/api/...` routes; `api.add(...)` plugs in more (http/api/router.ts). */
  readonly api: ApiRouter;
  /** Server-side document operations (create, read, write, delete) behind the API. */
  readonly documents: DocumentService;
  /** Webhooks (health, dead letters); null when no receiver is configured. */
  readonly webhooks: Webhooks | null;
}

/** How long close() waits for clients to acknowledge the 1001 close before cutting them off. */
const CLOSE_HANDSHAKE_WAIT_MS = 1_000;

export function createQuireServer(userOptions: QuireServerOptions = {}): QuireServer {
  const options = resolveOptions(userOptions);
  const log: Logger = options.logger ?? createConsoleLogger();
  if (!options.authorize) {
    log.warn(
      'OPEN MODE: no secret or authorize hook; anyone who reaches this server can read and write every document',
    );
  }
  const metrics = new Metrics();
  const storage = options.storage ?? new SqliteStorage({ dataDir: options.dataDir });
  // Webhooks, from an outbox in the same store (webhooks/webhooks.ts); null without receivers.
  const webhooks = createWebhooks(options, storage, log, metrics.registry);
  const store = new DocumentStore(storage, options, log, metrics);
  // Version history, in the same store when the adapter keeps versions (history/).
  const versions = storage.versions ?? null;
  const policy = versions
    ? new VersionPolicy({
        versions,
        log,
        metrics,
        autoVersionIdleMs: options.autoVersionIdleMs,
        ...(webhooks ? { onVersionSaving: (doc: string) => webhooks.versionSaving(doc) } : {}),
      })
    : null;
  // Presence across instances: this instance's heartbeat, and a presence link per loaded room.
  const presence = options.bus
    ? new BusPresence({
        bus: options.bus,
        log,
        metrics,
        batchMs: options.busPresenceBatchMs,
        heartbeatIntervalMs: options.busHeartbeatIntervalMs,
        heartbeatTimeoutMs: options.busHeartbeatTimeoutMs,
      })
    : null;
  presence?.start();
  // Titles for the document list, kept in the store as documents change (document-titles.ts).
  const titles = storage.catalog ? new DocumentTitles({ catalog: storage.catalog, log }) : null;
  const rooms = new RoomRegistry({
    store,
    log,
    metrics,
    unloadGraceMs: options.roomUnloadGraceMs,
    maxAwarenessStateBytes: options.maxAwarenessStateBytes,
    ...(options.bus ? { bus: options.bus } : {}),
    ...(policy || titles ? { history: roomObservers(policy, titles) } : {}),
    ...(presence ? { presence } : {}),
    ...(webhooks ? { webhooks } : {}),
    // A deleted document is never loaded again (documents/document-service.ts).
    isDeleted: (name: string): Promise<boolean> => documents.isDeleted(name),
    busCatchUpIntervalMs: options.busCatchUpIntervalMs,
  });
  const connections = new Set<Connection>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    maxFragments: options.maxFragments,
    maxBufferedChunks: options.maxBufferedChunks,
  });
  const caps = new ConnectionCaps(options);
  const updateGuard = new UpdateGuard(options.maxDocumentBytes);
  const documents = new DocumentService({
    rooms,
    storage,
    guard: updateGuard,
    log,
    maxDocumentBytes: options.maxDocumentBytes,
    deletedRetentionMs: options.deletedRetentionMs,
    ...(webhooks ? { events: webhooks } : {}),
    // A version of what an API write replaces (history/version-policy.ts).
    ...(policy ? { beforeWrite: (room, actor) => policy.saveBefore(room, 'api', actor) } : {}),
  });
  // One quota for WebSocket writers and API creates: either way costs the same.
  const creationQuota = new CreationQuota(options.maxNewDocumentsPerMinute);
  const api = createApiRouter({ options, storage, log, documents, creationQuota });
  const stopPurge = startTombstonePurge(documents, log);
  // Sessions on this instance of a document another instance deleted.
  const stopDeletedSweep = startDeletedRoomSweep(documents, log);
  const history =
    versions && policy
      ? new DocumentHistory({
          versions,
          policy,
          exists: (name) => documents.exists(name),
          withRoom: (name, fn) => rooms.withRoom(name, fn),
          guard: updateGuard,
        })
      : null;
  api.add(...versionRoutes(history));
  api.add(...webhookRoutes(webhooks));
  webhooks?.start();
  const retention = versions
    ? new RetentionRunner({
        versions,
        rules: { keepAllMs: options.versionsKeepAllMs, keepHourlyMs: options.versionsKeepHourlyMs },
        intervalMs: options.versionThinIntervalMs,
        log,
        metrics,
        documentExists: async (name) =>
          (await storage.list({ prefix: name, limit: 1, order: 'name' }))[0]?.name === name,
      })
    : null;
  retention?.start();
  const ownedServers: Server[] = [];
  let accepting = true;
  let closing: Promise<void> | null = null;
  const stopHeartbeat = startHeartbeat(connections, options.heartbeatIntervalMs);
  // Token expiry (4401) and silent new sockets (1013): one interval, no timer per connection.
  const stopSessionSweep = startSessionSweep(connections, SESSION_SWEEP_INTERVAL_MS);
  const stopRevalidation =
    options.revalidateIntervalMs > 0 && options.authorize
      ? startRevalidation(connections, {
          intervalMs: options.revalidateIntervalMs,
          timeoutMs: options.handshakeTimeoutMs,
          authorize: options.authorize,
          log,
        })
      : () => {};

  const revalidating = options.revalidateIntervalMs > 0 && options.authorize !== undefined;
  const connectionContext: ConnectionContext = {
    sendHighWaterBytes: options.sendHighWaterBytes,
    slowConsumerTimeoutMs: options.slowConsumerTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    rateLimits: options,
    updateGuard,
    creationQuota,
    log,
    metrics,
    onClose: (c) => {
      connections.delete(c);
      metrics.connectionsClosed++;
    },
  };
  const onConnection = (ws: WebSocket, session: Session) => {
    const connection = new Connection(
      ws,
      {
        docName: session.docName,
        readOnly: session.access.mode === 'ro',
        extensions: session.extensions,
        expiresAt: session.access.expiresAt,
        request: revalidating ? session.request : undefined,
        principal: session.access.principal,
        quotaKey: creationQuotaKey(
          session.access.principal,
          session.remoteAddress,
          options.ipCapExemptAddresses,
        ),
      },
      connectionContext,
    );
    connections.add(connection);
    metrics.connectionsOpened++;
    rooms
      .acquire(session.docName, (state) => connection.sendStoredState(state))
      .then(
        (room) => connection.attach(room),
        (error: unknown) =>
          error instanceof DocumentGoneError
            ? connection.close(CloseCode.Gone, 'document deleted')
            : connection.close(CloseCode.InternalError, 'document failed to load'),
      );
  };

  const upgradeContext = {
    options,
    wss,
    caps,
    log,
    isAccepting: () => accepting,
    connectionCount: () => connections.size,
    isDeleted: (name: string) => documents.isDeleted(name),
    onConnection,
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(upgradeContext, req, socket, head).catch((error: unknown) => {
      log.error('upgrade failed', { error: errorMessage(error) });
      socket.destroy();
    });
  };

  // Unready while saves fail or a dependency is down: a load balancer should send new editors
  // elsewhere (observability/server-observability.ts).
  const services = { store, storage, bus: options.bus, isAccepting: () => accepting };
  const readiness = createReadiness(services);
  if (webhooks) readiness.add('webhooks', () => webhooks.health().reason ?? null);
  observeServices(metrics, readiness, services);
  metrics.setGauges(() => ({ connections: connections.size, rooms: rooms.size }));
  const httpContext = {
    options,
    storage,
    metrics,
    log,
    staticDir: options.staticDir,
    api,
    readiness,
    serveMetrics: options.metricsPort === null,
  };
  const handleRequest = (req: IncomingMessage, res: ServerResponse) => {
    void handleHttp(httpContext, req, res);
  };

  const attach = (server: Server) => {
    server.on('upgrade', onUpgrade);
  };

  let metricsListener: Promise<MetricsListener> | null = null;
  const startMetrics = async () => {
    if (options.metricsPort === null) return null;
    const ctx = { metrics, readiness, log };
    metricsListener ??= listenMetrics(ctx, options.metricsHost, options.metricsPort);
    return metricsListener;
  };
  const listen = async () => {
    const address = await listenEditing();
    const metricsAt = await startMetrics();
    return metricsAt ? { ...address, metricsUrl: metricsAt.url } : address;
  };

  const listenEditing = () =>
    new Promise<{ host: string; port: number; url: string }>((resolve, reject) => {
      // Slowloris defence for servers we own; embedders using attach() set their own.
      const server = createServer(
        {
          headersTimeout: options.headersTimeoutMs,
          requestTimeout: Math.max(HTTP_REQUEST_TIMEOUT_MS, options.headersTimeoutMs),
          connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_INTERVAL_MS,
        },
        handleRequest,
      );
      server.maxHeadersCount = options.maxHeadersCount;
      ownedServers.push(server);
      attach(server);
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        const { port } = server.address() as AddressInfo;
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        resolve({ host: options.host, port, url: `http://${host}:${port}` });
      });
    });

  const shutdown = async () => {
    accepting = false;
    stopHeartbeat();
    stopSessionSweep();
    stopRevalidation();
    stopPurge();
    stopDeletedSweep();
    policy?.close();
    for (const server of ownedServers) server.close();
    await rooms.flushAll();
    // fsync and persisted acks go out before the 1001 close, so open tabs end on "Saved".
    await store.flushCommits();
    const open = [...connections];
    for (const connection of open) connection.close(CloseCode.GoingAway, 'server shutting down');
    await waitFor(() => connections.size === 0, CLOSE_HANDSHAKE_WAIT_MS);
    for (const connection of connections) connection.terminate();
    await rooms.closeAll();
    // Unloading wrote the pending titles; nothing is scheduled after this.
    titles?.close();
    // Every room captured what changed since its last version when it closed: written before
    // the store closes.
    await policy?.drain();
    // Open change windows end now (due at the next start); the senders stop.
    await webhooks?.close();
    await retention?.stop();
    // After the rooms published their last removals: the others drop this instance at once.
    await presence?.close();
    await storage.sync().catch((error: unknown) => {
      log.error('final fsync failed', { error: errorMessage(error) });
    });
    await store.flushCommits();
    const unsaved = store.unsavedReason();
    store.close();
    log.info('durability stats', { ...store.durabilityStats() });
    await storage.close();
    for (const server of ownedServers) server.closeAllConnections();
    await metricsListener?.then(
      (listener) => listener.close(),
      () => {},
    );
    wss.close();
    if (unsaved) throw new Error(`shutdown with unsaved documents: ${unsaved}`);
  };

  return {
    listen,
    attach,
    handleRequest,
    close: () => (closing ??= shutdown()),
    options,
    storage,
    metrics,
    readiness,
    listenMetrics: startMetrics,
    connectionCount: () => connections.size,
    loadedDocuments: () => rooms.loadedNames(),
    api,
    documents,
    webhooks,
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
