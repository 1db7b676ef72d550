/**
 * PostgreSQL unreachable under one instance (the rule): documents stay in memory and
 * editing goes on locally (the instance's peers still see each other's edits, at normal speed:
 * once the outage is known, writes fail at once instead of each waiting for a timeout), nothing
 * is acknowledged as saved, /readyz says 503 naming PostgreSQL, one log line says it is gone and
 * one that it is back, and when it is back everything resumes by itself: the documents are
 * repaired, acks follow, /readyz says 200, and a fresh store reads everything that was typed.
 *
 * The outage is a fault proxy in front of the machine's PostgreSQL (helpers/postgres-fault.ts):
 * connections reset and refused (PostgreSQL stopped), or frozen (a black hole).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { PostgresStorage, type Logger } from '../../src/index.js';
import { ackingClient, type AckingClient } from '../helpers/ack-client.js';
import { waitFor, waitSynced } from '../helpers/clients.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { startPostgresFault, type PostgresFault } from '../helpers/postgres-fault.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** How long the outage lasts. */
const OUTAGE_MS = 10_000;
/** Longest an edit may take to reach a peer of the same instance once the outage is known: far
 * below any timeout of the store, so a write that waited for one would miss it. */
const LOCAL_RELAY_BOUND_MS = 1_000;

/** Records log lines (prints nothing). */
function recordingLogger() {
  const lines: { level: string; message: string; reason?: string }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, message, reason: fields?.reason as string | undefined });
    };
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines, count: (text: string) => lines.filter((l) => l.message.includes(text)) };
}

async function readiness(httpUrl: string): Promise<{ status: number; reason?: string }> {
  const res = await fetch(`${httpUrl}/readyz`);
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, reason: body.reason };
}

async function storedText(url: string, name: string): Promise<string> {
  const store = new PostgresStorage({ connectionString: url });
  try {
    const stored = await store.load(name);
    const doc = new Y.Doc();
    if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
    return doc.getText('text').toString();
  } finally {
    await store.close();
  }
}

/** What an editor here needs: a stock client of either generation. */
type Editor = Pick<AckingClient, 'text'>;

/** `from` types `text` at its end; resolves once every one of `to` shows it, within `ms`. */
async function typeAndSee(from: Editor, to: Editor[], text: string, ms: number) {
  from.text.insert(from.text.length, text);
  await waitFor(
    () => to.every((peer) => peer.text.toString().includes(text)),
    ms,
    `"${text}" to reach the peers`,
  );
}

