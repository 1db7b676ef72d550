/**
 * Threat model D (docs/threat-model.md), load on documents: R4–R7, R10 (and R10b, viewer writes),
 * scaled down to stay short on a shared 2-core machine: limits are lowered so that a few hundred
 * sockets reach them, and the scale of each case is in its name. Behaviour (who is refused, with
 * which code, what is kept) is asserted; speed and memory figures belong to the benchmarks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  decodeServerFrame,
  encodeQueryAwareness,
  encodeSyncStep1,
  encodeSyncUpdate,
} from '@quire/shared';
import { rawSocket, waitFor, type RawSocket } from '../helpers/clients.js';
import { attack, outcome, textUpdate } from './attack.js';
import { startHarness, storedBytes, storedText, TEST_SECRET, type Harness } from './harness.js';
import { signToken } from '../../src/index.js';
import { openRaw } from './raw-frames.js';

describe('threat model D: resource exhaustion — load on documents (scaled)', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('R4 (scaled: 20 MiB streamed, high-water 256 KiB) → the non-reading client is held back, not closed; once it reads again it gets exactly what it missed in place', async () => {
    h = await startHarness({ sendHighWaterBytes: 256 * 1024 });
    const slow = await openRaw(h.running.port, '/r4');
    slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's send buffer
    const writer = await h.client('r4');
    const rssBefore = process.memoryUsage().rss;
    // Each 512 KiB insert is deleted again, so 20 MiB stream past while the document (deleted
    // content is garbage-collected) stays small for the resync and the canaries.
    const chunk = 'x'.repeat(512 * 1024);
    for (let i = 0; i < 40; i++) {
      writer.text.insert(0, chunk);
      writer.text.delete(0, chunk.length);
      // Paces the writer on purpose: a stream of separate frames, not one burst.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writer.text.insert(0, 'end');
    const reader = await h.client('r4');
    await waitFor(() => reader.text.toString() === 'end', 20_000, 'stream delivered to others');
    const rssAfter = process.memoryUsage().rss;
    // Held back, not queued: far less than the 20 MiB that streamed past stays in memory.
    expect(rssAfter - rssBefore).toBeLessThan(64 * 1024 * 1024);
    slow.socket.resume();
    await waitFor(() => slow.documentText() === 'end', 20_000, 'slow reader resynced in place');
    expect(slow.closeCode()).toBeNull();
    slow.socket.destroy();
    for (const c of [writer, reader]) c.destroy();
    await h.oracle('r4', 'end');
  });

  it('R5 (scaled: 2000 messages at once, 500/s + burst 200) → throttled, never closed: every message is answered; other clients keep round-tripping', async () => {
    h = await startHarness({ messagesPerSecond: 500, messageBurst: 200 });
    const a = await h.client('r5');
    const b = await h.client('r5');
    const flood = await rawSocket(`${h.wsUrl}/r5`);
    const probe = (async () => {
      for (let i = 0; i < 10; i++) {
        const marker = `m${i};`;
        a.text.insert(a.text.length, marker);
        await waitFor(() => b.text.toString().includes(marker), 5_000, 'probe');
      }
    })();
    for (let i = 0; i < 2_000; i++) flood.ws.send(encodeQueryAwareness());
    const answers = () =>
      flood.messages.filter((m) => decodeServerFrame(m).kind === 'awareness').length;
    await waitFor(() => answers() >= 2_000, 15_000, 'every flooded query answered');
    expect((await outcome(flood, 200)).code).toBe(-1); // still open
    await probe;
    a.destroy();
    b.destroy();
    await h.oracle('r5');
  });

  it('R6 (scaled: 300 distinct documents from one client) → idle documents unload; memory bounded', async () => {
    h = await startHarness();
    for (let batch = 0; batch < 6; batch++) {
      const sockets = await Promise.all(
        Array.from({ length: 50 }, (_, i) => rawSocket(`${h!.wsUrl}/r6-${batch}-${i}`)),
      );
      for (const s of sockets) s.ws.send(encodeSyncUpdate(textUpdate('junk')));
      await waitFor(() => sockets.every((s) => s.messages.length > 0), 5_000);
      for (const s of sockets) s.ws.close();
    }
    await waitFor(
      () => h!.running.server.loadedDocuments().length <= 2,
      15_000,
      'idle documents unloaded',
    );
    await h.oracle('r6-0-0', 'junk');
  });

  it('R6b (scaled: 5 new documents a minute per user) → the write that would create a 6th gets 1013 (try again later) and stores nothing; existing documents and other users are unaffected', async () => {
    h = await startHarness({ auth: true, maxNewDocumentsPerMinute: 5 });
    const token = await signToken({ secret: TEST_SECRET, doc: '*', mode: 'rw', sub: 'attacker' });
    const url = (doc: string) => `${h!.wsUrl}/${doc}?token=${token}`;
    for (let i = 0; i < 5; i++) {
      const socket = await rawSocket(url(`r6b-${i}`));
      socket.ws.send(encodeSyncUpdate(textUpdate(`doc ${i}`)));
      await waitFor(async () => (await h!.storage.load(`r6b-${i}`)) !== null, 5_000, 'stored');
      socket.ws.close();
    }
    // Opening a sixth new document is free (a viewer creates nothing)…
    const viewer = await rawSocket(url('r6b-5'));
    viewer.ws.send(encodeSyncUpdate(new Uint8Array([0, 0])));
    // …but putting content into it would create it: refused.
    viewer.ws.send(encodeSyncUpdate(textUpdate('one too many')));
    const refused = await outcome(viewer);
    expect(refused.code).toBe(CloseCode.TryAgainLater);
    expect(await h.storage.load('r6b-5')).toBeNull();

    // The same user keeps editing what exists.
    const again = await rawSocket(url('r6b-0'));
    again.ws.send(encodeSyncUpdate(textUpdate('more ', { clientID: 4242 })));
    await waitFor(
      async () => (await storedText(h!.storage, 'r6b-0')).includes('more'),
      5_000,
      'edit stored',
    );
    again.ws.close();
    // Other users (the harness canaries have their own subject) still create and edit.
    await h.oracle('r6b-5');
  });

  it('R7 (scaled: max document 1 MiB) → the update that would pass it gets 4413; stored state not grown', async () => {
    h = await startHarness({ maxDocumentBytes: 1024 * 1024 });
    const chunk = 'y'.repeat(300 * 1024);
    const updates: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      updates.push(textUpdate(chunk, { clientID: 7001, base: updates, index: i * chunk.length }));
    }
    const result = await attack(
      await h.url('r7'),
      updates.map((u) => encodeSyncUpdate(u)),
    );
    expect(result.code).toBe(CloseCode.TooLarge);
    const stored = await storedBytes(h.storage, 'r7');
    expect(stored.length).toBeLessThanOrEqual(1024 * 1024);
    expect(await storedText(h.storage, 'r7')).toBe(chunk.repeat(3));
    await h.oracle('r7', chunk.repeat(3));
  });

  it('R10 (scaled: 40 clients ask for a 1 MiB document at once) → one cached encoding', async () => {
    h = await startHarness();
    const writer = await h.client('r10');
    writer.text.insert(0, 'z'.repeat(1024 * 1024));
    await waitFor(() => h!.running.server.metrics.updatesPersisted >= 2, 5_000);
    const sockets: RawSocket[] = await Promise.all(
      Array.from({ length: 40 }, () => rawSocket(`${h!.wsUrl}/r10`)),
    );
    for (const s of sockets) s.ws.send(encodeSyncStep1(Uint8Array.of(0)));
    const replies = () =>
      sockets.filter((s) => s.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'))
        .length;
    await waitFor(() => replies() === 40, 20_000, 'all replies');
    const sizes = new Set(
      sockets.map(
        (s) => s.messages.find((m) => decodeServerFrame(m).kind === 'sync-step2')!.length,
      ),
    );
    expect(sizes.size).toBe(1);
    for (const s of sockets) s.ws.close();
    writer.destroy();
    await h.oracle('r10');
  });

  it('R10b a viewer flooding writes on a large document (~25k structs) → each refused without walking the document', async () => {
    h = await startHarness({ auth: true });
    const big = new Y.Doc();
    big.clientID = 8_000;
    const text = big.getText('text');
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    big.transact(() => {
      for (let i = 0; i < 20_000; i++) text.insert(Math.floor(random() * (text.length + 1)), 'ab');
      for (let i = 0; i < 4_000; i++) text.delete(Math.floor(random() * (text.length - 1)), 1);
    });
    const writer = await rawSocket(await h.url('r10b'));
    writer.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(big)));
    await waitFor(() => h!.running.server.metrics.updatesPersisted >= 2, 10_000, 'big doc stored');
    const viewer = await rawSocket(await h.url('r10b', 'ro'));
    const denied = () =>
      viewer.messages.filter((m) => decodeServerFrame(m).kind === 'permission-denied').length;
    for (let i = 0; i < 200; i++) {
      viewer.ws.send(encodeSyncUpdate(textUpdate(`v${i}`, { clientID: 9_000 + i })));
    }
    await waitFor(() => denied() === 200, 20_000, 'all refused');
    expect((await outcome(viewer, 200)).code).toBe(-1);
    writer.ws.close();
    await h.oracle('r10b', text.toString());
  });
});
