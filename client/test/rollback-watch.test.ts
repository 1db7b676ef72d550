import { describe, expect, it } from 'vitest';
import { missingClocks } from '../src/rollback-watch.js';

describe('missingClocks', () => {
  const sv = (entries: [number, number][]) => new Map(entries);

  it('counts the acknowledged items the current state lacks, per client', () => {
    expect(
      missingClocks(
        sv([
          [1, 10],
          [2, 4],
        ]),
        sv([
          [1, 7],
          [2, 4],
        ]),
      ),
    ).toBe(3);
    expect(
      missingClocks(
        sv([
          [1, 10],
          [2, 4],
        ]),
        sv([]),
      ),
    ).toBe(14);
  });

  it('is 0 when the current state covers the acknowledged one, or has more', () => {
    expect(missingClocks(sv([[1, 10]]), sv([[1, 10]]))).toBe(0);
    expect(
      missingClocks(
        sv([[1, 10]]),
        sv([
          [1, 12],
          [3, 1],
        ]),
      ),
    ).toBe(0);
    expect(missingClocks(sv([]), sv([[1, 1]]))).toBe(0);
  });
});
