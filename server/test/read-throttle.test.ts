/** ReadThrottle without sockets: when it pauses and resumes reading, with fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionRateLimiter } from '../src/guards/rate-limiter.js';
import { ReadThrottle } from '../src/transport/read-throttle.js';

function throttled(limits = { messagesPerSecond: 100, messageBurst: 10 }) {
  const calls: string[] = [];
  const delivered: number[] = [];
  const socket = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
  const limiter = new ConnectionRateLimiter({ ...limits, bytesPerSecond: 1e9, byteBurst: 1e9 });
  const throttle = new ReadThrottle<number>(socket, limiter, (n) => delivered.push(n));
  return { calls, delivered, throttle };
}

describe('ReadThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the burst at once, then pauses reading and holds what was already read', () => {
    const { calls, delivered, throttle } = throttled();
    for (let i = 0; i < 11; i++) throttle.receive(i, 1);
    expect(delivered).toHaveLength(11); // the burst, and the message that went over it
    expect(calls).toEqual(['pause']);
    expect(throttle.throttled).toBe(true);
    // ws still hands over what it had read before the pause: held, not delivered.
    for (let i = 11; i < 31; i++) throttle.receive(i, 1);
    expect(delivered).toHaveLength(11);
  });

  it('releases held messages at the sustained rate, in order, and reads again once all are out', () => {
    const { calls, delivered, throttle } = throttled();
    for (let i = 0; i < 31; i++) throttle.receive(i, 1);
    vi.advanceTimersByTime(100); // 10 tokens at 100/s, minus the debt of one
    expect(delivered.length).toBeGreaterThan(11);
    expect(delivered.length).toBeLessThan(31);
    expect(calls).toEqual(['pause']);
    vi.advanceTimersByTime(300);
    expect(delivered).toEqual(Array.from({ length: 31 }, (_, i) => i));
    expect(calls).toEqual(['pause', 'resume']);
    expect(throttle.throttled).toBe(false);
    expect(throttle.pauses).toBe(1);
  });

  it('holds reading while the document loads, independently of the budget', () => {
    const { calls, throttle } = throttled();
    throttle.holdUntilLoaded();
    for (let i = 0; i < 11; i++) throttle.receive(i, 1);
    vi.advanceTimersByTime(1_000);
    expect(calls).toEqual(['pause']); // the budget refilled, but the load goes on
    throttle.loaded();
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('drops what it holds and leaves no timer behind when destroyed', () => {
    const { delivered, throttle } = throttled();
    for (let i = 0; i < 20; i++) throttle.receive(i, 1);
    throttle.destroy();
    vi.advanceTimersByTime(1_000);
    expect(delivered).toHaveLength(11);
    expect(vi.getTimerCount()).toBe(0);
  });
});
