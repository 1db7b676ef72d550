/**
 * The editor in Chromium (Quire only: the peers ship no editor). A real document (a trace's
 * whole history, as in cold-load) is opened in the demo at /d/<doc> in a fresh browser context,
 * so nothing comes from an IndexedDB copy:
 * - time until the text is shown: from navigation start until the end of the first frame whose
 *   editor holds the whole document and shows its first line; cold (server just restarted) and
 *   warm (a second fresh context right after);
 * - key-to-screen: the page's person types while two typists (bench clients) type into the same
 *   document at human rates; from each keydown to the end of the frame that shows the character;
 * - remote-to-screen: from a typist's send to the end of the page's frame that shows it, on one
 *   clock (both processes' timeOrigin + now, corrected by the measured offset);
 * - gate: afterwards the page's text (CodeMirror's and its Y.Doc's) equals every typist's.
 * Figures come from the page's own performance.now(), not from Playwright round trips.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as Y from 'yjs';
import { BenchClient } from '../bench-client.js';
import {
  launchChromium,
  newProbedContext,
  pageClockOffset,
  readProbe,
  waitUntilShown,
  type ExpectedDocument,
} from '../browser.js';
import { LatencyRecorder } from '../counters.js';
import type { ServerProcess } from '../servers.js';
import { median, percentile, pollUntil, sleep } from '../stats.js';
import type { ReplayedTrace } from '../traces.js';
import { Typist, startTyping } from '../typist.js';
import { ScenarioContext, closeAll, type ScenarioResult } from './common.js';

export interface EditorConfig {
  /** The document: this trace's whole history. */
  trace: string;
  /** Updates the history is cut into when written to the server. */
  chunks: number;
  /** Server restarts, each followed by a cold and a warm open. */
  loadTrials: number;
  /** Keystrokes the page's person types after the warm-up, each one a latency sample. */
  keystrokes: number;
  warmupKeystrokes: number;
  /** Mean pause between the person's keystrokes (each jittered ±50%). */
  keyIntervalMs: number;
  typists: number;
  typistKeysPerSecond: number;
}

/** The Y.Text the demo editor binds (client/src/editor.ts). */
export const EDITOR_TEXT_NAME = 'codemirror';
const DOC_NAME = 'editor-bench';
/** Longest a document may take to be shown (or to be seeded) before the run fails. */
const LOAD_TIMEOUT_MS = 60_000;
/** Longest the page and the typists may take to agree once everyone stopped typing. */
const CONVERGE_TIMEOUT_MS = 20_000;
/** Pause after a restart, as in cold-load: the server has finished starting up. */
const POST_RESTART_SETTLE_MS = 1_000;
/** Characters the person types: letters and spaces, nothing the editor completes or indents. */
const KEYS = 'etaoin shrdlu';

/** The typists' send times by first struct id (the typists' deliveries to each other, which
 * a LatencyRecorder would count too, are not samples here: only the page's paints are). */
class SendTimes extends LatencyRecorder {
  readonly sendTimes = new Map<string, number>();
  override sent(id: string, at: number): void {
    if (this.recording) this.sendTimes.set(id, at);
  }
  override received(): void {}
}

interface PageWindow {
  quire?: {
    view: { state: { doc: { toString(): string } } };
    ydoc: { getText(name: string): { toString(): string } };
  };
  __quireBenchProbe: {
    recordRemote: boolean;
    keys: number[];
    keyMismatches: number;
    longTaskMs: number;
  };
}

export async function runEditor(
  server: ServerProcess,
  cfg: EditorConfig,
  trace: ReplayedTrace,
): Promise<ScenarioResult> {
  // The machine may be shared: the report says how busy it was.
  const loadAverage1m = loadavg()[0] ?? NaN;
  const ctx = new ScenarioContext(server);
  const writer = new BenchClient(ctx.clientOptions(DOC_NAME));
  await writer.synced;
  for (const update of trace.updates) writer.sendUpdate(update);
  const seeded = await replicaReaches(ctx, trace.endContent);
  await writer.close();
  if (!seeded) {
    return { metrics: {}, correct: false, notes: ['seeding did not reach endContent'] };
  }
  const expected: ExpectedDocument = {
    length: trace.endContent.length,
    prefix: firstLine(trace.endContent),
    textName: EDITOR_TEXT_NAME,
  };
  const notes: string[] = [];
  const browser = await launchChromium();
  try {
    const cold: OpenTimes[] = [];
    const warm: OpenTimes[] = [];
    for (let trial = 0; trial < cfg.loadTrials; trial++) {
      await server.stop();
      await server.start();
      await sleep(POST_RESTART_SETTLE_MS);
      cold.push(await openTimed(browser, server, expected, notes));
      warm.push(await openTimed(browser, server, expected, notes));
    }
    const typing = await measureTyping(browser, new ScenarioContext(server), cfg, expected);
    notes.push(...typing.notes);
    return {
      metrics: {
        docChars: trace.endContent.length,
        loadAverage1m,
        ...medians('cold', cold),
        ...medians('warm', warm),
        ...typing.metrics,
      },
      correct: typing.correct,
      notes,
    };
  } finally {
    await browser.close();
  }
}

