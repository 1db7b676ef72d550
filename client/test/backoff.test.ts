import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('stays between half and all of the exponential step', () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const step = 250 * 2 ** attempt;
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(step / 2);
      expect(backoffDelay(attempt, { random: () => 0.999999 })).toBe(step);
    }
  });

  it('never exceeds the cap, however many failures', () => {
    expect(backoffDelay(1000, { random: () => 0.999999, maxMs: 5000 })).toBe(5000);
    expect(backoffDelay(1000, { random: () => 0, maxMs: 5000 })).toBe(2500);
  });

  it('spreads clients that failed at the same moment', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
  });
});

describe('Backoff', () => {
  it('grows with each failure and starts over after reset', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    const first = backoff.next();
    const second = backoff.next();
    expect(second).toBeGreaterThan(first);
    expect(backoff.failures).toBe(2);
    backoff.reset();
    expect(backoff.next()).toBe(first);
  });
});
