/**
 * A reader that stops reading is held back (nothing more is queued for it) and, if it never
 * drains, closed with 1013 after the slow-consumer timeout, a code every stock client retries
 * after. Its neighbours keep receiving everything meanwhile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '@quire/shared';
import { MemoryStorage } from '../src/index.js';
import { startServer, type RunningServer } from './helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from './helpers/clients.js';
import { openRaw } from './security/raw-frames.js';

describe('slow consumers', () => {
  let running: RunningServer | null = null;
  const clients: StockClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await running?.close();
    running = null;
  });

  const join = async (doc: string) => {
    const c = stockClient(running!.wsUrl, doc);
    clients.push(c);
    await waitSynced(c);
    return c;
  };

  it('a reader that never drains is closed with 1013 after the timeout; the others receive everything', async () => {
    running = await startServer({
      storage: new MemoryStorage(),
      sendHighWaterBytes: 64 * 1024,
      slowConsumerTimeoutMs: 500,
    });
    const stalled = await openRaw(running.port, '/stall');
    stalled.socket.pause();
    const writer = await join('stall');
    const reader = await join('stall');
    // More than loopback's socket buffers hold (several MiB), in chunks that are deleted again
    // so that the document itself stays small.
    const chunk = 'y'.repeat(1024 * 1024);
    for (let i = 0; i < 16; i++) {
      writer.text.insert(0, chunk);
      writer.text.delete(0, chunk.length);
      // Paces the writer on purpose: a stream of separate frames, not one burst.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writer.text.insert(0, 'done');
    await waitFor(() => reader.text.toString() === 'done', 10_000, 'the other reader');
    const metrics = () => fetch(`${running!.httpUrl}/metrics`).then((r) => r.text());
    await waitFor(
      async () => /quire_slow_consumers_closed_total 1/.test(await metrics()),
      5_000,
      'the slow consumer closed',
    );
    stalled.socket.resume(); // read what was queued before the hold-back, then the close frame
    await waitFor(() => stalled.closeCode() !== null, 10_000, 'close frame');
    expect(stalled.closeCode()).toBe(CloseCode.TryAgainLater);
    stalled.socket.destroy();
  });
});
