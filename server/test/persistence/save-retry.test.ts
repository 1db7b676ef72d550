/** SaveRetry on fake timers: backoff, jitter bounds, the cap, reset and stop. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SAVE_RETRY_INITIAL_MS,
  SAVE_RETRY_MAX_MS,
  SaveRetry,
} from '../../src/persistence/save-retry.js';

/** A save that fails until told otherwise, recording the fake clock at every attempt. */
function scriptedSave(outcome: () => boolean | Promise<boolean> = () => false) {
  const attempts: number[] = [];
  const save = vi.fn(async () => {
    attempts.push(Date.now());
    return outcome();
  });
  return { save, attempts };
}

/** Gaps between consecutive attempts, the first measured from `start`. */
const gaps = (start: number, attempts: number[]) =>
  attempts.map((at, i) => at - (i === 0 ? start : attempts[i - 1]!));

describe('SaveRetry', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('doubles the delay after every failed attempt, each within half and all of its base', async () => {
    const bases = [1, 2, 4, 8, 16].map((f) => SAVE_RETRY_INITIAL_MS * f);
    for (const random of [0, 0.999_999]) {
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const { save, attempts } = scriptedSave();
      const retry = new SaveRetry(save);
      const start = Date.now();
      retry.schedule();
      await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS * 31);
      retry.stop();
      const measured = gaps(start, attempts).slice(0, 5);
      if (random === 0) expect(measured).toEqual(bases.map((base) => base / 2));
      // The fake clock counts whole milliseconds: a delay just under the base shows as base - 1.
      else for (const [i, gap] of measured.entries()) expect(gap).toBeGreaterThan(bases[i]! - 2);
      for (const [i, gap] of measured.entries()) expect(gap).toBeLessThanOrEqual(bases[i]!);
    }
  });

  it('never waits longer than SAVE_RETRY_MAX_MS, nor less than half of it once capped', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    const { save, attempts } = scriptedSave();
    const retry = new SaveRetry(save);
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS * 12);
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const before = attempts.length;
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS * 4);
    retry.stop();
    const all = gaps(attempts[0]!, attempts).slice(1);
    expect(Math.max(...all)).toBeLessThanOrEqual(SAVE_RETRY_MAX_MS);
    expect(all.slice(-3)).toEqual([1, 1, 1].map(() => SAVE_RETRY_MAX_MS / 2));
    expect(attempts.length - before).toBeGreaterThanOrEqual(7);
  });

  it('a save that throws counts as a failed attempt and is retried later', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let calls = 0;
    const { save, attempts } = scriptedSave(() => {
      calls++;
      if (calls === 1) throw new Error('disk full');
      return true;
    });
    const retry = new SaveRetry(save);
    const start = Date.now();
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS * 10);
    expect(gaps(start, attempts)).toEqual([SAVE_RETRY_INITIAL_MS / 2, SAVE_RETRY_INITIAL_MS]);
    expect(retry.pending).toBe(false);
  });

  it('stops after a successful attempt, and a later failure starts over from the short delay', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    let succeed = false;
    const { save, attempts } = scriptedSave(() => succeed);
    const retry = new SaveRetry(save);
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS * 3.5); // attempts at 50, 150, 350
    succeed = true;
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS * 4); // 750: saved
    expect(attempts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS * 2);
    expect(attempts).toHaveLength(4);

    const again = Date.now();
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS);
    expect(attempts.at(-1)! - again).toBe(SAVE_RETRY_INITIAL_MS / 2);
  });

  it('schedule while an attempt is pending adds no second one', async () => {
    const { save } = scriptedSave(() => true);
    const retry = new SaveRetry(save);
    retry.schedule();
    retry.schedule();
    expect(retry.pending).toBe(true);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS);
    expect(save).toHaveBeenCalledTimes(1);
  });

  it('reset cancels the pending attempt and starts the backoff over', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { save, attempts } = scriptedSave();
    const retry = new SaveRetry(save);
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS * 3.5); // three failures: next in 400
    expect(attempts).toHaveLength(3);
    retry.reset(); // saved some other way, e.g. by an unload flush
    expect(retry.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS);
    expect(attempts).toHaveLength(3);
    const again = Date.now();
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS);
    expect(attempts.at(-1)! - again).toBe(SAVE_RETRY_INITIAL_MS / 2);
    retry.stop();
  });

  it('stop cancels the pending attempt and ignores every later schedule', async () => {
    const { save } = scriptedSave();
    const retry = new SaveRetry(save);
    retry.schedule();
    retry.stop();
    retry.schedule();
    expect(retry.pending).toBe(false);
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS * 2);
    expect(save).not.toHaveBeenCalled();
  });

  it('stop during a running attempt schedules no further one when it fails', async () => {
    let fail!: () => void;
    const save = vi.fn(() => new Promise<boolean>((resolve) => (fail = () => resolve(false))));
    const retry = new SaveRetry(save);
    retry.schedule();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_INITIAL_MS);
    expect(save).toHaveBeenCalledTimes(1);
    retry.stop(); // the document was destroyed while its repair ran
    fail();
    await vi.advanceTimersByTimeAsync(SAVE_RETRY_MAX_MS * 2);
    expect(save).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
