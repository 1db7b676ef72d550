/**
 * A server's graceful close, in the order that loses nothing: stop what starts new work, save
 * every document and tell its clients so, close their sockets with 1001, then close what the
 * rooms wrote through (history, webhooks, presence) before the store itself.
 */
import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';
import { CloseCode } from '@quire/shared';
import type { BusPresence } from './bus/bus-presence.js';
import type { DocumentTitles } from './documents/document-titles.js';
import type { RetentionRunner } from './history/retention.js';
import type { VersionPolicy } from './history/version-policy.js';
import type { MetricsListener } from './http/metrics-listener.js';
import { errorMessage, type Logger } from './log.js';
import type { DocumentStore } from './persistence/document-store.js';
import type { RoomRegistry } from './room/room-registry.js';
import type { StorageAdapter } from './storage/adapter.js';
import type { Connection } from './transport/connection.js';
import type { Webhooks } from './webhooks/webhooks.js';

/** How long close() waits for clients to acknowledge the 1001 close before cutting them off. */
const CLOSE_HANDSHAKE_WAIT_MS = 1_000;

export interface ShutdownParts {
  /** Stop the intervals (session checks, purges, sweeps), in this order. */
  stopTimers: (() => void)[];
  /** The HTTP servers listen() started (an embedder's own are left alone). */
  ownedServers: Server[];
  connections: Set<Connection>;
  rooms: RoomRegistry;
  store: DocumentStore;
  storage: StorageAdapter;
  wss: WebSocketServer;
  policy: VersionPolicy | null;
  titles: DocumentTitles | null;
  webhooks: Webhooks | null;
  retention: RetentionRunner | null;
  presence: BusPresence | null;
  /** The metrics listener, if one was started by the time of the close. */
  metricsListener(): Promise<MetricsListener> | null;
  log: Logger;
}

/** Closes everything; rejects at the end (after closing all) when something written was not
 * made durable. The caller has already stopped accepting upgrades. */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  const { connections, rooms, store, storage, log } = parts;
  for (const stop of parts.stopTimers) stop();
  parts.policy?.close();
  for (const server of parts.ownedServers) server.close();
  await rooms.flushAll();
  // fsync and persisted acks go out before the 1001 close, so open tabs end on "Saved".
  await store.flushCommits();
  const open = [...connections];
  for (const connection of open) connection.close(CloseCode.GoingAway, 'server shutting down');
  await waitFor(() => connections.size === 0, CLOSE_HANDSHAKE_WAIT_MS);
  for (const connection of connections) connection.terminate();
  await rooms.closeAll();
  // Unloading wrote the pending titles; nothing is scheduled after this.
  parts.titles?.close();
  // Every room captured what changed since its last version when it closed: written before
  // the store closes.
  await parts.policy?.drain();
  // Open change windows end now (due at the next start); the senders stop.
  await parts.webhooks?.close();
  await parts.retention?.stop();
  // After the rooms published their last removals: the others drop this instance at once.
  await parts.presence?.close();
  await storage.sync().catch((error: unknown) => {
    log.error('final fsync failed', { error: errorMessage(error) });
  });
  await store.flushCommits();
  const unsaved = store.unsavedReason();
  store.close();
  log.info('durability stats', { ...store.durabilityStats() });
  await storage.close();
  for (const server of parts.ownedServers) server.closeAllConnections();
  await parts.metricsListener()?.then(
    (listener) => listener.close(),
    () => {},
  );
  parts.wss.close();
  if (unsaved) throw new Error(`shutdown with unsaved documents: ${unsaved}`);
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
