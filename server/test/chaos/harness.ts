/**
 * Clients for chaos tests: a room of real stock y-websocket providers (1.x and 3.x) that type
 * unique markers on timers and announce themselves in awareness, plus a seeded random source.
 * What a healed room must look like is in invariants.ts.
 *
 * Every keystroke inserts a marker like `[t1.42]` at a marker boundary, so concurrent edits never
 * split one another's markers and the final text shows exactly which keystrokes survived.
 */
import * as Y from 'yjs';
import {
  versionedStockClient,
  type StockVersion,
  type VersionedStockClient,
} from '../helpers/stock-clients.js';
import { seededRandom } from '../helpers/random.js';

/** The seeded generator (helpers/random.ts) with the draws the chaos cases need. */
export class Rng {
  readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = seededRandom(seed);
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/** Finds every marker's name in a text (the filler inside a marker never contains '['). */
export const MARKER = /\[([A-Za-z0-9-]+\.\d+)/g;

export interface ChaosClient extends VersionedStockClient {
  name: string;
  /** Markers this client inserted, in order. */
  markers: string[];
}

export interface TypingOptions {
  /** Wait between keystrokes: uniformly random in [min, max] ms. */
  minMs: number;
  maxMs: number;
  /** 'anywhere' inserts at a random marker boundary; 'end' appends (cheap on huge texts). */
  placement?: 'anywhere' | 'end';
  /** Filler characters inside each marker, to make updates big. */
  fillerBytes?: number;
  /** Stop by itself after this many keystrokes. */
  limit?: number;
}

export class ChaosRoom {
  /** Clients still in the room. */
  readonly clients: ChaosClient[] = [];
  /** Markers of clients that left (they were seen by others before leaving, see leave()). */
  readonly departedMarkers: string[] = [];
  private readonly timers = new Map<ChaosClient, NodeJS.Timeout>();
  private named = 0;
  private readonly maxListenersBefore = process.getMaxListeners();

  constructor(
    readonly docName: string,
    readonly rng: Rng,
  ) {}

  get seed(): number {
    return this.rng.seed;
  }

  /** A new stock client of `version` that announces `{ name }` in awareness. */
  join(version: StockVersion, url: string, name = `c${++this.named}`): ChaosClient {
    // Each stock provider running in Node adds a process 'exit' listener (to say goodbye in
    // awareness); a room of dozens is intended here, not a leak.
    const needed = process.listenerCount('exit') + 10;
    if (process.getMaxListeners() < needed) process.setMaxListeners(needed);
    const base = versionedStockClient(version, url, this.docName);
    const client: ChaosClient = Object.assign(base, { name, markers: [] as string[] });
    client.provider.awareness.setLocalStateField('user', { name });
    this.clients.push(client);
    return client;
  }

  /** Removes a client for good (its provider is destroyed, so its presence must vanish). */
  leave(client: ChaosClient): void {
    this.stopTyping(client);
    const i = this.clients.indexOf(client);
    if (i >= 0) this.clients.splice(i, 1);
    this.departedMarkers.push(...client.markers);
    client.destroy();
  }

  /** Inserts one marker now (connected or not: offline edits are synced on reconnect). */
  type(
    client: ChaosClient,
    options: Pick<TypingOptions, 'placement' | 'fillerBytes'> = {},
  ): string {
    const marker = `${client.name}.${client.markers.length + 1}`;
    const content = `[${marker}${options.fillerBytes ? `|${'x'.repeat(options.fillerBytes)}` : ''}]`;
    const length = client.text.length;
    let index = length;
    if (options.placement !== 'end' && length > 0 && !this.rng.chance(0.4)) {
      const text = client.text.toString();
      const from = this.rng.int(0, length);
      const close = text.indexOf(']', from);
      // Right after a marker's closing bracket (or at the very start) is always a boundary.
      index = this.rng.chance(0.1) ? 0 : close === -1 ? length : close + 1;
    }
    client.text.insert(index, content);
    client.markers.push(marker);
    return marker;
  }

  /** Types on a timer, never pausing for reconnects, until stopTyping() (or `limit`). */
  startTyping(client: ChaosClient, options: TypingOptions): void {
    this.stopTyping(client);
    const started = client.markers.length;
    const tick = () => {
      this.type(client, options);
      if (options.limit !== undefined && client.markers.length - started >= options.limit) {
        this.timers.delete(client);
        return;
      }
      this.timers.set(client, setTimeout(tick, this.rng.int(options.minMs, options.maxMs)));
    };
    this.timers.set(client, setTimeout(tick, this.rng.int(options.minMs, options.maxMs)));
  }

  stopTyping(client?: ChaosClient): void {
    for (const [c, timer] of [...this.timers]) {
      if (client && c !== client) continue;
      clearTimeout(timer);
      this.timers.delete(c);
    }
  }

  get typing(): number {
    return this.timers.size;
  }

  /** Every marker any client (present or departed) inserted. */
  allMarkers(): string[] {
    return [...this.departedMarkers, ...this.clients.flatMap((c) => c.markers)];
  }

  destroy(): void {
    this.stopTyping();
    for (const client of this.clients.splice(0)) client.destroy();
    process.setMaxListeners(this.maxListenersBefore);
  }
}

/** Counts of each marker name in a text. */
export function markerCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(MARKER)) {
    counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}

/** A client's state vector as a plain map (clientID → clock). */
export function stateVector(doc: Y.Doc): Map<number, number> {
  return Y.decodeStateVector(Y.encodeStateVector(doc));
}