/** Milestones of one open, in ms since navigation start. */
interface OpenTimes {
  /** The page's scripts ran (DOMContentLoaded). */
  DomContentLoadedMs: number;
  /** The transaction that completed the document began (its update had arrived)… */
  DocArrivedMs: number;
  /** … and ended, CodeMirror's DOM updated. */
  DocAppliedMs: number;
  /** The end of the frame that shows it. */
  ShownMs: number;
}

function medians(prefix: string, opens: readonly OpenTimes[]): Record<string, number> {
  const keys = ['DomContentLoadedMs', 'DocArrivedMs', 'DocAppliedMs', 'ShownMs'] as const;
  return Object.fromEntries(keys.map((k) => [prefix + k, median(opens.map((o) => o[k]))]));
}

/** Opens the document in a fresh context and times its milestones. */
async function openTimed(
  browser: Browser,
  server: ServerProcess,
  expected: ExpectedDocument,
  notes: string[],
): Promise<OpenTimes> {
  const context = await newProbedContext(browser, expected);
  try {
    const page = await openPage(context, server, notes);
    const shownMs = await waitUntilShown(page, LOAD_TIMEOUT_MS);
    const probe = await readProbe(page);
    return {
      DomContentLoadedMs: probe.domContentLoadedAt ?? NaN,
      DocArrivedMs: probe.docArrivedAt ?? NaN,
      DocAppliedMs: probe.docAppliedAt ?? NaN,
      ShownMs: shownMs,
    };
  } finally {
    await context.close();
  }
}

async function openPage(
  context: BrowserContext,
  server: ServerProcess,
  notes: string[],
): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => notes.push(`page error: ${error.message}`));
  await page.goto(`http://127.0.0.1:${server.port}/d/${DOC_NAME}`);
  return page;
}

