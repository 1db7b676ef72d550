/**
 * A character diff with a bounded cost. fast-diff (Myers) takes time proportional to the text
 * length times the number of differences: two unrelated texts of a few thousand characters
 * already cost hundreds of milliseconds on the event loop, and a megabyte would stall the server
 * for minutes. So the work is budgeted:
 * - the common prefix and suffix are cut off first (linear): most real diffs end here;
 * - a small differing middle gets a character diff;
 * - a larger one is diffed line by line: equal lines at both ends cut off, then lines as tokens
 *   when that is affordable, else split at lines that occur once on each side (a patience
 *   diff, O(n log n)), piece by piece; each changed block of lines is refined to characters
 *   while the budget lasts;
 * - past that, a block (or the whole middle) is one delete and one insert.
 * The ops are always correct (applied in order they turn `a` into `b`); only their minimality
 * is given up, for inputs no person compares character by character anyway.
 *
 * The cost of one fast-diff call is counted as (length of both inputs)². Measured on this
 * project's machine: two unrelated texts of 1,000 characters each take ≈ 90 ms, of 4,000 each
 * ≈ 1 s; MAX_DIFF_WORK allows the equivalent of two of 500 (≈ 25 ms) per boundedDiff. With it,
 * unrelated 1 MB texts take ≈ 20 ms and two unrelated or shuffled 30,000-line texts 70–110 ms.
 */
import diff from 'fast-diff';

/** fast-diff's [op, text]: -1 only in the first text, 0 in both, 1 only in the second. */
export type DiffOp = [-1 | 0 | 1, string];

/** Total (x + y)² over the fast-diff calls one boundedDiff may make. */
export const MAX_DIFF_WORK = 1_000 * 1_000;

export function boundedDiff(a: string, b: string): DiffOp[] {
  if (a === b) return a === '' ? [] : [[0, a]];
  const prefix = commonPrefix(a, b);
  const suffix = commonSuffix(a.slice(prefix), b.slice(prefix));
  const ops: DiffOp[] = [];
  if (prefix > 0) ops.push([0, a.slice(0, prefix)]);
  const budget = { left: MAX_DIFF_WORK };
  ops.push(
    ...middle(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix), budget),
  );
  if (suffix > 0) ops.push([0, a.slice(a.length - suffix)]);
  return merge(ops);
}

interface Budget {
  left: number;
}

function middle(a: string, b: string, budget: Budget): DiffOp[] {
  if (a === '' || b === '') return replace(a, b);
  const chars = (a.length + b.length) ** 2;
  if (chars <= budget.left) {
    budget.left -= chars;
    return diff(a, b) as DiffOp[];
  }
  return lineDiff(splitLines(a), splitLines(b), budget);
}

/** Lines of `a` against lines of `b`: equal lines at both ends are cut off, the rest is diffed
 * as tokens when affordable, else split at the lines that occur exactly once in each (in the
 * same order: a patience diff), and each piece between them is diffed the same way. */
function lineDiff(a: string[], b: string[], budget: Budget): DiffOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (
    end < a.length - start &&
    end < b.length - start &&
    a[a.length - 1 - end] === b[b.length - 1 - end]
  ) {
    end++;
  }
  const out: DiffOp[] = [];
  if (start > 0) out.push([0, a.slice(0, start).join('')]);
  out.push(...lineMiddle(a.slice(start, a.length - end), b.slice(start, b.length - end), budget));
  if (end > 0) out.push([0, a.slice(a.length - end).join('')]);
  return out;
}

function lineMiddle(a: string[], b: string[], budget: Budget): DiffOp[] {
  if (a.length === 0 || b.length === 0) return refine(a.join(''), b.join(''), budget);
  const tokens = (a.length + b.length) ** 2;
  if (tokens <= budget.left) {
    budget.left -= tokens;
    return tokenDiff(a, b, budget);
  }
  // The split costs linear work per piece; charged too, so no input can make the recursion
  // itself expensive (each level peeling off one anchor).
  budget.left -= a.length + b.length;
  const anchors = budget.left > 0 ? uniqueAnchors(a, b) : [];
  if (anchors.length === 0) return refine(a.join(''), b.join(''), budget);
  const out: DiffOp[] = [];
  let fromA = 0;
  let fromB = 0;
  for (const [i, j] of anchors) {
    out.push(...lineDiff(a.slice(fromA, i), b.slice(fromB, j), budget));
    out.push([0, a[i]!]);
    fromA = i + 1;
    fromB = j + 1;
  }
  out.push(...lineDiff(a.slice(fromA), b.slice(fromB), budget));
  return out;
}

