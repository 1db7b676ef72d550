/**
 * Webhooks end to end on one server (SQLite in a temp dir, token auth) and a real receiver that
 * verifies every signature: each event's body and who it names, the debounce of
 * document.changed, retries after a 500, a timeout and a receiver that is down, and who may see
 * the dead letters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/index.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';
import { stockClient, waitSynced } from '../helpers/clients.js';
import { waitFor } from '../helpers/poll.js';
import { tempDir, type RunningServer } from '../helpers/server.js';
import { allSent, HOOK_SECRET, startHookedServer, TOKEN_SECRET } from './hooked-server.js';
import { distinctIds, startReceiver, type Receiver } from './receiver.js';

const DEBOUNCE_MS = 150;
const MAX_INTERVAL_MS = 600;

describe('webhooks', () => {
  const dir = tempDir('quire-webhooks-');
  let receiver: Receiver;
  let running: RunningServer;
  let operator: string;
  let writer: string;

  beforeAll(async () => {
    receiver = await startReceiver(HOOK_SECRET);
    running = await startHookedServer(receiver, dir.path, {
      webhookChangeDebounceMs: DEBOUNCE_MS,
      webhookChangeMaxIntervalMs: MAX_INTERVAL_MS,
      webhookTimeoutMs: 1_000,
      webhookRetryBaseMs: 40,
      webhookRetryMaxMs: 150,
    });
    operator = await signToken({ secret: TOKEN_SECRET, doc: '*', mode: 'rw', sub: 'ops' });
    writer = await signToken({ secret: TOKEN_SECRET, doc: 'team/*', mode: 'rw', sub: 'alice' });
  });
  afterAll(async () => {
    await running.close();
    await receiver.stop();
    dir.remove();
  });

  const eventsFor = (doc: string, event: string) =>
    receiver.events.filter((e) => e.doc === doc && e.event === event);
  const arrived = (doc: string, event: string, count = 1) =>
    waitFor(() => eventsFor(doc, event).length >= count, 5_000, `${count} × ${event} for ${doc}`);

  it('sends document.created and document.deleted for API calls, signed, naming the caller', async () => {
    const create = await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'team/plan', text: 'secret plans' }, writer),
    );
    expect(create.status).toBe(201);
    await arrived('team/plan', 'document.created');
    const [created] = eventsFor('team/plan', 'document.created');
    expect(created).toMatchObject({
      event: 'document.created',
      doc: 'team/plan',
      createdBy: 'alice',
    });
    expect(created!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created!.sentAt).toBeGreaterThanOrEqual(created!.at);
    // Text is opt-in: off here.
    expect(created).not.toHaveProperty('text');

    expect(
      (await api(running.httpUrl, docPath('team/plan'), { method: 'DELETE', token: writer }))
        .status,
    ).toBe(204);
    await arrived('team/plan', 'document.deleted');
    expect(eventsFor('team/plan', 'document.deleted')[0]).toMatchObject({ deletedBy: 'alice' });
    // A refused create (the name exists) reports nothing.
    const again = await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'team/plan' }, writer),
    );
    expect(again.status).toBe(409);
    await allSent(running);
    // One event (a slow answer could make a second attempt of it, never a second event).
    expect(distinctIds(eventsFor('team/plan', 'document.created')).size).toBe(1);
    expect(receiver.badSignatures).toBe(0);
  });

  it('debounces document.changed per document and names the editor; typing creates the document', async () => {
    const client = stockClient(running.wsUrl, 'team/typed', { params: { token: writer } });
    try {
      await waitSynced(client);
      client.text.insert(0, 'a');
      // Keystrokes closer together than the debounce make one event.
      for (let i = 0; i < 5; i++) client.text.insert(0, 'b');
      await arrived('team/typed', 'document.changed');
      expect(eventsFor('team/typed', 'document.created')[0]).toMatchObject({ createdBy: 'alice' });
      const [changed] = eventsFor('team/typed', 'document.changed');
      expect(changed).toMatchObject({ changedBy: ['alice'] });
      expect(changed!.at as number).toBeGreaterThanOrEqual(changed!.since as number);
      expect(eventsFor('team/typed', 'document.changed')).toHaveLength(1);

      // Editing that never pauses is reported at most once per max interval, and at least
      // once per interval (the window ends at the interval even without a pause).
      const start = Date.now();
      while (eventsFor('team/typed', 'document.changed').length < 3) {
        client.text.insert(0, 'c');
        await new Promise((r) => setTimeout(r, DEBOUNCE_MS / 3));
        if (Date.now() - start > 8_000) throw new Error('no event during continuous editing');
      }
      for (const event of eventsFor('team/typed', 'document.changed')) {
        expect((event.at as number) - (event.since as number)).toBeLessThanOrEqual(MAX_INTERVAL_MS);
      }
    } finally {
      client.destroy();
    }
  });

  it('names an editor without a token subject by its awareness name', async () => {
    const anonymous = await signToken({ secret: TOKEN_SECRET, doc: 'team/*', mode: 'rw' });
    const client = stockClient(running.wsUrl, 'team/named', { params: { token: anonymous } });
    try {
      await waitSynced(client);
      // Sent before the change on the same socket; a name announced later is still found at
      // the window's end.
      client.provider.awareness.setLocalStateField('user', { name: 'Bob' });
      client.text.insert(0, 'hi');
      await arrived('team/named', 'document.changed');
    } finally {
      client.destroy();
    }
    expect(eventsFor('team/named', 'document.changed')[0]).toMatchObject({ changedBy: ['Bob'] });
  });

  it('sends version.created with the version', async () => {
    await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name: 'team/v', text: 'x' }, writer),
    );
    const saved = await api(
      running.httpUrl,
      docPath('team/v', '/versions'),
      jsonRequest('POST', { label: 'v1' }, writer),
    );
    expect(saved.status).toBe(201);
    await arrived('team/v', 'version.created');
    expect(eventsFor('team/v', 'version.created')[0]).toMatchObject({
      version: { id: saved.json.id, kind: 'manual', label: 'v1' },
    });
  });

  it('retries after a 500 and after no answer, with the same id, until the receiver takes it', async () => {
    receiver.script = [500, 'hang', 503];
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'team/retry' }, writer));
    await waitFor(
      () => eventsFor('team/retry', 'document.created').length >= 4 && receiver.script.length === 0,
      8_000,
      'four attempts',
    );
    await allSent(running);
    const attempts = eventsFor('team/retry', 'document.created');
    expect(distinctIds(attempts).size).toBe(1);
    // Three failures, then the success (one more if an answer came after the timeout).
    expect(attempts.length).toBeGreaterThanOrEqual(4);
  });

  it('keeps events while the receiver is down and delivers them when it is back', async () => {
    await receiver.stop();
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'team/down' }, writer));
    await waitFor(
      async () =>
        (await fetch(`${running.httpUrl}/metrics`).then((r) => r.text())).includes(
          'quire_webhook_deliveries_total{receiver="0",outcome="failed"}',
        ),
      5_000,
      'a failed attempt',
    );
    expect(eventsFor('team/down', 'document.created')).toHaveLength(0);
    await receiver.restart();
    await arrived('team/down', 'document.created');
  });

  it('reports the outbox in /readyz and /metrics, without URLs or names', async () => {
    const ready = (await (await fetch(`${running.httpUrl}/readyz`)).json()) as {
      checks: Record<string, string>;
    };
    expect(ready.checks.webhooks).toBe('ok');
    const metrics = await (await fetch(`${running.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /quire_webhook_deliveries_total\{receiver="0",outcome="delivered"\} \d+/,
    );
    expect(metrics).toContain('quire_webhook_delivery_duration_seconds_bucket');
    expect(metrics).toContain('quire_webhook_pending');
    expect(metrics).toContain('quire_webhook_dead_letters');
    expect(metrics).not.toContain(String(receiver.port));
    expect(metrics).not.toContain('team/');
  });

  it('shows dead letters to an operator only', async () => {
    const path = '/api/webhooks/dead-letters';
    expect((await api(running.httpUrl, path)).status).toBe(401);
    expect((await api(running.httpUrl, path, { token: writer })).status).toBe(403);
    const listed = await api(running.httpUrl, path, { token: operator });
    expect(listed.status).toBe(200);
    expect(listed.json).toEqual({ deadLetters: [] });
    const replay = await api(running.httpUrl, `${path}/12345/replay`, {
      method: 'POST',
      token: operator,
    });
    expect(replay.status).toBe(404);
    expect(
      (await api(running.httpUrl, `${path}/1/replay`, { method: 'POST', token: writer })).status,
    ).toBe(403);
  });
});
