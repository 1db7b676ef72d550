/**
 * SQLite rewrites (or reads and compares) a whole row to change one column, snapshots included,
 * so keeping `updated_at` exact on every append cost each append the size of the document's
 * snapshots (BENCHMARKS.md: a stream of 256 KiB pastes stalled the event loop for seconds). A
 * document with big snapshots therefore has its time moved at most once a second by appends;
 * one with small snapshots keeps it exact.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteStorage } from '../../src/index.js';
import { tempDir } from '../helpers/server.js';

const T0 = 1_800_000_000_000;

describe('SqliteStorage keeps updated_at for recency', () => {
  const dir = tempDir('quire-touch-');
  const storage = new SqliteStorage({ dataDir: dir.path });
  afterEach(() => vi.useRealTimers());
  afterAll(async () => {
    await storage.close();
    dir.remove();
  });

  const updatedAt = async (name: string): Promise<number | undefined> =>
    (await storage.list({ prefix: name })).find((d) => d.name === name)?.updatedAt;
  const at = (ms: number) => vi.setSystemTime(T0 + ms);

  it('exact for small documents, at most once a second for ones with big snapshots', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const big = new Uint8Array(256 * 1024).fill(7);
    at(0);
    const first = await storage.append('big', big);
    expect(await storage.compact('big', big, { throughSeq: first, baseSeq: 0 })).toBe(true);
    await storage.append('small', new Uint8Array([1]));
    at(400);
    await storage.append('big', new Uint8Array([2]));
    await storage.append('small', new Uint8Array([2]));
    expect(await updatedAt('small')).toBe(T0 + 400);
    expect(await updatedAt('big')).toBe(T0);
    at(1_200);
    await storage.append('big', new Uint8Array([3]));
    expect(await updatedAt('big')).toBe(T0 + 1_200);
    expect((await storage.list({ order: 'recent' })).map((d) => d.name)).toEqual(['big', 'small']);
  });
});
