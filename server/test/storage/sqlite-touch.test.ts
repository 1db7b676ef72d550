/**
 * Every append keeps the document's `updated_at` exact, whatever the size of its snapshots: they
 * live in their own table (storage/sqlite-schema.ts), so the documents row an append touches is
 * small. (When they shared the row, big documents' times could only move once a second.)
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

  it('exact for small documents and for ones with big snapshots', async () => {
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
    expect(await updatedAt('big')).toBe(T0 + 400);
    at(1_200);
    await storage.append('big', new Uint8Array([3]));
    expect(await updatedAt('big')).toBe(T0 + 1_200);
    expect((await storage.list({ order: 'recent' })).map((d) => d.name)).toEqual(['big', 'small']);
  });
});
