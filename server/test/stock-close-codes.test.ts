/**
 * What stock y-websocket clients (3.x and 1.x, unmodified) do after each close the server sends,
 * provoked for real (chaos/stock-close-scenarios.ts). A passing condition must use a code every
 * stock client retries after, so both generations reconnect and converge once it ends; a final
 * code (4400–4499) must stop 3.x for good, and 1.x — which by its own design reconnects after
 * every close — must be refused again without receiving content it may no longer see.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, isFinalCloseCode } from '@quire/shared';
import { MemoryStorage } from '../src/index.js';
import { rawSocket, waitFor, type RawSocket } from './helpers/clients.js';
import { startServer, tempDir, type RunningServer } from './helpers/server.js';
import { STOCK_VERSIONS } from './helpers/stock-clients.js';
import { FINAL, OVERSIZED, RETRYABLE, type ScenarioEnv } from './chaos/stock-close-scenarios.js';
import { finalCloses, StockFleet, waitConverged } from './chaos/stock-fleet.js';

/** The providers' maxBackoffTime in these tests (stock-clients.ts default). */
const MAX_BACKOFF_MS = 200;

describe('stock clients after each server close code', () => {
  const fleet = new StockFleet();
  const servers = new Set<RunningServer>();
  const dirs: { remove(): void }[] = [];
  const sockets: RawSocket[] = [];

  afterEach(async () => {
    fleet.destroyAll();
    for (const raw of sockets.splice(0)) raw.ws.terminate();
    await Promise.all([...servers].map((s) => s.close()));
    servers.clear();
    for (const dir of dirs.splice(0)) dir.remove();
  });

  const env: ScenarioEnv = {
    fleet,
    start: async (options) => {
      const server = await startServer(options);
      servers.add(server);
      return server;
    },
    stop: async (server) => {
      servers.delete(server);
      await server.close();
    },
    tempDir: () => {
      const dir = tempDir('quire-close-codes-');
      dirs.push(dir);
      return dir.path;
    },
  };

  describe.each(STOCK_VERSIONS)('a stock %s client', (version) => {
    it.each(RETRYABLE)(
      'closed with $code ($condition) reconnects and converges, edits flowing both ways',
      async (scenario) => {
        expect(isFinalCloseCode(scenario.code)).toBe(false);
        const { subject, peers, recover } = await scenario.provoke(version, env);
        const all = [subject, ...peers];
        const context = `${version} after ${scenario.code}`;
        // Made while the condition lasts: the subject is cut off, the peer keeps editing.
        subject.text.insert(subject.text.length, ' [subject while closed]');
        peers[0]!.text.insert(0, '[peer meanwhile] ');
        await recover!();
        await waitConverged(all, 10_000, context);
        for (const client of all) {
          expect(client.text.toString()).toContain('[subject while closed]');
          expect(client.text.toString()).toContain('[peer meanwhile]');
        }
        // And live, once reconnected.
        subject.text.insert(0, '[subject live] ');
        peers[0]!.text.insert(0, '[peer live] ');
        await waitConverged(all, 5_000, `${context}, live edits`);
        expect(peers[0]!.text.toString()).toContain('[subject live]');
        expect(subject.text.toString()).toContain('[peer live]');
        expect(subject.closeCodes).toContain(scenario.code);
        // No passing condition may produce a code stock 3.x treats as final, for anyone.
        expect(finalCloses(all)).toEqual([]);
      },
    );

    it.each(FINAL)('closed with $code ($condition) is never let back in', async (scenario) => {
      expect(isFinalCloseCode(scenario.code)).toBe(true);
      const { subject, peers } = await scenario.provoke(version, env);
      const [peer] = peers;
      peer!.text.insert(0, '[written after the close] ');
      if (version === 'v3') {
        await waitFor(() => subject.stoppedWith === scenario.code, 2_000, '3.x closed event');
        const attempts = subject.attempts;
        // A missing retry can only be seen over a window: three of the provider's longest
        // backoffs, within which any retry would have started.
        await new Promise((resolve) => setTimeout(resolve, 3 * MAX_BACKOFF_MS + 100));
        expect(subject.attempts).toBe(attempts);
        expect(subject.provider.wsconnected || subject.provider.wsconnecting).toBe(false);
      } else {
        // 1.x reconnects after every close, final or not: that is the provider's own
        // behaviour. Each attempt must be refused again; two, to see it is every one.
        const refusal = scenario.refusedAgain!;
        if ('httpStatus' in refusal) {
          const refused = () =>
            subject.connectionErrors.filter((m) => m.includes(String(refusal.httpStatus)));
          await waitFor(() => refused().length >= 2, 5_000, `HTTP ${refusal.httpStatus} twice`);
        } else {
          const again = () => subject.closeCodes.filter((c) => c === refusal.closeCode);
          await waitFor(() => again().length >= 3, 5_000, `close ${refusal.closeCode} again`);
        }
      }
      if (scenario.accessEnded) {
        expect(subject.text.toString()).not.toContain('[written after the close]');
        expect(subject.provider.synced).toBe(false);
      } else {
        // The refused edit never reached anyone else.
        expect(peer!.text.toString()).not.toContain(OVERSIZED.slice(0, 40));
      }
      // The peer was not affected.
      expect(peer!.provider.wsconnected).toBe(true);
      expect(finalCloses(peers)).toEqual([]);
    });
  });

  // A stock client sends sync step 1 as soon as its socket opens, so it can never be the silent
  // socket this timeout is for (a stalled link would be: see the proxy tests); a raw socket is.
  it('a socket silent past the handshake timeout is closed with 1013, a code stock clients retry after', async () => {
    const server = await env.start({ storage: new MemoryStorage(), handshakeTimeoutMs: 200 });
    const raw = await rawSocket(`${server.wsUrl}/silent`);
    sockets.push(raw);
    const { code } = await raw.closed;
    expect(code).toBe(CloseCode.TryAgainLater);
    expect(isFinalCloseCode(code)).toBe(false);
    // The same document is open to a stock client right after.
    const client = fleet.add('v3', server.wsUrl, 'silent');
    await waitFor(() => client.provider.synced, 5_000, 'stock client sync');
  });
});
