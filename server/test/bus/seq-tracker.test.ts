/** SeqTracker: which store seqs a room holds, with gapless seqs and with a store-wide counter. */
import { describe, expect, it } from 'vitest';
import { SeqTracker } from '../../src/bus/seq-tracker.js';

describe('SeqTracker with gapless seqs', () => {
  it('advances through consecutive seqs and refuses what it holds', () => {
    const t = new SeqTracker(true, 3);
    expect(t.take(3)).toBe(false); // what the load read
    expect(t.take(4)).toBe(true);
    expect(t.take(4)).toBe(false); // a duplicate
    expect(t.held).toBe(4);
    expect(t.has(4) && !t.has(5)).toBe(true);
    expect(t.hasGap).toBe(false);
  });

  it('sees a gap, and closes it when the missing seq arrives late (reordered)', () => {
    const t = new SeqTracker(true, 1);
    expect(t.take(3)).toBe(true);
    expect(t.take(4)).toBe(true);
    expect(t.hasGap).toBe(true);
    expect(t.held).toBe(1);
    expect(t.take(3)).toBe(false);
    expect(t.take(2)).toBe(true);
    expect(t.held).toBe(4);
    expect(t.hasGap).toBe(false);
  });

  it('a storage read closes the gap up to its head and keeps what arrived above it', () => {
    const t = new SeqTracker(true, 1);
    t.take(3);
    t.take(6);
    t.caughtUp(4);
    expect(t.held).toBe(4);
    expect(t.hasGap).toBe(true); // 5 is still missing below 6
    t.take(5);
    expect(t.held).toBe(6);
    expect(t.behind(6)).toBe(false);
    expect(t.behind(7)).toBe(true);
    t.caughtUp(2); // an older read changes nothing
    expect(t.held).toBe(6);
  });

  it('forgets a seq that a later storage read shows was never stored', () => {
    const t = new SeqTracker(true, 5);
    t.take(9_000_000); // forged, or from a document deleted and created again
    const before = t.aboveNow();
    t.take(8); // arrives during the read: may be newer than what it returns
    t.caughtUp(6, before);
    expect(t.held).toBe(6);
    expect(t.hasGap).toBe(true); // 7 is missing below 8
    t.take(7);
    expect(t.held).toBe(8);
    expect(t.hasGap).toBe(false);
  });
});

describe('SeqTracker with a store-wide counter', () => {
  it('never assumes the seqs below one it saw: only storage reads advance what it holds', () => {
    const t = new SeqTracker(false, 10);
    expect(t.take(11)).toBe(true);
    expect(t.take(11)).toBe(false);
    expect(t.held).toBe(10);
    expect(t.hasGap).toBe(false); // it cannot tell
    expect(t.behind(11)).toBe(true); // so the head check reads the tail
    t.caughtUp(11);
    expect(t.behind(11)).toBe(false);
    expect(t.take(11)).toBe(false);
  });
});
