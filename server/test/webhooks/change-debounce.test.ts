/**
 * document.changed's outbox row (webhooks/change-debounce.ts) on a MemoryOutbox: written in the
 * very turn of a window's first change, not due before the window ends, rewritten then with
 * everyone who changed the document; nothing for changes heard over the bus.
 */
import { Registry } from 'prom-client';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/index.js';
import { MemoryOutbox } from '../../src/storage/memory-outbox.js';
import { ChangeDebounce } from '../../src/webhooks/change-debounce.js';
import { EventRecorder } from '../../src/webhooks/event-recorder.js';
import { WebhookMetrics } from '../../src/webhooks/webhook-metrics.js';

describe('document.changed debounce', () => {
  it('has the event in the outbox from the first change, due when the window ends', async () => {
    const outbox = new MemoryOutbox();
    let now = 1_000_000;
    const recorder = new EventRecorder({
      outbox,
      receivers: ['r'],
      log: silentLogger,
      metrics: new WebhookMetrics(new Registry()),
      maxRows: 100,
      onDue: () => {},
      now: () => now,
    });
    const debounce = new ChangeDebounce({
      recorder,
      debounceMs: 60_000,
      maxIntervalMs: 600_000,
      textFields: () => ({}),
    });
    const room = { name: 'doc', doc: new Y.Doc(), authorName: () => null };
    const counted = async () => (await outbox.stats(['r'], Number.MAX_SAFE_INTEGER)).pending;

    debounce.changed(room, { kind: 'bus' });
    expect(await counted()).toBe(0);
    debounce.changed(room, { kind: 'api', actor: 'alice' });
    // Written synchronously in the change's turn (MemoryOutbox and SQLite run statements at
    // once), due only at the window's end at the latest: after a crash it is still sent.
    expect(await counted()).toBe(1);
    expect(await outbox.claim('r', 'x', now, now + 1, 10)).toEqual([]);
    expect(await outbox.claim('r', 'x', now + 599_999, now + 600_000, 10)).toEqual([]);
    now += 1_000;
    debounce.changed(room, { kind: 'restore', actor: 'bob' });
    expect(await counted()).toBe(1);

    debounce.flushAll(); // the window's end (shutdown ends them all at once)
    await recorder.drain();
    const [row] = await outbox.claim('r', 'x', now, now + 1, 10);
    expect(JSON.parse(row!.payload)).toMatchObject({
      event: 'document.changed',
      doc: 'doc',
      since: 1_000_000,
      at: 1_001_000,
      changedBy: ['alice', 'bob'],
    });
  });
});
