/**
 * A client that sends thousands of transactions at once (a paste replayed keystroke by
 * keystroke, a script, a client flushing a long offline session one edit at a time) must be
 * throttled, not disconnected: every update arrives at every client and on disk, and nobody is
 * closed. The 3,000 case runs against the default limits, where such a burst used to end in a
 * rate-limit close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { waitFor } from '../helpers/clients.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import { seededRandom, StockFleet, waitConverged, type FleetClient } from './stock-fleet.js';

/** Clock (number of inserted characters) of `author`'s client in `replica`'s state vector. */
const clockOf = (replica: FleetClient, author: FleetClient) =>
  Y.decodeStateVector(Y.encodeStateVector(replica.doc)).get(author.doc.clientID) ?? 0;

const count = (text: string, letter: string) => text.split(letter).length - 1;

describe('a burst of single-character transactions', () => {
  const fleet = new StockFleet();
  const servers = new Set<RunningServer>();
  const dirs: { remove(): void }[] = [];
  const timers = new Set<NodeJS.Timeout>();

  afterEach(async () => {
    for (const timer of timers) clearInterval(timer);
    timers.clear();
    fleet.destroyAll();
    await Promise.all([...servers].map((s) => s.close()));
    servers.clear();
    for (const dir of dirs.splice(0)) dir.remove();
  });

  const dataDir = () => {
    const dir = tempDir('quire-burst-');
    dirs.push(dir);
    return dir.path;
  };

  const start = async (options: Parameters<typeof startServer>[0]) => {
    const server = await startServer(options);
    servers.add(server);
    return server;
  };

  /** Each keystroke its own transaction, all in one synchronous loop: nothing waits for the
   * socket, so the provider hands every update to ws at once. */
  const burst = (client: FleetClient, letter: string, keystrokes: number) => {
    for (let i = 0; i < keystrokes; i++) client.text.insert(client.text.length, letter);
  };

  /** Types one `letter` at a random spot every few milliseconds until stopped. */
  const typeAlong = (client: FleetClient, letter: string, seed: number) => {
    const random = seededRandom(seed);
    let typed = 0;
    const timer = setInterval(() => {
      client.text.insert(Math.floor(random() * (client.text.length + 1)), letter);
      typed++;
    }, 5);
    timers.add(timer);
    return {
      stop: () => {
        clearInterval(timer);
        timers.delete(timer);
        return typed;
      },
    };
  };

  it('30,000 arrive in full at every client and on disk while two others type, and nobody is closed', async () => {
    // The default sustained rate (500 messages/s) would take a minute for 30,000 messages:
    // throttling is what is tested here, at any rate, so a higher rate keeps the test short.
    const options = { dataDir: dataDir(), messagesPerSecond: 20_000 };
    const server = await start(options);
    const doc = 'burst-30k';
    const burster = fleet.add('v3', server.wsUrl, doc);
    const typists = [fleet.add('v1', server.wsUrl, doc), fleet.add('v3', server.wsUrl, doc)];
    const all = [burster, ...typists];
    await waitFor(() => all.every((c) => c.provider.synced), 5_000, 'initial sync');

    const typing = typists.map((t, i) => typeAlong(t, i === 0 ? 'x' : 'y', 7 + i));
    burst(burster, 'b', 30_000);
    // Typing goes on until the whole burst has reached both typists.
    await waitFor(
      () => typists.every((t) => clockOf(t, burster) === 30_000),
      25_000,
      'the burst at both typists',
    ).catch((error: Error) => {
      const codes = all.map((c) => `${c.name}: ${c.closeCodes.join(',') || 'none'}`);
      throw new Error(`${error.message} (close codes ${codes.join('; ')})`);
    });
    const typed = typing.map((t) => t.stop());
    await waitConverged(all, 10_000, 'after the 30,000 burst');
    const content = burster.text.toString();
    expect(count(content, 'b')).toBe(30_000);
    expect(count(content, 'x')).toBe(typed[0]);
    expect(count(content, 'y')).toBe(typed[1]);
    expect(typed.every((n) => n > 0)).toBe(true);
    expect(all.map((c) => c.closeCodes)).toEqual([[], [], []]);

    // On disk: a new server on the same data dir serves all of it to a fresh client.
    fleet.destroyAll();
    servers.delete(server);
    await server.close();
    const restarted = await start(options);
    const fresh = fleet.add('v3', restarted.wsUrl, doc);
    await waitFor(() => fresh.provider.synced, 10_000, 'fresh client sync after restart');
    expect(fresh.text.toString()).toBe(content);
  });

  it('3,000 from a 1.x and a 3.x client at once, under the default limits, all arrive and neither is closed', async () => {
    const server = await start({ dataDir: dataDir() });
    const doc = 'burst-3k-defaults';
    const versions: StockVersion[] = ['v1', 'v3'];
    const bursters = versions.map((v) => fleet.add(v, server.wsUrl, doc));
    const observer = fleet.add('v3', server.wsUrl, doc);
    const all = [...bursters, observer];
    await waitFor(() => all.every((c) => c.provider.synced), 5_000, 'initial sync');

    bursters.forEach((b, i) => burst(b, i === 0 ? 'o' : 't', 3_000));
    // Over the default burst allowance, so part of it comes in at the sustained rate.
    await waitConverged(all, 20_000, 'after two 3,000 bursts');
    for (const b of bursters) expect(clockOf(observer, b)).toBe(3_000);
    const content = observer.text.toString();
    expect(count(content, 'o')).toBe(3_000);
    expect(count(content, 't')).toBe(3_000);
    expect(all.map((c) => c.closeCodes)).toEqual([[], [], []]);
  });
});
