/**
 * The RedisBus publisher's writes of one turn leave as one (bus/redis-write-batch.ts), against
 * the machine's real Redis: a turn's publishes for twenty documents reach the socket as one
 * writev, in order, every one delivered; the next turn writes again; and a publish while the
 * connection is not up yet is not held by a cork (ioredis queues it and sends it on connect).
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { BusEnvelope } from '../../src/index.js';
import { silentLogger } from '../../src/index.js';
import { RedisBus } from '../../src/bus/redis.js';
import { waitFor } from '../helpers/poll.js';
import { requireSharedRedis, SHARED_REDIS_URL } from '../helpers/redis.js';

beforeAll(requireSharedRedis);

const DOCS = 20;

/** Counts what the publisher's socket is handed: single writes and writev batches. */
function countWrites(bus: RedisBus): { writes: number; batches: number[] } {
  const publisher = (bus as unknown as { publisher: Redis }).publisher;
  const stream = publisher.stream as Socket & {
    _write: (...args: unknown[]) => void;
    _writev: (chunks: unknown[], cb: unknown) => void;
  };
  const seen = { writes: 0, batches: [] as number[] };
  const write = stream._write.bind(stream);
  const writev = stream._writev.bind(stream);
  stream._write = (...args) => {
    seen.writes++;
    write(...args);
  };
  stream._writev = (chunks, cb) => {
    seen.batches.push(chunks.length);
    writev(chunks, cb);
  };
  return seen;
}

describe('RedisBus write batching', () => {
  const buses: RedisBus[] = [];
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  const bus = (keyPrefix: string) => {
    const b = new RedisBus({ url: SHARED_REDIS_URL, keyPrefix, logger: silentLogger });
    buses.push(b);
    return b;
  };

  it("writes one turn's publishes as one writev, in order, and each turn again", async () => {
    const keyPrefix = `quire-test:${randomUUID()}:`;
    const [a, b] = [bus(keyPrefix), bus(keyPrefix)];
    const got: BusEnvelope[] = [];
    for (let d = 0; d < DOCS; d++) await b.subscribe(`doc-${d}`, (e) => got.push(e));
    // Subscribing also waited for `a` to connect: its publisher is ready.
    await waitFor(() => a.healthy, 5_000, 'the publisher ready');
    const seen = countWrites(a);
    for (let d = 0; d < DOCS; d++) {
      a.publish(`doc-${d}`, { kind: 'update', update: Uint8Array.of(d), seq: d + 1 });
    }
    await waitFor(() => got.length === DOCS, 5_000, 'every message');
    expect(seen).toEqual({ writes: 0, batches: [DOCS] });
    expect(got.map((e) => [e.docName, (e.message as { seq: number }).seq])).toEqual(
      Array.from({ length: DOCS }, (_, d) => [`doc-${d}`, d + 1]),
    );
    // A later turn: a write of its own, not held back by the first.
    a.publish('doc-0', { kind: 'update', update: Uint8Array.of(99), seq: 100 });
    await waitFor(() => got.length === DOCS + 1, 5_000, 'the next turn');
    expect(seen.writes + seen.batches.length).toBe(2);
  });

  it('sends what was published before the connection was up', async () => {
    const keyPrefix = `quire-test:${randomUUID()}:`;
    const receiver = bus(keyPrefix);
    const got: BusEnvelope[] = [];
    await receiver.subscribe('doc', (e) => got.push(e));
    const early = bus(keyPrefix); // still connecting: nothing to cork
    early.publish('doc', { kind: 'update', update: Uint8Array.of(1), seq: 1 });
    early.publish('doc', { kind: 'update', update: Uint8Array.of(2), seq: 2 });
    await waitFor(() => got.length === 2, 5_000, 'the early messages');
    expect(got.map((e) => (e.message as { seq: number }).seq)).toEqual([1, 2]);
  });
});
