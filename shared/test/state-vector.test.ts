import { describe, expect, it } from 'vitest';
import { stateVectorShortfall } from '../src/index.js';

const missingClocks = (a: Map<number, number>, b: Map<number, number>) =>
  stateVectorShortfall(a, b).missingClocks;

describe('stateVectorShortfall', () => {
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

  it('counts the clients that are behind, and refuses clocks no state vector can hold', () => {
    expect(
      stateVectorShortfall(
        sv([
          [1, 10],
          [2, 4],
          [3, 1],
        ]),
        sv([[1, 7]]),
      ),
    ).toEqual({
      clients: 3,
      missingClocks: 8,
    });
    expect(() => stateVectorShortfall(sv([[1, -1]]), sv([]))).toThrow(RangeError);
    expect(() => stateVectorShortfall(sv([[1, 2 ** 60]]), sv([]))).toThrow(RangeError);
  });
});
