/**
 * Stock clients that drop and rejoin while everybody keeps typing. The reported bug: a client
 * that typed right after reconnecting sent an update depending on its own offline edits before
 * the sync exchange had delivered them; the server closed it with 4400, which stock 3.x treats
 * as final, so that user stayed disconnected and the replicas diverged. Such an update must
 * instead be answered with a resync, so nobody ever sees a code in 4400–4499.
 *
 * Each run: 6 clients (3.x and 1.x mixed) reaching the server through a fault proxy with a few
 * milliseconds of latency, each typing on its own timer without ever waiting for sync, and each
 * cycling through disconnect()/connect(), abrupt drops on its side, and resets (RST, sometimes in
 * the middle of a frame) of its link, as a server or load balancer dropping it would cause.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { FaultProxy } from './fault-proxy.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import {
  divergence,
  finalCloses,
  seededRandom,
  StockFleet,
  waitConverged,
  type FleetClient,
} from './stock-fleet.js';

const SEEDS = [11, 23, 37, 41, 59, 67, 73, 89, 97, 101];
const CLIENTS = 6;
/** How long the clients type and cycle before the chaos stops. */
const CHAOS_MS = 1_200;
/** Every Nth keystroke is an embed carrying a unique marker instead of a character. */
const MARKER_EVERY = 8;

interface Typist {
  client: FleetClient;
  /** The one character this client types, so its keystrokes can be counted in the result. */
  letter: string;
  keystrokes: number;
  markers: string[];
}

describe('stock clients reconnecting while others type', () => {
  let running: RunningServer | null = null;
  let proxy: FaultProxy | null = null;
  const fleet = new StockFleet();
  const timers = new Set<NodeJS.Timeout>();

  afterEach(async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    fleet.destroyAll();
    await proxy?.close();
    proxy = null;
    await running?.close();
    running = null;
  });

  /** A bounded, cancellable timer chain: `step` runs after each delay until the chaos ends. */
  const repeat = (until: number, delay: () => number, step: () => void) => {
    const tick = () => {
      if (Date.now() >= until) return;
      step();
      const timer = setTimeout(() => {
        timers.delete(timer);
        tick();
      }, delay());
      timers.add(timer);
    };
    const first = setTimeout(() => {
      timers.delete(first);
      tick();
    }, delay());
    timers.add(first);
  };

  const type = (typist: Typist, random: () => number) => {
    const { text } = typist.client;
    const index = Math.floor(random() * (text.length + 1));
    typist.keystrokes++;
    if (typist.keystrokes % MARKER_EVERY === 0) {
      const marker = `${typist.client.name}-${typist.keystrokes}`;
      typist.markers.push(marker);
      text.insertEmbed(index, { marker });
    } else {
      text.insert(index, typist.letter);
    }
  };

  /** Goes offline (a clean disconnect, or the socket cut without a close handshake) and comes
   * back later. A 3.x client that stopped for good is left alone, as its app would be. */
  const cycle = (client: FleetClient, random: () => number) => {
    const { provider } = client;
    if (client.stoppedWith !== null || !provider.wsconnected) return;
    const roll = random();
    if (roll < 0.25) {
      // The link is reset under the client (both sides get an RST).
      const port = (provider.ws as unknown as { _socket?: { localPort?: number } } | null)?._socket
        ?.localPort;
      const link = proxy?.connections.find((c) => c.client.remotePort === port);
      void link?.reset({ midFrame: random() < 0.5, maxWaitMs: 20 });
      return;
    }
    if (roll < 0.45) {
      // An abrupt drop: the provider sees 1006 and reconnects on its own, with its backoff.
      (provider.ws as unknown as { terminate(): void } | null)?.terminate();
      return;
    }
    provider.disconnect();
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (client.stoppedWith === null) provider.connect();
      },
      20 + Math.floor(random() * 130),
    );
    timers.add(timer);
  };

  it.each(SEEDS)(
    'seed %i: nobody is closed for good, everyone ends connected with identical documents and every keystroke',
    async (seed) => {
      const random = seededRandom(seed);
      const server = await startServer({ storage: new MemoryStorage() });
      running = server;
      proxy = await FaultProxy.start(server.port);
      proxy.setLatency(1 + Math.floor(random() * 5));
      const typists: Typist[] = [];
      for (let i = 0; i < CLIENTS; i++) {
        const version: StockVersion = random() < 0.5 ? 'v1' : 'v3';
        const client = fleet.add(version, proxy.wsUrl, `chaos-${seed}`);
        typists.push({ client, letter: String.fromCharCode(65 + i), keystrokes: 0, markers: [] });
      }

      // No waiting for sync: typing starts at once, and so does the cycling.
      const until = Date.now() + CHAOS_MS;
      for (const typist of typists) {
        // On a real link a keystroke often lands between the socket opening and the sync
        // exchange (a round trip); on loopback that window is under a millisecond, so half of
        // the reconnects type at the very instant the socket opens.
        typist.client.provider.on('status', ({ status }: { status: string }) => {
          if (status === 'connected' && Date.now() < until && random() < 0.5) type(typist, random);
        });
        repeat(
          until,
          () => 3 + Math.floor(random() * 12),
          () => type(typist, random),
        );
        repeat(
          until,
          () => 40 + Math.floor(random() * 220),
          () => cycle(typist.client, random),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, CHAOS_MS + 50));
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // The user of every client still running comes back online.
      for (const { client } of typists) if (client.stoppedWith === null) client.provider.connect();

      const context = `seed ${seed}`;
      const clients = typists.map((t) => t.client);
      // A client stopped for good never converges: report its close code without waiting.
      expect(finalCloses(clients), context).toEqual([]);
      // The chaos really happened: links were reset and every client reconnected.
      expect(proxy.stats.resets, context).toBeGreaterThan(0);
      for (const c of clients) expect(c.attempts, `${context}: ${c.name}`).toBeGreaterThan(0);
      await waitConverged(clients, 10_000, context);
      expect(divergence(clients)).toBeNull();

      const result = clients[0]!.text;
      const content = result.toString();
      const delta = result.toDelta() as { insert: string | { marker: string } }[];
      const embeds = new Set(
        delta.flatMap(({ insert }) => (typeof insert === 'object' ? [insert.marker] : [])),
      );
      for (const typist of typists) {
        const typed = typist.keystrokes - typist.markers.length;
        const arrived = content.split(typist.letter).length - 1;
        expect(arrived, `${context}: ${typist.client.name}'s characters`).toBe(typed);
        const missing = typist.markers.filter((m) => !embeds.has(m));
        expect(missing, `${context}: ${typist.client.name}'s markers`).toEqual([]);
      }
    },
  );
});
