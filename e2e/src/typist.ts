/**
 * A person who keeps typing: a seeded plan of keystrokes (words, line breaks, now and then a
 * typo fixed with Backspace) played into the focused editor at a human pace, in the background,
 * without ever waiting for the network. The text the plan should leave is computed alongside,
 * so a test can check that every keystroke arrived, in order, exactly once.
 */
import type { Page } from '@playwright/test';

/** mulberry32: a tiny seeded generator, so a failing run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'quire',
  'restart',
  'keeps',
  'every',
  'letter',
  'typed',
  'while',
  'the',
  'server',
  'was',
  'down',
  'or',
  'coming',
  'back',
  'nothing',
  'lost',
  'sync',
  'offline',
  'edit',
  'saved',
];
/** Keys that make a typo: a wrong letter, then Backspace. */
const TYPO_KEYS = 'xqzjk';

/** One keystroke: a printable character, Enter or Backspace. */
export type Keystroke = string;

/**
 * Lines never start or end with a space, so CodeMirror's Enter (which carries the previous
 * line's indentation over and trims trailing blanks) inserts exactly one "\n".
 */
export function keystrokePlan(random: () => number, count: number): Keystroke[] {
  const keys: Keystroke[] = [];
  let lineLength = 0;
  while (keys.length < count) {
    const word = WORDS[Math.floor(random() * WORDS.length)] ?? 'quire';
    if (lineLength > 0) keys.push(lineLength > 48 ? 'Enter' : ' ');
    if (lineLength > 48) lineLength = 0;
    for (const char of word) {
      if (random() < 0.04)
        keys.push(TYPO_KEYS[Math.floor(random() * TYPO_KEYS.length)] ?? 'x', 'Backspace');
      keys.push(char);
    }
    lineLength += word.length + 1;
  }
  return keys.slice(0, count);
}

/** The text `keys` leave in an empty editor whose cursor stays at the end. */
export function textAfter(keys: readonly Keystroke[]): string {
  let text = '';
  for (const key of keys) {
    if (key === 'Backspace') text = text.slice(0, -1);
    else text += key === 'Enter' ? '\n' : key;
  }
  return text;
}

export interface Typist {
  /** Keystrokes played so far. */
  typed(): number;
  /** Stops after the keystroke in progress; resolves with every keystroke played. */
  stop(): Promise<Keystroke[]>;
}

/**
 * Plays `plan` into `page` (its editor must have focus, cursor at the end), one key every
 * 30–60 ms. Runs until stopped or the plan is used up; a keyboard error ends the run and is
 * rethrown by `stop()`.
 */
export function startTyping(page: Page, plan: readonly Keystroke[], random: () => number): Typist {
  let played = 0;
  let stopping = false;
  const run = (async () => {
    while (!stopping && played < plan.length) {
      const key = plan[played] as Keystroke;
      if (key.length === 1) await page.keyboard.type(key);
      else await page.keyboard.press(key);
      played++;
      // The pause between two keystrokes of a person typing, not a wait for anything.
      await page.waitForTimeout(30 + Math.floor(random() * 31));
    }
  })();
  return {
    typed: () => played,
    async stop() {
      stopping = true;
      await run;
      return plan.slice(0, played);
    },
  };
}
