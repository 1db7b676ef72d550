/**
 * Memory per open document: many real documents held open at once, each with one idle client.
 * Each document is a real editing trace's history cut to a different length (a quarter, half,
 * three quarters or all of it), so its Yjs structure carries its real history, not one big
 * insert. The server is restarted after seeding, so what is measured is documents loaded from
 * storage, not the garbage of writing them. Reports RSS per document over the restarted
 * server's idle baseline, and the time to load `concurrentLoads` documents at once after another
 * restart (every client opens at the same moment; the time runs until the last one holds its
 * document's whole content). The gate: one client per distinct cut gets exactly the expected
 * text, and every held document gets its keystroke.
 *
 * "Holds its whole content" is checked on the state vector of what each client received, not on
 * its sync step 2: y-websocket-server answers the handshake from an empty document at once and
 * sends the stored content when its y-leveldb read finishes, so a sync step 2 alone says nothing
 * about whether the document is in the server's memory yet. RSS is read once every idle client
 * holds its content and the settle time has passed. After the idle reading, every idle client
 * types one character, and RSS is read again: the cost of documents that are being edited.
 *
 * Before each restart the scenario waits until the server is quiet (server-quiet.ts): a store
 * that writes after it relayed (y-leveldb) may be minutes behind at 1,000 documents, and a stop
 * then loses the documents it had not written. Seeding, that wait and the loading after the
 * restart each have a time budget (`seedBudgetMs`, `storeBudgetMs`, `loadBudgetMs`): a server
 * too slow for all the documents in them is measured over the documents it holds when the budget
 * runs out (`documentsHeld`; RSS per document is over those), with a note, not a gate failure.
 */
import * as Y from 'yjs';
import { BenchClient } from '../bench-client.js';
import type { ServerProcess } from '../servers.js';
import { sleep } from '../stats.js';
import { TEXT_NAME, type ReplayedTrace } from '../traces.js';
import { ScenarioContext, closeAll, type ScenarioResult } from './common.js';
import { ContentWatch, allComplete, allSeen, openWithText } from './documents-readers.js';
import { waitUntilQuiet } from './server-quiet.js';

export interface DocumentsConfig {
  /** Documents held open at once (the most: see the budgets). */
  documents: number;
  traces: string[];
  /** Updates each trace's history is cut into; a document gets a prefix of them. */
  chunks: number;
  /** How long the open documents sit idle before RSS is read. */
  settleMs: number;
  /** Documents opened at the same moment after a restart, for the load time. */
  concurrentLoads: number;
  /** Seeding stops starting batches after this long; the documents seeded by then are used. */
  seedBudgetMs: number;
  /** How long a server's store may stay busy after seeding (and after the keystrokes) before it
   * is restarted anyway. */
  storeBudgetMs: number;
  /** How long the idle documents may take to load after the restart; the ones whose whole
   * content arrived by then are the documents held. */
  loadBudgetMs: number;
}

/** The share of a trace's history each document holds, in turn. */
const CUTS = [0.25, 0.5, 0.75, 1] as const;
/** Writers seeding at once (each sends a whole document's history, then closes). */
const SEED_BATCH = 25;
/** Idle documents opened at once after the restart; the next batch opens once these are held. */
const LOAD_BATCH = 100;
/** Same settle as cold-load: asynchronous stores (y-leveldb, Hocuspocus' debounce) have written. */
const SEED_SETTLE_MS = 3_000;
const POST_RESTART_SETTLE_MS = 1_000;
/** The most one reader (gate, keystroke check, concurrent load) may wait for its document. */
const LOAD_TIMEOUT_MS = 120_000;

