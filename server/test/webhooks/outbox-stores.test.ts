/**
 * The webhook outbox contract (src/webhooks/outbox.ts) on each built-in store: memory, SQLite
 * in a temp dir, PostgreSQL in a private database. Leases keep two claimers apart, retries,
 * dead letters, replay, and the untried rows a debounce or a prepared event may still rewrite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryStorage,
  PostgresStorage,
  SqliteStorage,
  type NewOutboxEvent,
  type StorageAdapter,
  type WebhookOutbox,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/server.js';

const T0 = 1_700_000_000_000;

function event(id: string, createdAt = T0, availableAt = createdAt): NewOutboxEvent {
  return {
    eventId: id,
    event: 'document.created',
    doc: `doc-${id}`,
    payload: JSON.stringify({ id }),
    createdAt,
    availableAt,
  };
}

const stores: [string, () => Promise<{ storage: StorageAdapter; cleanup(): Promise<void> }>][] = [
  ['memory', async () => ({ storage: new MemoryStorage(), cleanup: async () => {} })],
  [
    'SQLite',
    async () => {
      const dir = tempDir('quire-outbox-');
      const storage = new SqliteStorage({ dataDir: dir.path });
      return { storage, cleanup: async () => dir.remove() };
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const db: TestDatabase = await createTestDatabase();
      const storage = new PostgresStorage({ connectionString: db.url });
      await storage.ready();
      return { storage, cleanup: () => db.drop() };
    },
  ],
];

describe.each(stores)('webhook outbox on %s', (_name, open) => {
  let storage: StorageAdapter;
  let cleanup: () => Promise<void>;
  let outbox: WebhookOutbox;
  beforeAll(async () => {
    ({ storage, cleanup } = await open());
    outbox = storage.outbox!;
  });
  afterAll(async () => {
    await storage.close();
    await cleanup();
  });

  it('leases each due row to one claimer, in order, and lets an expired lease go', async () => {
    await outbox.add(event('a'), ['r1', 'r2']);
    await outbox.add(event('b'), ['r1']);
    await outbox.add(event('later', T0, T0 + 10_000), ['r1']);
    const first = await outbox.claim('r1', 'one', T0, T0 + 1_000, 10);
    expect(first.map((d) => d.eventId)).toEqual(['a', 'b']);
    expect(first[0]).toMatchObject({ receiver: 'r1', event: 'document.created', attempts: 0 });
    // Leased: another claimer gets nothing of r1 until the lease runs out; r2 is its own queue.
    expect(await outbox.claim('r1', 'two', T0 + 500, T0 + 1_500, 10)).toEqual([]);
    expect((await outbox.claim('r2', 'two', T0, T0 + 1_000, 10)).map((d) => d.eventId)).toEqual([
      'a',
    ]);
    // A renewed lease holds longer; the one not renewed is free after its time.
    await outbox.renew([first[1]!.seq], 'one', T0 + 5_000);
    await outbox.renew([first[0]!.seq], 'someone-else', T0 + 9_000);
    const expired = await outbox.claim('r1', 'two', T0 + 2_000, T0 + 3_000, 10);
    expect(expired.map((d) => d.eventId)).toEqual(['a']);
    for (const d of [...first, ...expired]) await outbox.complete(d.seq);
    await outbox.complete((await outbox.claim('r2', 'x', T0 + 5_000, T0 + 6_000, 10))[0]?.seq ?? 0);
    const stats = await outbox.stats(['r1', 'r2'], T0 + 20_000);
    expect(stats).toMatchObject({ pending: 1, dead: 0, total: 1, oldestDueAt: T0 });
    expect(
      (await outbox.claim('r1', 'x', T0 + 20_000, T0 + 21_000, 10)).map((d) => d.eventId),
    ).toEqual(['later']);
    await outbox.release(
      (await outbox.claim('r1', 'x', T0 + 30_000, T0 + 31_000, 10)).map((d) => d.seq),
    );
  });

  it('counts retries, buries what ran out of time, and replays a dead letter', async () => {
    const [later] = await outbox.claim('r1', 'x', T0 + 40_000, T0 + 41_000, 10);
    await outbox.complete(later!.seq);
    await outbox.add(event('c', T0), ['r3']);
    await outbox.add(event('d', T0 + 50_000), ['r3']);
    const [c] = await outbox.claim('r3', 'x', T0 + 1, T0 + 1_000, 1);
    await outbox.retryLater(c!.seq, T0 + 100, 'HTTP 500');
    expect(await outbox.claim('r3', 'x', T0 + 50, T0 + 1_000, 1)).toEqual([]);
    // Waiting out its backoff, c still counts as waiting since it happened (d is not due yet).
    expect((await outbox.stats(['r3'], T0 + 50)).oldestDueAt).toBe(T0);
    const [again] = await outbox.claim('r3', 'x', T0 + 100, T0 + 1_000, 1);
    expect(again).toMatchObject({ eventId: 'c', attempts: 1, lastError: 'HTTP 500' });
    await outbox.release([again!.seq]);
    expect(await outbox.buryExpired('r3', T0 + 10_000, T0 + 60_000, 'retries ran out')).toBe(1);
    const dead = await outbox.deadLetters(10);
    expect(dead).toMatchObject([{ eventId: 'c', lastError: 'HTTP 500', deadAt: T0 + 60_000 }]);
    expect(await outbox.stats(['r3'], T0 + 60_000)).toMatchObject({ pending: 1, dead: 1 });
    expect(await outbox.deadLetters(10, dead[0]!.seq)).toEqual([]);
    expect(await outbox.replay(dead[0]!.seq, T0 + 70_000)).toBe(true);
    expect(await outbox.replay(dead[0]!.seq, T0 + 70_000)).toBe(false);
    const replayed = await outbox.claim('r3', 'x', T0 + 70_000, T0 + 71_000, 10);
    expect(replayed.map((d) => [d.eventId, d.attempts, d.createdAt])).toEqual([
      ['c', 0, T0 + 70_000],
      ['d', 0, T0 + 50_000],
    ]);
    await outbox.retryLater(replayed[0]!.seq, T0, 'again');
    // d is still leased (till T0 + 71 000): only c goes.
    expect(await outbox.buryExpired('r3', T0 + 80_000, T0 + 70_500, 'x')).toBe(1);
    expect(await outbox.purgeDead(T0 + 95_000, 10)).toBe(1);
    await outbox.complete(replayed[1]!.seq);
    expect((await outbox.stats(['r3'], T0)).total).toBe(0);
  });

  it('rewrites or cancels only rows never tried', async () => {
    await outbox.add(event('e', T0, T0 + 60_000), ['r4', 'r5']);
    const [tried] = await outbox.claim('r5', 'x', T0 + 60_000, T0 + 61_000, 1);
    await outbox.update('e', '{"id":"e","final":true}', T0 + 1);
    const [rewritten] = await outbox.claim('r4', 'x', T0 + 1, T0 + 2, 1);
    expect(JSON.parse(rewritten!.payload)).toEqual({ id: 'e', final: true });
    expect(JSON.parse(tried!.payload)).toEqual({ id: 'e' });
    await outbox.release([rewritten!.seq]);
    await outbox.cancel('e');
    expect(await outbox.claim('r4', 'x', T0 + 100, T0 + 200, 1)).toEqual([]);
    await outbox.complete(tried!.seq);
    expect((await outbox.stats([], T0)).total).toBe(0);
  });
});
