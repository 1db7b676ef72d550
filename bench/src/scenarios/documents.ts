/**
 * Memory per open document: many real documents held open at once, each with one idle client.
 * Each document is a real editing trace's history cut to a different length (a quarter, half,
 * three quarters or all of it), so its Yjs structure carries its real history, not one big
 * insert. The server is restarted after seeding, so what is measured is documents loaded from
 * storage, not the garbage of writing them. Reports RSS per document over the restarted
 * server's idle baseline, and the time to load `concurrentLoads` documents at once after another
 * restart (every client opens at the same moment; the time runs until the last one holds its
 * document's whole content). The gate: one client per distinct cut gets exactly the expected text.
 *
 * "Holds its whole content" is checked on the state vector of what each client received, not on
 * its sync step 2: y-websocket-server answers the handshake from an empty document at once and
 * sends the stored content when its y-leveldb read finishes, so a sync step 2 alone says nothing
 * about whether the document is in the server's memory yet. RSS is read once every idle client
 * holds its content and the settle time has passed. After the idle reading, every idle client
 * types one character, and RSS is read again: the cost of documents that are being edited.
 */
import * as Y from 'yjs';
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { pollUntil, sleep } from '../stats.js';
import { TEXT_NAME, type ReplayedTrace } from '../traces.js';
import { ScenarioContext, closeAll, openInBatches, type ScenarioResult } from './common.js';

export interface DocumentsConfig {
  /** Documents held open at once. */
  documents: number;
  traces: string[];
  /** Updates each trace's history is cut into; a document gets a prefix of them. */
  chunks: number;
  /** How long the open documents sit idle before RSS is read. */
  settleMs: number;
  /** Documents opened at the same moment after a restart, for the load time. */
  concurrentLoads: number;
}

/** The share of a trace's history each document holds, in turn. */
const CUTS = [0.25, 0.5, 0.75, 1] as const;
/** Writers seeding at once (each sends a whole document's history, then closes). */
const SEED_BATCH = 25;
/** Same settle as cold-load: asynchronous stores (y-leveldb, Hocuspocus' debounce) have written. */
const SEED_SETTLE_MS = 3_000;
const POST_RESTART_SETTLE_MS = 1_000;
const LOAD_TIMEOUT_MS = 120_000;
/** How often the clients' received content is checked while waiting for all of it. */
const CONTENT_POLL_MS = 20;

interface Seed {
  name: string;
  updates: Uint8Array[];
  text: string;
  /** The document's state vector: a client holds the whole document once it has this. */
  stateVector: Map<number, number>;
}

/** Follows what one client received, by state vector, until it covers `expected`. Reads only
 * the updates' struct headers (Yjs' lazy reader), so a hundred clients cost the load generator
 * little. */
class ContentWatch {
  private readonly have = new Map<number, number>();
  complete = false;
  constructor(private readonly expected: Map<number, number>) {}

  received(update: Uint8Array): void {
    if (this.complete) return;
    for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update))) {
      if (clock > (this.have.get(client) ?? 0)) this.have.set(client, clock);
    }
    this.complete = [...this.expected].every(
      ([client, clock]) => (this.have.get(client) ?? 0) >= clock,
    );
  }
}

/** Resolves once every watch is complete (or after `timeoutMs`); resolves whether they all were. */
async function allComplete(watches: readonly ContentWatch[], timeoutMs: number): Promise<boolean> {
  return pollUntil(() => watches.every((w) => w.complete), timeoutMs, CONTENT_POLL_MS);
}

/** The distinct document contents: every trace at every cut, with the text it must show. */
export function documentSeeds(traces: readonly ReplayedTrace[]): Seed[][] {
  return traces.map((trace) =>
    CUTS.map((cut) => {
      const count = Math.max(1, Math.round(trace.updates.length * cut));
      const updates = trace.updates.slice(0, count);
      const doc = new Y.Doc();
      for (const update of updates) Y.applyUpdate(doc, update);
      const text = doc.getText(TEXT_NAME).toString();
      const stateVector = Y.decodeStateVector(Y.encodeStateVector(doc));
      doc.destroy();
      return { name: `${trace.name}-${cut * 100}pct`, updates, text, stateVector };
    }),
  );
}

