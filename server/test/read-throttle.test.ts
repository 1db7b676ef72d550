/** ReadThrottle without sockets: when it pauses and resumes reading, with fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionRateLimiter } from '../src/auth/rate-limiter.js';
import { ReadThrottle } from '../src/read-throttle.js';

function pausable() {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

describe('ReadThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const limits = { messagesPerSecond: 100, messageBurst: 10, bytesPerSecond: 1e9, byteBurst: 1e9 };

  it('reads freely within the burst, pauses past it, and resumes once the debt is paid', () => {
    const socket = pausable();
    const throttle = new ReadThrottle(socket, new ConnectionRateLimiter(limits));
    for (let i = 0; i < 10; i++) throttle.charge(1);
    expect(socket.calls).toEqual([]);
    throttle.charge(1); // 1 message of debt at 100/s: 10 ms
    expect(socket.calls).toEqual(['pause']);
    expect(throttle.throttled).toBe(true);
    // Messages ws had already read still arrive; they are charged and lengthen the pause.
    throttle.charge(1);
    throttle.charge(1);
    vi.advanceTimersByTime(10);
    expect(socket.calls).toEqual(['pause']); // 30 ms of debt in all
    vi.advanceTimersByTime(25);
    expect(socket.calls).toEqual(['pause', 'resume']);
    expect(throttle.throttled).toBe(false);
    expect(throttle.pauses).toBe(1);
  });

  it('holds reading while the document loads, independently of the budget', () => {
    const socket = pausable();
    const throttle = new ReadThrottle(socket, new ConnectionRateLimiter(limits));
    throttle.holdUntilLoaded();
    for (let i = 0; i < 11; i++) throttle.charge(1);
    vi.advanceTimersByTime(1_000);
    expect(socket.calls).toEqual(['pause']); // the budget refilled, but the load goes on
    throttle.loaded();
    expect(socket.calls).toEqual(['pause', 'resume']);
  });

  it('leaves no timer behind when destroyed', () => {
    const socket = pausable();
    const throttle = new ReadThrottle(socket, new ConnectionRateLimiter(limits));
    for (let i = 0; i < 20; i++) throttle.charge(1);
    throttle.destroy();
    expect(vi.getTimerCount()).toBe(0);
  });
});
