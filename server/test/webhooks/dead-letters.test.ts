/**
 * Webhooks whose retries run out (a short retry window): the event becomes a dead letter,
 * readiness says deliveries are stuck, an operator lists and replays it and the receiver gets
 * it. And the text opt-in: with webhookIncludeText, created and changed bodies carry the text.
 * Open mode (MemoryStorage): the dead-letter routes are anyone's there, like every route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { api, jsonRequest } from '../api/api-client.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { startReceiver, type Receiver } from './receiver.js';

const HOOK_SECRET = 'hook-secret-0123456789abcdef0123456789';
const DEAD_LETTERS = '/api/webhooks/dead-letters';

describe('webhook dead letters and the text opt-in', () => {
  let receiver: Receiver;
  let running: RunningServer;

  beforeAll(async () => {
    receiver = await startReceiver(HOOK_SECRET);
    running = await startServer({
      storage: new MemoryStorage(),
      webhookUrls: [receiver.url],
      webhookSecret: HOOK_SECRET,
      webhookIncludeText: true,
      webhookChangeDebounceMs: 50,
      webhookChangeMaxIntervalMs: 500,
      webhookTimeoutMs: 1_000,
      webhookRetryBaseMs: 30,
      webhookRetryMaxMs: 80,
      webhookRetryWindowMs: 1_500,
      webhookPollIntervalMs: 40,
      webhookUnreadyAfterMs: 150,
    });
  });
  afterAll(async () => {
    await running.close();
    await receiver.stop();
  });

  const readyz = async () =>
    (await (await fetch(`${running.httpUrl}/readyz`)).json()) as {
      ready: boolean;
      checks: Record<string, string>;
    };

  it('includes the text when opted in', async () => {
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'notes', text: 'hello' }));
    const client = stockClient(running.wsUrl, 'notes');
    try {
      await waitSynced(client);
      client.doc.getText('codemirror').insert(5, ' world');
      await waitFor(() => receiver.ofType('document.changed').length > 0, 5_000, 'changed');
    } finally {
      client.destroy();
    }
    expect(receiver.ofType('document.created')[0]).toMatchObject({ doc: 'notes', text: 'hello' });
    expect(receiver.ofType('document.changed')[0]).toMatchObject({
      doc: 'notes',
      text: 'hello world',
      changedBy: [],
    });
  });

  it('makes a dead letter when retries run out, reports it, and replays it', async () => {
    receiver.answer = 500;
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'doomed' }));
    await waitFor(
      async () =>
        ((await api(running.httpUrl, DEAD_LETTERS)).json.deadLetters as unknown[]).length > 0,
      5_000,
      'a dead letter',
    );
    const [dead] = (await api(running.httpUrl, DEAD_LETTERS)).json.deadLetters;
    expect(dead).toMatchObject({
      event: 'document.created',
      doc: 'doomed',
      receiver: new URL(receiver.url).origin,
      lastError: 'HTTP 500',
    });
    expect(dead.attempts).toBeGreaterThan(0);
    const attempts = receiver.ofType('document.created').filter((e) => e.doc === 'doomed');
    expect(attempts.length).toBeGreaterThan(1);
    expect(new Set(attempts.map((e) => e.id))).toEqual(new Set([dead.eventId]));

    // While the receiver fails, later events wait past webhookUnreadyAfterMs: not ready.
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'waiting' }));
    await waitFor(async () => !(await readyz()).ready, 5_000, '/readyz to fail');
    expect((await readyz()).checks.webhooks).toMatch(/^down: a webhook event has waited/);

    receiver.answer = 204;
    const replay = await api(running.httpUrl, `${DEAD_LETTERS}/${dead.id}/replay`, {
      method: 'POST',
    });
    expect(replay.status).toBe(202);
    await waitFor(
      () => receiver.events.filter((e) => e.id === dead.eventId).length > attempts.length,
      5_000,
      'the replayed event',
    );
    const delivered = receiver.events.filter((e) => e.id === dead.eventId).at(-1)!;
    expect(delivered).toMatchObject({
      event: 'document.created',
      doc: 'doomed',
      at: attempts[0]!.at,
    });
    await waitFor(async () => (await readyz()).ready, 5_000, '/readyz to recover');
    const after = (await api(running.httpUrl, DEAD_LETTERS)).json.deadLetters as { id: number }[];
    expect(after.map((d) => d.id)).not.toContain(dead.id);
    // A replay of what is no longer a dead letter is a 404.
    const twice = await api(running.httpUrl, `${DEAD_LETTERS}/${dead.id}/replay`, {
      method: 'POST',
    });
    expect(twice.status).toBe(404);
  });

  it('refuses bad paging parameters', async () => {
    expect((await api(running.httpUrl, `${DEAD_LETTERS}?limit=0`)).status).toBe(400);
    expect((await api(running.httpUrl, `${DEAD_LETTERS}?after=x`)).status).toBe(400);
    expect(
      (await api(running.httpUrl, `${DEAD_LETTERS}/x/replay`, { method: 'POST' })).status,
    ).toBe(400);
  });
});

describe('a full webhook outbox', () => {
  it('drops new events past webhookMaxOutboxRows, counts them and fails readiness', async () => {
    const receiver = await startReceiver(HOOK_SECRET);
    await receiver.stop(); // down: nothing leaves the outbox
    const running = await startServer({
      storage: new MemoryStorage(),
      webhookUrls: [receiver.url],
      webhookSecret: HOOK_SECRET,
      webhookMaxOutboxRows: 2,
      webhookPollIntervalMs: 20,
    });
    for (const name of ['one', 'two', 'three']) {
      await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name }));
    }
    const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
    expect(metrics).toContain('quire_webhook_events_dropped_total{event="document.created"} 1');
    const ready = (await (await fetch(`${running.httpUrl}/readyz`)).json()) as {
      checks: Record<string, string>;
    };
    expect(ready.checks.webhooks).toBe(
      'down: webhook outbox full (2 rows): new events are dropped',
    );
    expect((await running.server.storage.outbox!.stats([], Date.now())).total).toBe(2);
    await running.close();
  });
});

describe('several webhook receivers', () => {
  it('delivers to each on its own: one that is down holds up only its own queue', async () => {
    const up = await startReceiver(HOOK_SECRET);
    const down = await startReceiver(HOOK_SECRET);
    await down.stop();
    const running = await startServer({
      storage: new MemoryStorage(),
      webhookUrls: [down.url, up.url],
      webhookSecret: HOOK_SECRET,
      webhookPollIntervalMs: 20,
      webhookRetryBaseMs: 1_000,
    });
    for (const name of ['a', 'b', 'c']) {
      await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name }));
    }
    await waitFor(() => up.events.length === 3, 5_000, 'the live receiver to get all three');
    const keys = running.server.webhooks!.receivers.map((r) => r.key);
    // What is left is the three of the receiver that is down (the live one's rows go once
    // their answers are in).
    await waitFor(
      async () => (await running.server.storage.outbox!.stats(keys, Date.now())).pending === 3,
      5_000,
      "the down receiver's three rows alone pending",
    );
    await down.restart();
    await waitFor(() => down.events.length === 3, 10_000, 'the other receiver, once back');
    expect(down.events.map((e) => e.id).sort()).toEqual(up.events.map((e) => e.id).sort());
    await running.close();
    await Promise.all([up.stop(), down.stop()]);
  });
});
