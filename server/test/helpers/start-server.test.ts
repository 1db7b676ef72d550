/** startServer registers its server for closing when the test that started it finishes. */
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { startServer } from './server.js';

/** Whether anything accepts HTTP on the port now. */
async function answers(httpUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${httpUrl}/healthz`);
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('startServer cleanup', () => {
  // The tests below run in order: the second looks at what the first left behind.
  let leftOpen: string | null = null;

  it('a server the test never closes is listening during the test', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    leftOpen = running.httpUrl;
    expect(await answers(running.httpUrl)).toBe(true);
  });

  it('is closed once that test has finished', async () => {
    expect(leftOpen).not.toBeNull();
    expect(await answers(leftOpen!)).toBe(false);
  });

  it('a test that closes its server itself, twice even, loses nothing', async () => {
    const running = await startServer({ storage: new MemoryStorage() });
    await running.close();
    await running.close();
    expect(await answers(running.httpUrl)).toBe(false);
  });
});