describe('PostgreSQL outage under one instance', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(storeOptions: { checkIntervalMs?: number } = {}) {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const fault: PostgresFault = await startPostgresFault(db.url);
    cleanups.push(() => fault.close());
    const storage = new PostgresStorage({ connectionString: fault.url, ...storeOptions });
    await storage.ready();
    const log = recordingLogger();
    const running: RunningServer = await startServer({ storage, logger: log.logger });
    cleanups.push(() => running.close());
    return { db, fault, running, log };
  }

  /** Two stock 3.x clients that opted into acks, and a plain stock 1.x one. */
  async function editors(running: RunningServer, name: string) {
    const a = ackingClient(running.wsUrl, name);
    const b = ackingClient(running.wsUrl, name);
    const old = versionedStockClient('v1', running.wsUrl, name);
    cleanups.push(
      () => a.destroy(),
      () => b.destroy(),
      () => old.destroy(),
    );
    await Promise.all([waitSynced(a), waitSynced(b), waitSynced(old)]);
    a.text.insert(0, 'before. ');
    await waitFor(() => a.saved() && b.saved(), 5_000, 'the first save');
    return { a, b, all: [a, b, old] };
  }

  /** Types in turns while the outage lasts; each edit must reach the other editors in time. */
  async function editThroughOutage(all: Editor[], since: number) {
    let i = 0;
    while (Date.now() - since < OUTAGE_MS) {
      const from = all[i % all.length]!;
      await typeAndSee(
        from,
        all.filter((e) => e !== from),
        `<${i++}>`,
        LOCAL_RELAY_BOUND_MS,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return i;
  }

  /** What must hold once PostgreSQL is back. */
  async function expectResumed(
    setup: Awaited<ReturnType<typeof setUp>>,
    { a, b, all }: Awaited<ReturnType<typeof editors>>,
    name: string,
  ) {
    await waitFor(() => a.saved() && b.saved(), 15_000, 'acks after PostgreSQL is back');
    await waitFor(
      async () => (await readiness(setup.running.httpUrl)).status === 200,
      5_000,
      '/readyz 200',
    );
    for (const editor of all) expect(editor.text.toString()).toBe(a.text.toString());
    expect(await storedText(setup.db.url, name)).toBe(a.text.toString());
    // Said once each, not once per write.
    expect(setup.log.count('storage unreachable')).toHaveLength(1);
    expect(setup.log.count('storage reachable again')).toHaveLength(1);
    // And no error line per failed append, compaction or repair.
    const persistence = /append|compact|save|storage|document kept/;
    const errors = setup.log.lines.filter(
      (l) => l.level === 'error' && persistence.test(l.message),
    );
    expect(errors.map((l) => l.message)).toEqual([
      setup.log.count('storage unreachable')[0]!.message,
    ]);
  }

  it('PostgreSQL stops for 10 s mid-edit: local editing goes on, nothing is acked, /readyz 503, then everything is saved', async () => {
    const setup = await setUp();
    const { a, b, all } = await editors(setup.running, 'stopped');
    const acksBefore = [a.acks.length, b.acks.length];

    await setup.fault.down();
    const since = Date.now();
    const edits = await editThroughOutage(all, since);
    expect(edits).toBeGreaterThan(10);
    const ready = await readiness(setup.running.httpUrl);
    expect(ready.status).toBe(503);
    expect(ready.reason).toMatch(/^postgresql unreachable at 127\.0\.0\.1:\d+\/quire_test_\w+: /);
    expect([a.acks.length, b.acks.length]).toEqual(acksBefore);
    expect(a.saved() || b.saved()).toBe(false);
    expect(await storedText(setup.db.url, 'stopped')).toBe('before. ');

    setup.fault.restore();
    await expectResumed(setup, { a, b, all }, 'stopped');
  });

  it('PostgreSQL freezes for 10 s mid-edit: one write waits out the timeout, then editing is local-speed again; all saved after', async () => {
    const setup = await setUp();
    const { a, b, all } = await editors(setup.running, 'frozen');
    const acksBefore = [a.acks.length, b.acks.length];

    setup.fault.stall();
    const since = Date.now();
    // The first write finds out: it waits for the store's answer timeout (3 s by default).
    await typeAndSee(a, all.slice(1), '<first>', 8_000);
    await waitFor(
      async () => (await readiness(setup.running.httpUrl)).status === 503,
      5_000,
      '/readyz 503',
    );
    const edits = await editThroughOutage(all, since);
    expect(edits).toBeGreaterThan(5);
    expect([a.acks.length, b.acks.length]).toEqual(acksBefore);

    setup.fault.restore();
    await expectResumed(setup, { a, b, all }, 'frozen');
  });

  it('says 503 while PostgreSQL is unreachable even when no one writes, and 200 once it is back', async () => {
    const setup = await setUp({ checkIntervalMs: 200 });
    expect((await readiness(setup.running.httpUrl)).status).toBe(200);
    await setup.fault.down();
    await waitFor(
      async () => (await readiness(setup.running.httpUrl)).status === 503,
      5_000,
      '/readyz 503 without writes',
    );
    setup.fault.restore();
    await waitFor(
      async () => (await readiness(setup.running.httpUrl)).status === 200,
      5_000,
      '/readyz 200 again',
    );
    expect(setup.log.count('storage unreachable')).toHaveLength(1);
    expect(setup.log.count('storage reachable again')).toHaveLength(1);
  });

  it('fails a load on a frozen link after the query timeout, instead of holding it for the whole outage', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const fault = await startPostgresFault(db.url);
    cleanups.push(() => fault.close());
    const store = new PostgresStorage({
      connectionString: fault.url,
      pool: { queryTimeoutMs: 500 },
      checkIntervalMs: 0,
    });
    cleanups.push(() => store.close());
    await store.append('doc', new Uint8Array([1]));
    fault.stall();
    await expect(store.load('doc')).rejects.toThrow(/timeout/i);
    // A read that got no answer says the server is unreachable, like a write would.
    expect(store.unavailableReason()).toMatch(/^postgresql unreachable at /);
    await expect(store.load('doc')).rejects.toThrow(/^cannot reach PostgreSQL at /);
    fault.restore();
    await waitFor(() => store.unavailableReason() === null, 5_000, 'the probe to succeed');
    expect((await store.load('doc'))!.lastSeq).toBe(1);
  });

  it('drops the connections a restart killed, without crashing, and writes on fresh ones', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const fault = await startPostgresFault(db.url);
    cleanups.push(() => fault.close());
    const store = new PostgresStorage({ connectionString: fault.url });
    cleanups.push(() => store.close());
    // Several idle connections in the pool.
    await Promise.all([1, 2, 3].map((i) => store.append(`doc-${i}`, new Uint8Array([i]))));
    // What a restart does to them: every connection is cut at once while idle.
    expect(await fault.proxy.resetAll()).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.append('doc-1', new Uint8Array([9]))).toBe(2);
    expect(store.unavailableReason()).toBeNull();
  });
});
