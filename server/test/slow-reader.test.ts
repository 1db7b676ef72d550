/** SlowReader without sockets: when frames are held back, where the resync starts, the timeout. */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SlowReader, type DocState } from '../src/transport/slow-reader.js';

class FakeSocket extends EventEmitter {
  writableLength = 0;
}

function reader(highWater = 100, timeoutMs = 1_000) {
  const socket = new FakeSocket();
  const events = { drained: [] as (DocState | null)[], timedOut: 0 };
  const slow = new SlowReader(socket, highWater, timeoutMs, {
    drained: (missedFrom) => events.drained.push(missedFrom),
    timedOut: () => events.timedOut++,
  });
  return { socket, slow, events };
}

describe('SlowReader', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes frames below the high-water mark and holds back everything above it', () => {
    const { socket, slow } = reader();
    expect(slow.shouldDrop(new Map([[1, 5]]))).toBe(false);
    socket.writableLength = 101;
    expect(slow.shouldDrop(new Map([[1, 6]]))).toBe(true);
    socket.writableLength = 0; // below the mark again, but not drained yet: still held back
    expect(slow.shouldDrop()).toBe(true);
  });

  it('resyncs from the lowest state among the held-back document frames when the socket drains', () => {
    const { socket, slow, events } = reader();
    socket.writableLength = 200;
    slow.shouldDrop(
      new Map([
        [1, 10],
        [2, 4],
      ]),
    );
    slow.shouldDrop(
      new Map([
        [1, 12],
        [2, 3],
        [3, 1],
      ]),
    );
    slow.shouldDrop(); // presence: no document state
    socket.emit('drain');
    expect(events.drained).toEqual([
      new Map([
        [1, 10],
        [2, 3],
      ]),
    ]);
    slow.caughtUp();
    socket.writableLength = 0;
    expect(slow.shouldDrop(new Map())).toBe(false);
    expect(slow.episodes).toBe(1);
  });

  it('asks only for presence when no document frame was held back', () => {
    const { socket, slow, events } = reader();
    socket.writableLength = 200;
    slow.shouldDrop();
    socket.emit('drain');
    expect(events.drained).toEqual([null]);
  });

  it('gives up on a reader that does not drain within the timeout', () => {
    const { socket, slow, events } = reader(100, 1_000);
    socket.writableLength = 200;
    slow.shouldDrop(new Map());
    vi.advanceTimersByTime(999);
    expect(events.timedOut).toBe(0);
    vi.advanceTimersByTime(1);
    expect(events.timedOut).toBe(1);
    socket.emit('drain'); // too late: no resync after the timeout
    expect(events.drained).toEqual([]);
  });

  it('a reader that drains in time is not timed out later', () => {
    const { socket, slow, events } = reader(100, 1_000);
    socket.writableLength = 200;
    slow.shouldDrop(new Map());
    socket.emit('drain');
    vi.advanceTimersByTime(5_000);
    expect(events.timedOut).toBe(0);
    expect(socket.listenerCount('drain')).toBe(0);
  });
});
