/**
 * A server's WebSocket sessions: the upgrade handler that admits them (transport/upgrade.ts does
 * the checks), the Connection each becomes once its room is loaded, and the intervals that keep
 * the open ones checked. createQuireServer (server.ts) wires these to the rest.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '@quire/shared';
import type { ResolvedOptions } from './config.js';
import { startRevalidation } from './access/revalidate.js';
import { startSessionSweep } from './access/session-sweep.js';
import { ConnectionCaps } from './guards/connection-caps.js';
import { type CreationQuota, creationQuotaKey } from './guards/creation-quota.js';
import type { UpdateGuard } from './guards/update-guard.js';
import { SESSION_SWEEP_INTERVAL_MS } from './limits.js';
import { errorMessage, type Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { DocumentGoneError, type RoomRegistry } from './room/room-registry.js';
import { Connection, type ConnectionContext } from './transport/connection.js';
import { startHeartbeat } from './transport/heartbeat.js';
import { handleUpgrade, type Session } from './transport/upgrade.js';

export interface SessionParts {
  options: ResolvedOptions;
  rooms: RoomRegistry;
  updateGuard: UpdateGuard;
  creationQuota: CreationQuota;
  log: Logger;
  metrics: Metrics;
  /** The open connections: added here when a session opens, removed when it closes. */
  connections: Set<Connection>;
  /** False once shutdown began: new upgrades get 503. */
  isAccepting(): boolean;
  /** Whether a document was deleted (410 Gone for its upgrades). */
  isDeleted(name: string): Promise<boolean>;
}

export interface SessionHandling {
  /** ws's server in noServer mode: it only completes upgrades handleUpgrade accepted. */
  wss: WebSocketServer;
  /** The `upgrade` listener for an HTTP server. */
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

export function createSessionHandling(parts: SessionParts): SessionHandling {
  const { options, rooms, connections, log, metrics } = parts;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    maxFragments: options.maxFragments,
    maxBufferedChunks: options.maxBufferedChunks,
  });
  const caps = new ConnectionCaps(options);
  // A connection keeps its upgrade request only to re-check it: otherwise its URL and headers
  // (credentials among them) would stay in memory for the life of every socket.
  const revalidating = options.revalidateIntervalMs > 0 && options.authorize !== undefined;
  const connectionContext: ConnectionContext = {
    sendHighWaterBytes: options.sendHighWaterBytes,
    slowConsumerTimeoutMs: options.slowConsumerTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    rateLimits: options,
    updateGuard: parts.updateGuard,
    creationQuota: parts.creationQuota,
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
    isAccepting: parts.isAccepting,
    connectionCount: () => connections.size,
    isDeleted: parts.isDeleted,
    onConnection,
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(upgradeContext, req, socket, head).catch((error: unknown) => {
      log.error('upgrade failed', { error: errorMessage(error) });
      socket.destroy();
    });
  };
  return { wss, onUpgrade };
}

/** Starts the intervals that check every open session: one each for all of them, no timer per
 * connection. Returns what stops them all. */
export function startSessionChecks(
  connections: Set<Connection>,
  options: ResolvedOptions,
  log: Logger,
): () => void {
  const stopHeartbeat = startHeartbeat(connections, options.heartbeatIntervalMs);
  // Token expiry (4401) and silent new sockets (1013).
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
  return () => {
    stopHeartbeat();
    stopSessionSweep();
    stopRevalidation();
  };
}