/** Each line one character (none of them a surrogate: at most a few thousand distinct lines get
 * here, see MAX_DIFF_WORK), diffed as strings; changed blocks are refined to characters. */
function tokenDiff(a: string[], b: string[], budget: Budget): DiffOp[] {
  const codes = new Map<string, string>();
  const lines: string[] = [];
  const encode = (list: string[]) =>
    list
      .map((line) => {
        let code = codes.get(line);
        if (code === undefined) {
          code = String.fromCharCode(0x4e00 + lines.length);
          codes.set(line, code);
          lines.push(line);
        }
        return code;
      })
      .join('');
  const decode = (coded: string) =>
    Array.from(coded, (c) => lines[c.charCodeAt(0) - 0x4e00]!).join('');
  const encodedA = encode(a);
  const encodedB = encode(b);
  const out: DiffOp[] = [];
  let deleted = '';
  let inserted = '';
  const flush = () => {
    if (deleted === '' && inserted === '') return;
    out.push(...refine(deleted, inserted, budget));
    deleted = '';
    inserted = '';
  };
  for (const [op, coded] of diff(encodedA, encodedB) as DiffOp[]) {
    if (op === -1) deleted += decode(coded);
    else if (op === 1) inserted += decode(coded);
    else {
      flush();
      out.push([0, decode(coded)]);
    }
  }
  flush();
  return out;
}

/** Pairs (i, j) with a[i] === b[j] for lines that occur once in a and once in b, the longest
 * run increasing in both (patience sorting, O(k log k)). */
function uniqueAnchors(a: string[], b: string[]): [number, number][] {
  const count = new Map<string, { a: number; b: number; j: number }>();
  for (const line of a) {
    const c = count.get(line) ?? { a: 0, b: 0, j: -1 };
    c.a++;
    count.set(line, c);
  }
  b.forEach((line, j) => {
    const c = count.get(line);
    if (c) {
      c.b++;
      c.j = j;
    }
  });
  const pairs: [number, number][] = [];
  a.forEach((line, i) => {
    const c = count.get(line)!;
    if (c.a === 1 && c.b === 1) pairs.push([i, c.j]);
  });
  // Longest increasing subsequence of the j's: tails[k] is the pair ending the best run of k+1.
  const tails: number[] = [];
  const previous: number[] = new Array<number>(pairs.length).fill(-1);
  pairs.forEach(([, j], index) => {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < j) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[index] = tails[lo - 1]!;
    tails[lo] = index;
  });
  const run: [number, number][] = [];
  for (let k = tails.at(-1) ?? -1; k >= 0; k = previous[k]!) run.push(pairs[k]!);
  return run.reverse();
}

/** A changed block of lines, to characters while the budget lasts. */
function refine(a: string, b: string, budget: Budget): DiffOp[] {
  const cost = (a.length + b.length) ** 2;
  if (a === '' || b === '' || cost > budget.left) return replace(a, b);
  budget.left -= cost;
  return diff(a, b) as DiffOp[];
}

function replace(a: string, b: string): DiffOp[] {
  const ops: DiffOp[] = [];
  if (a !== '') ops.push([-1, a]);
  if (b !== '') ops.push([1, b]);
  return ops;
}

/** Lines with their line breaks, so joining them gives the text back. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** Length of the common prefix, never ending inside a surrogate pair. */
function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1))) i--;
  return i;
}

/** Length of the common suffix, never starting inside a surrogate pair. */
function commonSuffix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) i++;
  if (i > 0 && isLowSurrogate(a.charCodeAt(a.length - i))) i--;
  return i;
}

/** Joins neighbouring ops of the same kind and drops empty ones. */
function merge(ops: DiffOp[]): DiffOp[] {
  const out: DiffOp[] = [];
  for (const [op, text] of ops) {
    if (text === '') continue;
    const last = out.at(-1);
    if (last && last[0] === op) last[1] += text;
    else out.push([op, text]);
  }
  return out;
}
