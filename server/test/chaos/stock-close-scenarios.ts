/**
 * Every close the server can send to a stock y-websocket client, each provoked for real against
 * an in-process server: what sets it up, and (for passing conditions) what ends the condition.
 * stock-close-codes.test.ts runs each scenario with a 1.x and a 3.x client and checks what the
 * client does afterwards.
 */
import { CloseCode } from '@quire/shared';
import {
  AccessDeniedError,
  MemoryStorage,
  signToken,
  type QuireServerOptions,
} from '../../src/index.js';
import { waitFor } from '../helpers/clients.js';
import { FaultyStorage } from '../helpers/faulty-storage.js';
import type { RunningServer } from '../helpers/server.js';
import type { StockVersion } from '../helpers/stock-clients.js';
import type { FleetClient, StockFleet } from './stock-fleet.js';

export interface ScenarioEnv {
  fleet: StockFleet;
  /** Starts an in-process server, closed by the test's cleanup unless stopped earlier. */
  start(options: QuireServerOptions): Promise<RunningServer>;
  /** Closes a server now (a clean shutdown: clients get 1001). */
  stop(server: RunningServer): Promise<void>;
  /** A temporary directory, removed by the test's cleanup. */
  tempDir(): string;
}

export interface Provoked {
  /** The client of the version under test, which the server closes. */
  subject: FleetClient;
  /** Stock 3.x clients of the same document that edit alongside. */
  peers: FleetClient[];
  /** Ends the passing condition (retryable codes only). */
  recover?: () => Promise<void>;
}

export interface CloseScenario {
  code: number;
  condition: string;
  /** For final codes: what each later attempt of a 1.x client (which retries after everything)
   * meets: a refused upgrade with this HTTP status, or the same close code again. */
  refusedAgain?: { httpStatus: number } | { closeCode: number };
  /** For final codes: whether edits made after the close must stay hidden from the subject
   * (its access ended), rather than its oversized edit staying away from the peers. */
  accessEnded?: boolean;
  provoke(version: StockVersion, env: ScenarioEnv): Promise<Provoked>;
}

const SECRET = 'stock-close-codes-test-secret-0123456789';
const synced = (clients: FleetClient[]) =>
  waitFor(() => clients.every((c) => c.provider.synced), 5_000, 'initial sync');
const closedWith = (client: FleetClient, code: number) =>
  waitFor(() => client.closeCodes.includes(code), 8_000, `close ${code} for ${client.name}`);