async function measureTyping(
  browser: Browser,
  ctx: ScenarioContext,
  cfg: EditorConfig,
  expected: ExpectedDocument,
): Promise<Pick<ScenarioResult, 'metrics' | 'correct' | 'notes'>> {
  const notes: string[] = [];
  const remote = new SendTimes();
  const typists = Array.from(
    { length: cfg.typists },
    (_, i) => new Typist({ ...ctx.clientOptions(DOC_NAME), latency: remote }, i, EDITOR_TEXT_NAME),
  );
  const context = await newProbedContext(browser, expected);
  try {
    await Promise.all(typists.map((t) => t.client.synced));
    const page = await openPage(context, ctx.server, notes);
    await waitUntilShown(page, LOAD_TIMEOUT_MS);
    await saveShot(page, 'loaded');
    // The typists write at the start of the document; the person types there too, so every
    // character lands in the part of the document CodeMirror renders.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    const offsetMs = await pageClockOffset(page);
    const stopTyping = startTyping(typists, cfg.typistKeysPerSecond);
    await typeKeys(page, cfg.warmupKeystrokes, cfg.keyIntervalMs);
    await page.evaluate(() => {
      const probe = (globalThis as unknown as PageWindow).__quireBenchProbe;
      probe.keys.length = 0;
      probe.keyMismatches = 0;
      probe.longTaskMs = 0;
      probe.recordRemote = true;
    });
    remote.recording = true;
    const sentBefore = typists.reduce((sum, t) => sum + t.updatesSent, 0);
    const windowStart = performance.now();
    const stopProfile = await startProfile(page);
    await typeKeys(page, cfg.keystrokes, cfg.keyIntervalMs);
    const windowSeconds = (performance.now() - windowStart) / 1000;
    await stopProfile();
    remote.recording = false;
    const remoteSent = typists.reduce((sum, t) => sum + t.updatesSent, 0) - sentBefore;
    stopTyping();
    await saveShot(page, 'after-typing');

    const texts = () =>
      page.evaluate((name) => {
        const quire = (globalThis as unknown as PageWindow).quire;
        return [quire?.view.state.doc.toString() ?? '', quire?.ydoc.getText(name).toString() ?? ''];
      }, EDITOR_TEXT_NAME);
    let pageTexts: string[] = [];
    const agree = () =>
      pageTexts.every((t) => typists.every((typist) => typist.text.toString() === t));
    const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
    do {
      pageTexts = await texts();
      if (agree()) break;
      await sleep(200);
    } while (Date.now() < deadline);
    const correct = pageTexts.length === 2 && agree();
    if (!correct) notes.push('the page and the typists did not converge');

    const probe = await readProbe(page);
    // The page's epoch clock, moved onto this process's performance.now().
    const remoteSamples: number[] = [];
    for (const [id, at] of Object.entries(probe.remote)) {
      const sent = remote.sendTimes.get(id);
      if (sent !== undefined) remoteSamples.push(at - offsetMs - performance.timeOrigin - sent);
    }
    if (probe.keys.length !== cfg.keystrokes) {
      notes.push(`${probe.keys.length} of ${cfg.keystrokes} keystrokes were seen painted`);
    }
    if (probe.keyMismatches > 0) {
      notes.push(`${probe.keyMismatches} keystrokes were not before the caret when painted`);
    }
    return {
      metrics: {
        keystrokes: probe.keys.length,
        personKeysPerSecond: cfg.keystrokes / windowSeconds,
        typistKeysPerSecond: remoteSent / windowSeconds,
        keyToScreenP50Ms: percentile(probe.keys, 50),
        keyToScreenP95Ms: percentile(probe.keys, 95),
        keyToScreenP99Ms: percentile(probe.keys, 99),
        remoteSent,
        remoteSamples: remoteSamples.length,
        remoteToScreenP50Ms: percentile(remoteSamples, 50),
        remoteToScreenP95Ms: percentile(remoteSamples, 95),
        remoteToScreenP99Ms: percentile(remoteSamples, 99),
        pageClockOffsetMs: offsetMs,
        longTaskMsPerSecond: probe.longTaskMs / windowSeconds,
      },
      correct,
      notes,
    };
  } finally {
    await context.close();
    await closeAll(typists.map((t) => t.client));
  }
}

/** Types `count` characters with human pauses between them (a pause counts the time the
 * keystroke itself took to send, so the rate holds on a busy machine). */
async function typeKeys(page: Page, count: number, meanIntervalMs: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await page.keyboard.type(KEYS[Math.floor(Math.random() * KEYS.length)] ?? 'e');
    const pause = meanIntervalMs * (0.5 + Math.random());
    await sleep(Math.max(0, pause - (performance.now() - started)));
  }
}

/** BENCH_EDITOR_PROFILE=<file.cpuprofile>: the page's CPU profile while the person types (open
 * it in Chromium's DevTools, Performance panel). Returns the function that stops and saves it. */
async function startProfile(page: Page): Promise<() => Promise<void>> {
  const path = process.env.BENCH_EDITOR_PROFILE;
  if (!path) return async () => {};
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  return async () => {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(path, JSON.stringify(profile));
    await cdp.detach();
  };
}

/** BENCH_EDITOR_SHOTS=<dir>: screenshots of the page, to see what was measured. */
async function saveShot(page: Page, name: string): Promise<void> {
  const dir = process.env.BENCH_EDITOR_SHOTS;
  if (dir) await page.screenshot({ path: join(dir, `editor-${name}.png`) });
}

/** True once a fresh replica of the document holds `content`. */
async function replicaReaches(ctx: ScenarioContext, content: string): Promise<boolean> {
  const doc = new Y.Doc();
  const text = doc.getText(EDITOR_TEXT_NAME);
  const reader = new BenchClient({ ...ctx.clientOptions(DOC_NAME), doc });
  await pollUntil(() => text.length === content.length, LOAD_TIMEOUT_MS, 20);
  const ok = text.toString() === content;
  await reader.close();
  doc.destroy();
  return ok;
}

/** The start of the first non-blank line: what the top of the editor must show. */
function firstLine(content: string): string {
  const line = content.split('\n').find((l) => l.trim().length > 0) ?? '';
  return line.trim().slice(0, 40);
}
