/**
 * Scenario sizes for the quick run (`npm run bench`, a few minutes on 2 cores) and the full run
 * (`npm run bench -- --full`). Both use the same code and the same load for every server.
 */
import type { ColdLoadConfig } from './scenarios/cold-load.js';
import type { DocumentsConfig } from './scenarios/documents.js';
import type { EditorConfig } from './scenarios/editor.js';
import type { FloodConfig } from './scenarios/flood.js';
import type { IdleConfig } from './scenarios/idle.js';
import type { PasteConfig } from './scenarios/paste.js';
import type { ScaleOutConfig } from './scenarios/scale-out.js';
import type { SlowConsumerConfig } from './scenarios/slow-consumer.js';
import type { TypingConfig } from './scenarios/typing.js';

export interface BenchConfig {
  /** Each scenario runs this many times per server, in rotating server order. */
  repetitions: number;
  typing: TypingConfig;
  idle: IdleConfig;
  coldLoad: ColdLoadConfig;
  documents: DocumentsConfig;
  paste: PasteConfig;
  slowConsumer: SlowConsumerConfig;
  flood: FloodConfig;
  scaleOut: ScaleOutConfig;
  editor: EditorConfig;
}

export const QUICK: BenchConfig = {
  repetitions: 1,
  typing: {
    rooms: 40,
    typistsPerRoom: 2,
    readersPerRoom: 10,
    keysPerSecond: 6,
    warmupMs: 2_000,
    measureMs: 10_000,
  },
  idle: { connections: 2_000, rooms: 200, settleMs: 3_000 },
  coldLoad: { traces: ['automerge-paper', 'seph-blog1'], chunks: 40, trials: 2 },
  // Real documents at a quarter to all of their history (see scenarios/documents.ts).
  documents: {
    documents: 100,
    traces: ['automerge-paper', 'seph-blog1'],
    chunks: 40,
    settleMs: 5_000,
    concurrentLoads: 100,
    seedBudgetMs: 60_000,
    storeBudgetMs: 60_000,
    loadBudgetMs: 60_000,
  },
  paste: { users: 50, pasteBytes: 100 * 1024, pastes: 3, gapMs: 500 },
  // The slow reader must fall behind by more than Quire's 8 MiB send high-water mark plus what
  // the kernel's socket buffers hold (a few MiB on loopback), or the slow-consumer path is never
  // taken: 16 MiB of pastes in the quick window, 20 MiB in the full one.
  slowConsumer: {
    readers: 30,
    typists: 3,
    keysPerSecond: 20,
    pasteBytes: 256 * 1024,
    pastesPerSecond: 8,
    measureMs: 8_000,
  },
  // At Quire's sustained 500 messages a second a throttled 30,000-update burst takes about a
  // minute to apply; the servers without a rate limit apply it as fast as it arrives.
  flood: {
    readers: 20,
    typists: 3,
    keysPerSecond: 6,
    warmupMs: 2_000,
    baselineMs: 5_000,
    burst: 30_000,
  },
  // Run once per topology (1 instance without a bus, then 1, 2 and 3 over Redis), every
  // instance on the server core.
  scaleOut: {
    rooms: 20,
    typistsPerRoom: 2,
    readersPerRoom: 6,
    keysPerSecond: 6,
    warmupMs: 2_000,
    measureMs: 10_000,
  },
  // The automerge-paper document (≈105k characters) in Chromium, two typists beside the page's
  // person, who types about 7 keys a second.
  editor: {
    trace: 'automerge-paper',
    chunks: 40,
    loadTrials: 3,
    keystrokes: 200,
    warmupKeystrokes: 10,
    keyIntervalMs: 150,
    typists: 2,
    typistKeysPerSecond: 6,
  },
};

export const FULL: BenchConfig = {
  repetitions: 3,
  typing: {
    // Sized so the load generator keeps headroom on its one core (at 100 rooms it neared 80 %).
    rooms: 60,
    typistsPerRoom: 2,
    readersPerRoom: 18,
    keysPerSecond: 6,
    warmupMs: 5_000,
    measureMs: 30_000,
  },
  idle: { connections: 10_000, rooms: 1_000, settleMs: 5_000 },
  coldLoad: { traces: ['automerge-paper', 'seph-blog1'], chunks: 200, trials: 3 },
  documents: {
    documents: 1_000,
    traces: ['automerge-paper', 'seph-blog1'],
    chunks: 200,
    settleMs: 10_000,
    concurrentLoads: 100,
    // Bounds for a peer too slow for 1,000 documents: it is measured over those it holds.
    seedBudgetMs: 240_000,
    storeBudgetMs: 180_000,
    loadBudgetMs: 240_000,
  },
  paste: { users: 50, pasteBytes: 100 * 1024, pastes: 10, gapMs: 1_000 },
  slowConsumer: {
    readers: 50,
    typists: 4,
    keysPerSecond: 20,
    pasteBytes: 256 * 1024,
    pastesPerSecond: 4,
    measureMs: 20_000,
  },
  flood: {
    readers: 40,
    typists: 4,
    keysPerSecond: 6,
    warmupMs: 3_000,
    baselineMs: 10_000,
    burst: 60_000,
  },
  scaleOut: {
    rooms: 40,
    typistsPerRoom: 2,
    readersPerRoom: 10,
    keysPerSecond: 6,
    warmupMs: 5_000,
    measureMs: 30_000,
  },
  editor: {
    trace: 'automerge-paper',
    chunks: 200,
    loadTrials: 5,
    keystrokes: 500,
    warmupKeystrokes: 20,
    keyIntervalMs: 150,
    typists: 2,
    typistKeysPerSecond: 6,
  },
};
