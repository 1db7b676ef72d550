/**
 * boundedDiff: always correct (the ops turn a into b), minimal where a character diff is
 * affordable, line-level and then block-level past its budget (unrelated large texts no longer
 * cost a quadratic character diff), and never splitting a surrogate pair.
 */
import { describe, expect, it } from 'vitest';
import diff from 'fast-diff';
import { boundedDiff, type DiffOp } from '../../src/history/text-diff.js';
import { seededRandom } from '../helpers/random.js';

function apply(a: string, ops: DiffOp[]): string {
  let out = '';
  let at = 0;
  for (const [op, part] of ops) {
    if (op === 0) {
      expect(a.slice(at, at + part.length)).toBe(part);
      out += part;
      at += part.length;
    } else if (op === -1) {
      expect(a.slice(at, at + part.length)).toBe(part);
      at += part.length;
    } else out += part;
  }
  expect(at).toBe(a.length);
  return out;
}

const changed = (ops: DiffOp[]) =>
  ops
    .filter(([op]) => op !== 0)
    .map(([, t]) => t)
    .join('');
const isLone = (code: number | undefined) => code !== undefined && code >= 0xdc00 && code <= 0xdfff;

describe('boundedDiff', () => {
  it('turns a into b, for random small and large edits', () => {
    const random = seededRandom(14);
    const alphabet = ['a', 'b', ' ', '\n', 'é', '😀', '中', 'x'];
    const text = (n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    for (let i = 0; i < 200; i++) {
      const a = text(Math.floor(random() * 300));
      let b = a;
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (b.length + 1));
        b =
          b.slice(0, at) +
          text(Math.floor(random() * 20)) +
          b.slice(at + Math.floor(random() * 10));
      }
      const ops = boundedDiff(a, b);
      // A split surrogate pair in the input is a test artefact, not the diff's doing.
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(a + b))
        continue;
      expect(apply(a, ops)).toBe(b);
      for (const [, part] of ops) expect(isLone(part.charCodeAt(0))).toBe(false);
    }
  });

  it('is the minimal character diff where that is affordable', () => {
    const a = 'The quick brown fox jumps over the lazy dog.';
    const b = 'The quick red fox leaps over the lazy dog!';
    const expected = (diff(a, b) as DiffOp[]).filter(([, t]) => t !== '');
    expect(boundedDiff(a, b)).toEqual(expected);
    expect(boundedDiff('', '')).toEqual([]);
    expect(boundedDiff('same', 'same')).toEqual([[0, 'same']]);
    expect(boundedDiff('', 'new')).toEqual([[1, 'new']]);
    expect(boundedDiff('old', '')).toEqual([[-1, 'old']]);
  });

  it('a small edit in a large text touches only the edit', () => {
    const big = 'lorem ipsum dolor sit amet\n'.repeat(40_000); // ≈ 1 MB
    const edited = `${big.slice(0, 500_000)}NEW${big.slice(500_010)}`;
    const ops = boundedDiff(big, edited);
    expect(apply(big, ops)).toBe(edited);
    expect(changed(ops).length).toBeLessThanOrEqual(13);
  });

  it('unrelated large texts become one delete and one insert (no quadratic diff)', () => {
    const random = seededRandom(7);
    const noise = (n: number) =>
      Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');
    const a = noise(200_000);
    const b = noise(200_000);
    const ops = boundedDiff(a, b);
    expect(apply(a, ops)).toBe(b);
    expect(ops.length).toBeLessThanOrEqual(4); // common prefix/suffix of a character or two
  });

  it('many changed lines in a long text: a line diff, refined to characters while affordable', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `line ${i}: some text that stays\n`);
    const edited = lines.map((l, i) => (i % 50 === 0 ? l.replace('stays', 'moved') : l));
    const a = lines.join('');
    const b = edited.join('');
    const ops = boundedDiff(a, b);
    expect(apply(a, ops)).toBe(b);
    // Only the 12 edited lines changed, and within them only the changed word.
    const removed = ops.filter(([op]) => op === -1).map(([, t]) => t);
    const added = ops.filter(([op]) => op === 1).map(([, t]) => t);
    expect(removed.join('').length).toBeLessThanOrEqual(12 * 'stays'.length);
    expect(added.join('').length).toBeLessThanOrEqual(12 * 'moved'.length);
  });

  it('edits at both ends of a long document stay small (patience split at unique lines)', () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `paragraph ${i} of the report\n`);
    const a = lines.join('');
    const edited = [...lines];
    edited[3] = 'a new opening line\n';
    edited[2_500] = edited[2_500]!.replace('report', 'draft');
    edited.splice(4_990, 1);
    const b = edited.join('');
    const ops = boundedDiff(a, b);
    expect(apply(a, ops)).toBe(b);
    expect(changed(ops).length).toBeLessThan(200);
  });

  it('stays correct for shuffled, duplicated and repeated lines', () => {
    const random = seededRandom(3);
    const lines = Array.from({ length: 3_000 }, (_, i) => `line ${i % 700}\n`);
    const shuffled = [...lines].sort(() => random() - 0.5);
    for (const [a, b] of [
      [lines.join(''), shuffled.join('')],
      ['\n'.repeat(50_000), `${'\n'.repeat(20_000)}x${'\n'.repeat(30_000)}`],
      [shuffled.join(''), `${shuffled.slice(0, 1_000).join('')}${lines.join('')}`],
    ] as const) {
      expect(apply(a, boundedDiff(a, b))).toBe(b);
    }
  });

  it('never splits a surrogate pair at the common prefix or suffix', () => {
    // 😀 and 😁 share their high surrogate; 😀 and 🙀 share their low one.
    for (const [a, b] of [
      ['😀 a', '😁 a'],
      ['x😀', 'x🙀'],
      ['😀', '😁'],
    ] as const) {
      const ops = boundedDiff(a, b);
      expect(apply(a, ops)).toBe(b);
      for (const [, part] of ops) {
        expect(isLone(part.charCodeAt(0))).toBe(false);
        const last = part.charCodeAt(part.length - 1);
        expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
      }
    }
  });
});
