import type { Page } from '@playwright/test';
import { editorText, expect, newUser, saveScreenshot, statusOf, test } from '../src/fixtures.js';
import { startFirstFramesProxy, type FirstFramesProxy } from '../src/first-frames-proxy.js';
import { recordStatus, statusLog, type StatusEntry } from '../src/status-log.js';
import { keystrokePlan, seededRandom, startTyping, textAfter, type Typist } from '../src/typist.js';

/** Replay a failing run with QUIRE_E2E_SEED=<the seed in its failure message>. */
const SEED = Number(process.env.QUIRE_E2E_SEED ?? 20_261_201);
/** Five crashes and two graceful stops, interleaved. */
const OUTAGES = ['kill', 'kill', 'stop', 'kill', 'kill', 'stop', 'kill'] as const;
/** More keystrokes than the run can use (it stops typing once the outages are over). */
const PLAN_LENGTH = 3_000;
const WAIT_MS = 20_000;
/** How long the typist's server frames lag the opening of each socket (see
 * first-frames-proxy.ts): several keystrokes at this pace, so every reconnect races. */
const FIRST_FRAMES_HOLD_MS = 250;

/** Labels a person must never see here: a lockout ("reload", "no access", "view only"), or the
 * server turning down the edits of someone who merely typed through a reconnect. */
const MUST_NOT_SEE = /refused|rejected|reload|no access|not signed|view only|disconnected by/i;

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Polls the typist's status; fails at once, naming the label, if it says "denied". */
async function waitForStatus(page: Page, accepted: RegExp, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const status = (await statusOf(page).getAttribute('data-status')) ?? '';
    if (status === 'denied') {
      const label = await statusOf(page).textContent();
      throw new Error(`the editor locked its user out: "${label}" (seed ${SEED})`);
    }
    if (accepted.test(status)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `status still "${status}" after ${WAIT_MS} ms, waiting for ${what} (seed ${SEED})`,
      );
    }
    await nextTick();
  }
}

/** Waits (polling) until `count` more keystrokes went in: typing goes on meanwhile. */
async function keystrokesLater(typist: Typist, count: number): Promise<void> {
  const target = typist.typed() + count;
  const deadline = Date.now() + WAIT_MS;
  while (typist.typed() < target) {
    if (Date.now() > deadline)
      throw new Error(`typing stalled at ${typist.typed()} keys (seed ${SEED})`);
    await nextTick();
  }
}

function expectNeverLockedOut(log: StatusEntry[], who: string): void {
  const context = `${who}'s status history (seed ${SEED}): ${JSON.stringify(log)}`;
  expect(log.length, context).toBeGreaterThan(0);
  expect(
    log.filter((entry) => entry.status === 'denied'),
    context,
  ).toEqual([]);
  expect(
    log.filter((entry) => MUST_NOT_SEE.test(entry.label)),
    context,
  ).toEqual([]);
  expect(
    log.filter((entry) => entry.readOnly),
    context,
  ).toEqual([]);
  // "Saved" is a claim about the server: never made without a connection to it.
  expect(
    log.filter((entry) => entry.status === 'saved' && !entry.connected),
    context,
  ).toEqual([]);
}

/** The typist's way to the server (started after, and closed before, the server fixture). */
const withProxy = test.extend<{ typistLink: FirstFramesProxy }>({
  typistLink: async ({ server }, use) => {
    const proxy = await startFirstFramesProxy(() => server.port, FIRST_FRAMES_HOLD_MS);
    await use(proxy);
    await proxy.close();
  },
});

withProxy(
  'a person typing nonstop through five crashes and two restarts of the server is never locked out and loses no keystroke',
  async ({ browser, server, typistLink }) => {
    // Seven faults with a person typing between them: about 50 s on a quiet machine, 90 s with
    // the other e2e worker busy beside it. The limit only stops a hung run.
    test.setTimeout(240_000);
    const doc = '/d/typing-through-restarts';
    const alice = await newUser(browser, typistLink, 'Alice', doc);
    const bob = await newUser(browser, server, 'Bob', doc);
    for (const user of [alice, bob]) {
      await expect(statusOf(user.page)).toHaveAttribute('data-status', /online|saved/);
    }
    await expect(bob.page.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice']);
    await recordStatus(alice.page);
    await recordStatus(bob.page);

    const plan = keystrokePlan(seededRandom(SEED), PLAN_LENGTH);
    const outageLength = seededRandom(SEED + 1);
    await alice.page.locator('.cm-content').click();
    const typist = startTyping(alice.page, plan, seededRandom(SEED + 2));
    let keys: string[];
    try {
      for (const outage of OUTAGES) {
        // Some typing on the live server first, so every outage cuts into an edit stream.
        await waitForStatus(alice.page, /online|saved/, 'the reconnect');
        await keystrokesLater(typist, 8);
        if (outage === 'kill') await server.kill();
        // A graceful stop saves everything it accepted before exiting.
        else expect(await server.stop(), 'exit code after SIGTERM').toBe(0);
        await waitForStatus(alice.page, /reconnecting|offline/, 'the editor to notice the outage');
        // Typing while the server is down: these edits exist only in the browser.
        await keystrokesLater(typist, 10 + Math.floor(outageLength() * 20));
        await server.restart();
      }
      await waitForStatus(alice.page, /online|saved/, 'the last reconnect');
      // Keystrokes that reach the server right after the reconnect, on top of the offline ones.
      await keystrokesLater(typist, 12);
    } finally {
      keys = await typist.stop();
    }
    const expected = textAfter(keys);
    const context = `seed ${SEED}, ${keys.length} keystrokes`;

    await expect(statusOf(alice.page), context).toHaveText('All changes saved');
    await expect.poll(() => editorText(alice.page), { message: context }).toBe(expected);
    await expect.poll(() => editorText(bob.page), { message: context }).toBe(expected);
    // Presence healed: each sees the other exactly once (no ghost from before a restart).
    await expect(bob.page.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice']);
    await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Bob']);

    const aliceLog = await statusLog(alice.page);
    expectNeverLockedOut(aliceLog, 'Alice');
    expectNeverLockedOut(await statusLog(bob.page), 'Bob');
    // The outages were told truthfully: first retrying, then "unreachable, kept here".
    const labels = new Set(aliceLog.map((entry) => entry.label));
    expect([...labels], context).toEqual(
      expect.arrayContaining(['Reconnecting…', 'Offline · edits kept on this device']),
    );
    await saveScreenshot(alice.page, 'typing-through-restarts-typist');
    await saveScreenshot(bob.page, 'typing-through-restarts-watcher');

    // "All changes saved" meant on disk: a crash now loses none of it.
    await alice.context.close();
    await bob.context.close();
    await server.kill();
    await server.restart();
    const carol = await newUser(browser, server, 'Carol', doc);
    await expect(statusOf(carol.page)).toHaveAttribute('data-status', /online|saved/);
    await expect.poll(() => editorText(carol.page), { message: context }).toBe(expected);
  },
);