/** Resolves once `check` (async, e.g. a storage query) is true; bounded like waitFor. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const RETRYABLE: CloseScenario[] = [
  {
    code: CloseCode.GoingAway,
    // A clean shutdown, then a new server on the same port and SQLite data dir.
    condition: 'a restart on the same port and data',
    async provoke(version, env) {
      const dataDir = env.tempDir();
      const server = await env.start({ dataDir });
      const doc = `restart-${version}`;
      const subject = env.fleet.add(version, server.wsUrl, doc);
      const peer = env.fleet.add('v3', server.wsUrl, doc);
      await synced([subject, peer]);
      subject.text.insert(0, 'before the restart. ');
      await waitFor(() => peer.text.toString().includes('before the restart'));
      await env.stop(server);
      await closedWith(subject, CloseCode.GoingAway);
      return {
        subject,
        peers: [peer],
        recover: async () => {
          await env.start({ dataDir, port: server.port });
        },
      };
    },
  },
  {
    code: CloseCode.InternalError,
    condition: 'the document failing to load (EIO)',
    async provoke(version, env) {
      const doc = `unloadable-${version}`;
      const storage = new FaultyStorage(new MemoryStorage());
      storage.loadFault = { code: 'EIO', names: [doc] };
      const server = await env.start({ storage });
      const subject = env.fleet.add(version, server.wsUrl, doc);
      const peer = env.fleet.add('v3', server.wsUrl, doc);
      await closedWith(subject, CloseCode.InternalError);
      return {
        subject,
        peers: [peer],
        recover: async () => {
          storage.loadFault = null;
        },
      };
    },
  },
  {
    code: CloseCode.TryAgainLater,
    // Lasts until someone with quota left creates the document.
    condition: 'the new-documents-per-minute quota',
    async provoke(version, env) {
      // Loopback is exempt from the per-IP quota by default (ipCapExemptAddresses, which also
      // exempts it from the per-IP connection cap); [] makes 127.0.0.1 pay like any address.
      // Clients that give ?user= are charged as that principal instead, with their own quota.
      const storage = new MemoryStorage();
      const server = await env.start({
        storage,
        maxNewDocumentsPerMinute: 1,
        ipCapExemptAddresses: [],
        authorize: (request) => ({
          mode: 'rw',
          principal: request.url.searchParams.get('user') ?? undefined,
        }),
      });
      const first = `quota-first-${version}`;
      const doc = `quota-second-${version}`;
      const warmUp = env.fleet.add(version, server.wsUrl, first);
      warmUp.text.insert(0, 'uses up the quota of 127.0.0.1');
      await eventually(
        async () => (await storage.list()).some((d) => d.name === first),
        'the first document to be stored',
      );
      warmUp.destroy();
      const subject = env.fleet.add(version, server.wsUrl, doc);
      subject.text.insert(0, 'written before the quota refused it. ');
      await closedWith(subject, CloseCode.TryAgainLater);
      // The helper, charged as its own principal, creates the document when the condition ends.
      const helper = env.fleet.add('v3', server.wsUrl, doc, {
        connect: false,
        params: { user: 'helper' },
      });
      return {
        subject,
        peers: [helper],
        recover: async () => helper.provider.connect(),
      };
    },
  },
];

export const FINAL: CloseScenario[] = [
  {
    code: CloseCode.Unauthenticated,
    condition: 'an expired token',
    refusedAgain: { httpStatus: 401 },
    accessEnded: true,
    async provoke(version, env) {
      const server = await env.start({ storage: new MemoryStorage(), secret: SECRET });
      const doc = `expiring-${version}`;
      // Issued 13.5 s ago for 10 s: still valid for the 5 s clock tolerance, so the session
      // opens and the sweep closes it within about two seconds.
      const expiring = await signToken({
        secret: SECRET,
        doc,
        mode: 'rw',
        ttlSeconds: 10,
        now: Date.now() - 13_500,
      });
      const valid = await signToken({ secret: SECRET, doc, mode: 'rw' });
      const subject = env.fleet.add(version, server.wsUrl, doc, { params: { token: expiring } });
      const peer = env.fleet.add('v3', server.wsUrl, doc, { params: { token: valid } });
      await synced([subject, peer]);
      await closedWith(subject, CloseCode.Unauthenticated);
      return { subject, peers: [peer] };
    },
  },
  {
    code: CloseCode.Forbidden,
    condition: 'access withdrawn on revalidation',
    refusedAgain: { httpStatus: 403 },
    accessEnded: true,
    async provoke(version, env) {
      const withdrawn = new Set<string>();
      const server = await env.start({
        storage: new MemoryStorage(),
        revalidateIntervalMs: 100,
        authorize: (request) => {
          const user = request.url.searchParams.get('user') ?? 'anonymous';
          if (withdrawn.has(user)) throw new AccessDeniedError(403, 'access withdrawn');
          return { mode: 'rw', principal: user };
        },
      });
      const doc = `withdrawn-${version}`;
      const subject = env.fleet.add(version, server.wsUrl, doc, { params: { user: 'subject' } });
      const peer = env.fleet.add('v3', server.wsUrl, doc, { params: { user: 'peer' } });
      await synced([subject, peer]);
      withdrawn.add('subject');
      await closedWith(subject, CloseCode.Forbidden);
      return { subject, peers: [peer] };
    },
  },
  {
    code: CloseCode.TooLarge,
    condition: 'an edit over maxDocumentBytes',
    refusedAgain: { closeCode: CloseCode.TooLarge },
    async provoke(version, env) {
      const server = await env.start({ storage: new MemoryStorage(), maxDocumentBytes: 4_096 });
      const doc = `oversized-${version}`;
      const subject = env.fleet.add(version, server.wsUrl, doc);
      const peer = env.fleet.add('v3', server.wsUrl, doc);
      await synced([subject, peer]);
      subject.text.insert(0, OVERSIZED);
      await closedWith(subject, CloseCode.TooLarge);
      return { subject, peers: [peer] };
    },
  },
];

/** An edit that alone passes the 4 KiB limit above. */
export const OVERSIZED = 'too large '.repeat(800);