export async function runDocuments(
  server: ServerProcess,
  cfg: DocumentsConfig,
  traces: readonly ReplayedTrace[],
): Promise<ScenarioResult> {
  const seeds = documentSeeds(traces).flat();
  const seedOf = (i: number) => seeds[i % seeds.length] as Seed;
  const docName = (i: number) => `docs-${i}-${seedOf(i).name}`;
  const notes: string[] = [];

  // Seed every document, a batch of writers at a time.
  for (let start = 0; start < cfg.documents; start += SEED_BATCH) {
    const ctx = new ScenarioContext(server);
    const writers: BenchClient[] = [];
    for (let i = start; i < Math.min(cfg.documents, start + SEED_BATCH); i++) {
      const writer = new BenchClient(ctx.clientOptions(docName(i)));
      writers.push(writer);
      void writer.synced.then(() => {
        for (const update of seedOf(i).updates) writer.sendUpdate(update);
      });
    }
    await Promise.all(writers.map((w) => w.synced));
    const refused = writers.filter((w) => w.closeCode !== null).length;
    if (refused > 0) throw new Error(`${refused} seeding sockets were closed by the server`);
    // A reader per batch proves the batch arrived before the writers go (the last document's
    // text is complete), so no server sees its writers leave mid-history.
    const last = Math.min(cfg.documents, start + SEED_BATCH) - 1;
    const check = await openWithText(ctx, docName(last), seedOf(last).text);
    if (!check.ok) notes.push(`seeding ${docName(last)} did not arrive complete`);
    await closeAll(writers);
  }
  await sleep(SEED_SETTLE_MS);

  // RSS of the documents loaded from storage, over the restarted server's idle baseline.
  await server.stop();
  await server.start();
  await sleep(POST_RESTART_SETTLE_MS);
  const ctx = new ScenarioContext(server);
  const rssBefore = server.rssBytes();
  const idleWatches = Array.from(
    { length: cfg.documents },
    (_, i) => new ContentWatch(seedOf(i).stateVector),
  );
  const idle = await openInBatches(
    cfg.documents,
    (i) =>
      new BenchClient({
        ...ctx.clientOptions(docName(i)),
        onUpdate: (update) => idleWatches[i]!.received(update),
      }),
    (c) => c,
  );
  if (!(await allComplete(idleWatches, LOAD_TIMEOUT_MS))) {
    notes.push('not every idle client received its whole document');
  }
  await sleep(cfg.settleMs);
  const rssAfter = server.rssBytes();
  const gate = await Promise.all(
    seeds.map((seed, i) => openWithText(ctx, docName(i), seed.text).then((r) => r.ok)),
  );
  // One keystroke per document: a server that keeps idle documents in a cheaper form has to
  // build the editable one now. Read once a fresh reader of every document sees the keystroke
  // (the server applied them all), then after the settle time.
  const edited = idle.map((client, i) => {
    const { update, clientID } = oneCharacterEdit();
    client.sendUpdate(update);
    return new Map(seedOf(i).stateVector).set(clientID, 1);
  });
  if (!(await allSeen(ctx, edited, docName)))
    notes.push('not every keystroke reached its document');
  await sleep(cfg.settleMs);
  const rssEdited = server.rssBytes();
  await closeAll(idle);

  // Time to load `concurrentLoads` documents at once from a cold start.
  await server.stop();
  await server.start();
  await sleep(POST_RESTART_SETTLE_MS);
  const loadCtx = new ScenarioContext(server);
  const loads = Math.min(cfg.concurrentLoads, cfg.documents);
  const started = performance.now();
  const loadWatches = Array.from(
    { length: loads },
    (_, i) => new ContentWatch(seedOf(i).stateVector),
  );
  let finished = NaN;
  const clients = Array.from(
    { length: loads },
    (_, i) =>
      new BenchClient({
        ...loadCtx.clientOptions(docName(i)),
        onUpdate: (update) => {
          loadWatches[i]!.received(update);
          if (Number.isNaN(finished) && loadWatches.every((w) => w.complete)) {
            finished = performance.now();
          }
        },
      }),
  );
  await allComplete(loadWatches, LOAD_TIMEOUT_MS);
  const refused = clients.filter((c) => c.closeCode !== null).length;
  await closeAll(clients);
  if (refused > 0) notes.push(`${refused} of ${loads} concurrent loads were closed by the server`);

  const correct = notes.length === 0 && gate.every(Boolean) && !Number.isNaN(finished);
  if (!gate.every(Boolean))
    notes.push('a reader did not get the text its document was seeded with');
  return {
    metrics: {
      documents: cfg.documents,
      rssMiBPerDocument: (rssAfter - rssBefore) / 2 ** 20 / cfg.documents,
      rssMiBPerEditedDocument: (rssEdited - rssBefore) / 2 ** 20 / cfg.documents,
      rssMiBIdleBaseline: rssBefore / 2 ** 20,
      [`loadMs:${loads}concurrent`]: finished - started,
    },
    correct,
    notes,
  };
}

/** One character typed at the start of the document by a client of its own (a fresh client ID
 * with no history, so the update depends on nothing the document holds). */
function oneCharacterEdit(): { update: Uint8Array; clientID: number } {
  const doc = new Y.Doc();
  doc.getText(TEXT_NAME).insert(0, 'x');
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { update, clientID: doc.clientID };
}

/** Opens a reader per document, `SEED_BATCH` at a time, and waits until each has received the
 * state `expected[i]`; resolves whether all did. */
async function allSeen(
  ctx: ScenarioContext,
  expected: readonly Map<number, number>[],
  name: (i: number) => string,
): Promise<boolean> {
  let all = true;
  for (let start = 0; start < expected.length; start += SEED_BATCH) {
    const batch = expected.slice(start, start + SEED_BATCH);
    const watches = batch.map((sv) => new ContentWatch(sv));
    const readers = watches.map(
      (watch, k) =>
        new BenchClient({
          ...ctx.clientOptions(name(start + k)),
          onUpdate: (update) => watch.received(update),
        }),
    );
    all = (await allComplete(watches, LOAD_TIMEOUT_MS)) && all;
    await closeAll(readers);
  }
  return all;
}

/** Opens a client with a real replica and waits until its text is `expected`. */
async function openWithText(
  ctx: ScenarioContext,
  name: string,
  expected: string,
): Promise<{ ok: boolean }> {
  const doc = new Y.Doc();
  const text = doc.getText(TEXT_NAME);
  const client = new BenchClient({ ...ctx.clientOptions(name), doc });
  await pollUntil(() => text.length === expected.length, LOAD_TIMEOUT_MS, 10);
  const ok = text.toString() === expected;
  await closeAll([client]);
  doc.destroy();
  return { ok };
}