interface Seed {
  name: string;
  updates: Uint8Array[];
  text: string;
  /** The document's state vector: a client holds the whole document once it has this. */
  stateVector: Map<number, number>;
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

/** Seconds each phase took, printed with the scenario's progress line. */
class PhaseClock {
  private last = performance.now();
  readonly phases: string[] = [];
  lap(name: string): void {
    const now = performance.now();
    this.phases.push(`${name} ${((now - this.last) / 1000).toFixed(1)} s`);
    this.last = now;
  }
}

export async function runDocuments(
  server: ServerProcess,
  cfg: DocumentsConfig,
  traces: readonly ReplayedTrace[],
): Promise<ScenarioResult> {
  const seeds = documentSeeds(traces).flat();
  const seedOf = (i: number) => seeds[i % seeds.length] as Seed;
  const docName = (i: number) => `docs-${i}-${seedOf(i).name}`;
  /** Gate failures. */
  const problems: string[] = [];
  /** What the figures are over, when a budget ran out: not failures. */
  const partial: string[] = [];
  const clock = new PhaseClock();

  const seeded = await seedDocuments(server, cfg, seedOf, docName, problems);
  if (seeded < cfg.documents) {
    partial.push(`seeded ${seeded} of ${cfg.documents} documents in the seeding budget`);
  }
  clock.lap('seed');
  await sleep(SEED_SETTLE_MS);
  await quietOrNote(server, cfg.storeBudgetMs, 'after seeding', partial);
  clock.lap('store');

  // RSS of the documents loaded from storage, over the restarted server's idle baseline.
  await restart(server);
  const ctx = new ScenarioContext(server);
  const rssBefore = server.rssBytes();
  const { held, idle } = await loadIdle(ctx, cfg.loadBudgetMs, seeded, seedOf, docName, problems);
  if (held.length < seeded) {
    partial.push(
      `held ${held.length} of ${seeded} documents when the ${cfg.loadBudgetMs / 1000} s load ` +
        `budget ran out (RSS per document is over those held, and includes what the server ` +
        `allocated for the at most ${LOAD_BATCH} loads dropped then)`,
    );
  }
  clock.lap('load');
  // A server still loading the documents dropped at the budget would be measured mid-work.
  await quietOrNote(server, cfg.storeBudgetMs, 'after loading', partial);
  await sleep(cfg.settleMs);
  const rssAfter = server.rssBytes();
  const gate = await Promise.all(
    seeds
      .slice(0, seeded)
      .map((seed, i) => openWithText(ctx, docName(i), seed.text, LOAD_TIMEOUT_MS)),
  );
  if (!gate.every(Boolean))
    problems.push('a reader did not get the text its document was seeded with');
  clock.lap('gate');
  // One keystroke per document: a server that keeps idle documents in a cheaper form has to
  // build the editable one now. Read once a fresh reader of every document sees the keystroke
  // (the server applied them all), then after the settle time.
  const edited = idle.map((client, k) => {
    const { update, clientID } = oneCharacterEdit();
    client.sendUpdate(update);
    return new Map(seedOf(held[k]!).stateVector).set(clientID, 1);
  });
  if (!(await allSeen(ctx, edited, (k) => docName(held[k]!), LOAD_TIMEOUT_MS))) {
    problems.push('not every keystroke reached its document');
  }
  await sleep(cfg.settleMs);
  const rssEdited = server.rssBytes();
  await closeAll(idle);
  clock.lap('keystrokes');

  // Time to load `concurrentLoads` documents at once from a cold start.
  await quietOrNote(server, cfg.storeBudgetMs, 'after the keystrokes', partial);
  clock.lap('store');
  await restart(server);
  const loads = Math.min(cfg.concurrentLoads, cfg.documents);
  const loaded = held.slice(0, loads);
  if (loaded.length < loads) partial.push(`${loaded.length} concurrent loads (fewer held)`);
  const loadMs = await loadConcurrently(new ScenarioContext(server), loaded, seedOf, docName);
  if (loaded.length === 0 || Number.isNaN(loadMs)) {
    problems.push(`${loaded.length} concurrent loads did not all complete`);
  }
  clock.lap('concurrent load');
  process.stderr.write(`bench: documents ${server.name} phases: ${clock.phases.join(', ')}\n`);

  const perHeld = (bytes: number) => bytes / 2 ** 20 / held.length;
  return {
    metrics: {
      documents: cfg.documents,
      documentsHeld: held.length,
      rssMiBPerDocument: perHeld(rssAfter - rssBefore),
      rssMiBPerEditedDocument: perHeld(rssEdited - rssBefore),
      rssMiBIdleBaseline: rssBefore / 2 ** 20,
      [`loadMs:${loads}concurrent`]: loadMs,
    },
    correct: problems.length === 0,
    notes: [...problems, ...partial],
  };
}

/** Seeds documents, a batch of writers at a time, until all are or the budget has run out;
 * returns how many were seeded (documents 0 to that count − 1). */
async function seedDocuments(
  server: ServerProcess,
  cfg: DocumentsConfig,
  seedOf: (i: number) => Seed,
  docName: (i: number) => string,
  problems: string[],
): Promise<number> {
  const started = performance.now();
  let seeded = 0;
  while (seeded < cfg.documents && performance.now() - started < cfg.seedBudgetMs) {
    const end = Math.min(cfg.documents, seeded + SEED_BATCH);
    const ctx = new ScenarioContext(server);
    const writers: BenchClient[] = [];
    for (let i = seeded; i < end; i++) {
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
    if (!(await openWithText(ctx, docName(end - 1), seedOf(end - 1).text, LOAD_TIMEOUT_MS))) {
      problems.push(`seeding ${docName(end - 1)} did not arrive complete`);
    }
    await closeAll(writers);
    seeded = end;
  }
  return seeded;
}

/** Opens one idle client per seeded document, `LOAD_BATCH` at a time, each batch once the one
 * before is held, until the budget runs out. Returns the documents whose whole content arrived
 * (`held`, by index) and their open clients; the clients of the others are closed. */
async function loadIdle(
  ctx: ScenarioContext,
  budgetMs: number,
  seeded: number,
  seedOf: (i: number) => Seed,
  docName: (i: number) => string,
  problems: string[],
): Promise<{ held: number[]; idle: BenchClient[] }> {
  const deadline = performance.now() + budgetMs;
  const held: number[] = [];
  const idle: BenchClient[] = [];
  for (let start = 0; start < seeded && performance.now() < deadline; start += LOAD_BATCH) {
    const indices = Array.from(
      { length: Math.min(LOAD_BATCH, seeded - start) },
      (_, k) => start + k,
    );
    const watches = indices.map((i) => new ContentWatch(seedOf(i).stateVector));
    const clients = indices.map(
      (i, k) =>
        new BenchClient({
          ...ctx.clientOptions(docName(i)),
          onUpdate: (update) => watches[k]!.received(update),
        }),
    );
    const whole = await allComplete(watches, Math.max(0, deadline - performance.now()));
    const refused = clients.filter((c) => c.closeCode !== null).length;
    if (refused > 0) problems.push(`${refused} idle sockets were closed by the server`);
    const dropped: BenchClient[] = [];
    indices.forEach((i, k) => {
      if (watches[k]!.complete && clients[k]!.closeCode === null) {
        held.push(i);
        idle.push(clients[k]!);
      } else dropped.push(clients[k]!);
    });
    await closeAll(dropped);
    if (!whole) break;
  }
  return { held, idle };
}

/** Opens a client for every document in `indices` at the same moment and returns the time
 * until the last one holds its whole content (NaN if one did not within LOAD_TIMEOUT_MS). */
async function loadConcurrently(
  ctx: ScenarioContext,
  indices: readonly number[],
  seedOf: (i: number) => Seed,
  docName: (i: number) => string,
): Promise<number> {
  const started = performance.now();
  const watches = indices.map((i) => new ContentWatch(seedOf(i).stateVector));
  let finished = NaN;
  const clients = indices.map(
    (i, k) =>
      new BenchClient({
        ...ctx.clientOptions(docName(i)),
        onUpdate: (update) => {
          watches[k]!.received(update);
          if (Number.isNaN(finished) && watches.every((w) => w.complete)) {
            finished = performance.now();
          }
        },
      }),
  );
  await allComplete(watches, LOAD_TIMEOUT_MS);
  const refused = clients.some((c) => c.closeCode !== null);
  await closeAll(clients);
  return refused ? NaN : finished - started;
}

async function restart(server: ServerProcess): Promise<void> {
  await server.stop();
  await server.start();
  await sleep(POST_RESTART_SETTLE_MS);
}

async function quietOrNote(
  server: ServerProcess,
  budgetMs: number,
  when: string,
  notes: string[],
): Promise<void> {
  const { quiet } = await waitUntilQuiet(server, budgetMs);
  if (!quiet) notes.push(`the server was still busy ${budgetMs / 1000} s ${when}`);
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
