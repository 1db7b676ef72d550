/**
 * createQuireServer: wires storage, rooms, the WebSocket handshake and HTTP routes together, and
 * owns the lifecycle (listen / attach / graceful close).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { CreationQuota } from './guards/creation-quota.js';
import { resolveOptions, type QuireServerOptions, type ResolvedOptions } from './config.js';
import type { Connection } from './transport/connection.js';
import { UpdateGuard } from './guards/update-guard.js';
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
import { createConsoleLogger, type Logger } from './log.js';
import { Metrics } from './metrics.js';
import { DocumentStore } from './persistence/document-store.js';
import { DocumentHistory } from './history/document-history.js';
import { RetentionRunner } from './history/retention.js';
import { VersionPolicy } from './history/version-policy.js';
import { versionRoutes } from './http/api/versions.js';
import { createWebhooks, type Webhooks } from './webhooks/webhooks.js';
import { webhookRoutes } from './webhooks/webhook-routes.js';
import { RoomRegistry } from './room/room-registry.js';
import { BusPresence } from './bus/bus-presence.js';
import type { StorageAdapter } from './storage/adapter.js';
import { SqliteStorage } from './storage/sqlite.js';
import { createSessionHandling, startSessionChecks } from './server-sessions.js';
import { listenEditing } from './server-listen.js';
import { shutDown } from './server-shutdown.js';

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

export function createQuireServer(userOptions: QuireServerOptions = {}): QuireServer {
  const options = resolveOptions(userOptions);
  const log: Logger = options.logger ?? createConsoleLogger();
  // quire-server says it with a banner instead (warnOpenMode false): one warning, not two.
  if (!options.authorize && options.warnOpenMode) {
    log.warn(
      'OPEN MODE: no secret or authorize hook; anyone who reaches this server can read and write every document',
    );
  }
  const metrics = new Metrics();
  const storage = options.storage ?? new SqliteStorage({ dataDir: options.dataDir, logger: log });
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
  api.add(...versionRoutes(history, webhooks));
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
  const stopSessionChecks = startSessionChecks(connections, options, log);
  const { wss, onUpgrade } = createSessionHandling({
    options,
    rooms,
    updateGuard,
    creationQuota,
    log,
    metrics,
    connections,
    isAccepting: () => accepting,
    isDeleted: (name) => documents.isDeleted(name),
  });

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
    const address = await listenEditing(options, handleRequest, (server) => {
      ownedServers.push(server);
      attach(server);
    });
    const metricsAt = await startMetrics();
    return metricsAt ? { ...address, metricsUrl: metricsAt.url } : address;
  };

  const shutdown = () => {
    accepting = false;
    return shutDown({
      stopTimers: [stopSessionChecks, stopPurge, stopDeletedSweep],
      ownedServers,
      connections,
      rooms,
      store,
      storage,
      wss,
      policy,
      titles,
      webhooks,
      retention,
      presence,
      metricsListener: () => metricsListener,
      log,
    });
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
