/**
 * PresenceBatchClock on fake timers: every room due publishes in one tick (so their messages
 * leave in one turn, one write to Redis), ticks stay at least a batch window apart (a room
 * still publishes at most once per window), a member that throws is logged and the others
 * still publish, and a removed member or a stopped clock publishes nothing.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../src/index.js';
import type { LogFields } from '../../src/log.js';
import { silentLogger } from '../../src/index.js';
import { PresenceBatchClock, type PresenceBatchMember } from '../../src/bus/presence-batch.js';

const BATCH_MS = 40;

/** A member recording the fake time of each flush. */
const member = (docName: string, flushes: number[], fail = false): PresenceBatchMember => ({
  docName,
  flushBatch: () => {
    flushes.push(Date.now());
    if (fail) throw new Error('boom');
  },
});

describe('PresenceBatchClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('flushes every room that became due at one tick, at most one batch window after the first', async () => {
    const clock = new PresenceBatchClock(BATCH_MS, silentLogger);
    const a: number[] = [];
    const b: number[] = [];
    clock.add(member('a', a));
    await vi.advanceTimersByTimeAsync(30);
    const mb = member('b', b);
    clock.add(mb);
    clock.add(mb); // twice in one window: once
    await vi.advanceTimersByTimeAsync(10);
    expect(a).toEqual([BATCH_MS]);
    expect(b).toEqual([BATCH_MS]);
    // Nothing due: no tick. The next change arms a new window of its own.
    await vi.advanceTimersByTimeAsync(100);
    expect(a).toEqual([BATCH_MS]);
    clock.add(member('a', a));
    await vi.advanceTimersByTimeAsync(BATCH_MS - 1);
    expect(a).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(a).toEqual([BATCH_MS, 140 + BATCH_MS]);
  });

  it('keeps ticks a batch window apart, so a room changing all the time publishes once per window', async () => {
    const clock = new PresenceBatchClock(BATCH_MS, silentLogger);
    const flushes: number[] = [];
    const typing = member('a', flushes);
    for (let t = 0; t < 400; t += 5) {
      clock.add(typing);
      await vi.advanceTimersByTimeAsync(5);
    }
    expect(flushes.length).toBeLessThanOrEqual(400 / BATCH_MS);
    for (let i = 1; i < flushes.length; i++) {
      expect(flushes[i]! - flushes[i - 1]!).toBeGreaterThanOrEqual(BATCH_MS);
    }
  });

  it('logs a member that throws with its document, and still flushes the others', async () => {
    const errors: LogFields[] = [];
    const logger: Logger = {
      ...silentLogger,
      error: (_m, fields) => void errors.push(fields ?? {}),
    };
    const clock = new PresenceBatchClock(BATCH_MS, logger);
    const bad: number[] = [];
    const good: number[] = [];
    clock.add(member('bad', bad, true));
    clock.add(member('good', good));
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(bad).toHaveLength(1);
    expect(good).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ doc: 'bad', error: 'boom' })]);
  });

  it('does not flush a member removed before the tick, nor anything once stopped', async () => {
    const clock = new PresenceBatchClock(BATCH_MS, silentLogger);
    const removed: number[] = [];
    const kept: number[] = [];
    const gone = member('gone', removed);
    clock.add(gone);
    clock.add(member('kept', kept));
    clock.remove(gone);
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(removed).toEqual([]);
    expect(kept).toHaveLength(1);
    clock.add(member('kept', kept));
    clock.stop();
    await vi.advanceTimersByTimeAsync(BATCH_MS * 3);
    expect(kept).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
