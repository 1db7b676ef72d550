/**
 * Chromium for the editor scenario: the system Chromium (as the e2e suite uses it), headless,
 * with the same flags, and the page probe (editor-probe.js) that times what the page shows.
 */
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** QUIRE_CHROMIUM overrides it, as for the e2e suite. */
const CHROMIUM_PATH = process.env.QUIRE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The e2e suite's desktop size. */
const VIEWPORT = { width: 1100, height: 700 };
const IDENTITY = { name: 'Bench', color: '#8250df' };

const PROBE_SOURCE = readFileSync(new URL('./editor-probe.js', import.meta.url), 'utf8');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** What the page must show before the document counts as loaded. */
export interface ExpectedDocument {
  /** The whole text's length in the editor's state. */
  length: number;
  /** Text of the document's first line, which must be in the content DOM. */
  prefix: string;
  /** The Y.Text the editor binds. */
  textName: string;
}

/** The probe's findings (see editor-probe.js). */
export interface ProbeResults {
  shownAt: number | null;
  domContentLoadedAt: number | null;
  docArrivedAt: number | null;
  docAppliedAt: number | null;
  keys: number[];
  keyMismatches: number;
  longTaskMs: number;
  remote: Record<string, number>;
}

/** A fresh context (no IndexedDB copy, no cache, no service worker) with the probe installed. */
export async function newProbedContext(
  browser: Browser,
  expected: ExpectedDocument,
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript({
    content: [
      // A fixed name, so the demo does not invent a guest one.
      `localStorage.setItem('quire:identity', ${JSON.stringify(JSON.stringify(IDENTITY))});`,
      `window.__quireBenchExpected = ${JSON.stringify(expected)};`,
      PROBE_SOURCE,
    ].join('\n'),
  });
  return context;
}

export function readProbe(page: Page): Promise<ProbeResults> {
  return page.evaluate(
    () => (globalThis as unknown as { __quireBenchProbe: ProbeResults }).__quireBenchProbe,
  );
}

/** Waits until the probe saw the whole document shown; returns ms since navigation start. */
export async function waitUntilShown(page: Page, timeoutMs: number): Promise<number> {
  await page.waitForFunction(
    () =>
      (globalThis as unknown as { __quireBenchProbe?: ProbeResults }).__quireBenchProbe?.shownAt !==
      null,
    null,
    { timeout: timeoutMs, polling: 50 },
  );
  const probe = await readProbe(page);
  return probe.shownAt ?? NaN;
}

/**
 * How far the page's epoch clock (performance.timeOrigin + now) is ahead of this process's:
 * each process fixes its timeOrigin from the system clock once, so the two can differ by a few
 * ms. Estimated from the round trip with the smallest spread, as NTP does.
 */
export async function pageClockOffset(page: Page, rounds = 10): Promise<number> {
  let best = { spread: Infinity, offset: 0 };
  for (let i = 0; i < rounds; i++) {
    const before = performance.timeOrigin + performance.now();
    const inPage = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = performance.timeOrigin + performance.now();
    if (after - before < best.spread) {
      best = { spread: after - before, offset: inPage - (before + after) / 2 };
    }
  }
  return best.offset;
}
