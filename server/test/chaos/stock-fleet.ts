/**
 * A fleet of stock y-websocket clients (1.x and 3.x mixed) for chaos tests: a seeded PRNG, a
 * record of every close code each client saw, and one convergence check that says which client
 * is behind and why when it times out.
 */
import * as Y from 'yjs';
import { isFinalCloseCode } from '@quire/shared';
import { waitFor } from '../helpers/clients.js';
import {
  versionedStockClient,
  type StockClientOptions,
  type StockVersion,
  type VersionedStockClient,
} from '../helpers/stock-clients.js';

export { seededRandom } from '../helpers/random.js';

export interface FleetClient extends VersionedStockClient {
  name: string;
  /** Set when a 3.x provider announced that it stopped for good (its `closed` event). */
  stoppedWith: number | null;
  /** Connection attempts the provider started after it was created (`connecting` status events). */
  attempts: number;
  /** Messages of failed attempts, e.g. `Unexpected server response: 401` for a refused upgrade. */
  connectionErrors: string[];
}

/** Creates clients and remembers them, so one `destroyAll()` in afterEach cleans up. */
export class StockFleet {
  readonly clients: FleetClient[] = [];

  add(
    version: StockVersion,
    url: string,
    docName: string,
    options: StockClientOptions = {},
  ): FleetClient {
    const base = versionedStockClient(version, url, docName, options);
    const client: FleetClient = {
      ...base,
      name: `${version}#${this.clients.length}`,
      stoppedWith: null,
      attempts: 0,
      connectionErrors: [],
    };
    base.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connecting') client.attempts++;
    });
    base.provider.on('connection-error', (event: Event) => {
      // ws's ErrorEvent carries the reason, e.g. the HTTP status of a refused upgrade.
      const { message } = event as Event & { message?: string };
      client.connectionErrors.push(message ?? 'connection error');
    });
    // Only 3.x emits `closed`: its default shouldReconnect refused to retry after this code.
    base.provider.on('closed', (event: { code: number }) => {
      client.stoppedWith = event.code;
    });
    this.clients.push(client);
    return client;
  }

  destroyAll(): void {
    for (const client of this.clients.splice(0)) client.destroy();
  }
}

/** Every close code in the band stock 3.x treats as final, per client (empty when none). */
export function finalCloses(clients: readonly FleetClient[]): string[] {
  return clients.flatMap((c) =>
    c.closeCodes.filter(isFinalCloseCode).map((code) => `${c.name} closed with ${code}`),
  );
}

/** JSON with every object's keys sorted: replicas hold the same map entries, but in the order
 * each one happened to integrate them, so plain JSON.stringify can differ between equal maps. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Why the fleet has not converged yet, or null once every client is connected, synced and
 * holds exactly the same state (same state vector, same content). */
export function divergence(clients: readonly FleetClient[]): string | null {
  const offline = clients.filter((c) => !c.provider.wsconnected || !c.provider.synced);
  if (offline.length > 0) {
    return offline
      .map(
        (c) =>
          `${c.name} ${c.provider.wsconnected ? 'connected, not synced' : 'disconnected'}` +
          ` (close codes ${c.closeCodes.join(',') || 'none'})`,
      )
      .join('; ');
  }
  const first = clients[0]!;
  const vector = Y.encodeStateVector(first.doc);
  const content = canonicalJson(first.doc.toJSON());
  for (const c of clients.slice(1)) {
    if (!sameBytes(Y.encodeStateVector(c.doc), vector)) {
      return `${c.name} state vector differs from ${first.name}`;
    }
    if (canonicalJson(c.doc.toJSON()) !== content) {
      return `${c.name} content differs from ${first.name}`;
    }
  }
  return null;
}

/** Polls until `divergence` is null; the error names what was still wrong. */
export async function waitConverged(
  clients: readonly FleetClient[],
  timeoutMs: number,
  context: string,
): Promise<void> {
  try {
    await waitFor(() => divergence(clients) === null, timeoutMs, 'convergence');
  } catch {
    throw new Error(`${context}: not converged after ${timeoutMs} ms: ${divergence(clients)}`);
  }
}
