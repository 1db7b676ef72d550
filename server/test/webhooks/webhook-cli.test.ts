/**
 * The real CLI (server/bin/quire-server.js, built dist/): bad webhook flags fail fast with exit
 * 2 and the fix, and events still waiting in the outbox when the server is killed with SIGKILL
 * are delivered by the next start.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { api, docPath, jsonRequest } from '../api/api-client.js';
import { waitFor } from '../helpers/poll.js';
import { spawnServer, tempDir, type ServerProcess } from '../helpers/server.js';
import { startReceiver } from './receiver.js';

const CLI = fileURLToPath(new URL('../../bin/quire-server.js', import.meta.url));
const HOOK_SECRET = 'hook-secret-0123456789abcdef0123456789';

describe('quire-server webhook flags', () => {
  const processes: ServerProcess[] = [];
  const dir = tempDir('quire-webhook-cli-');
  afterAll(async () => {
    for (const p of processes) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
    dir.remove();
  });

  it.each([
    [
      ['--webhook-url', 'ftp://hooks.example.com/x', '--webhook-secret', 'short'],
      [
        /--webhook-url .* must be an http:\/\/ or https:\/\/ URL/,
        /--webhook-secret .* has 5 characters; use at least 32/,
      ],
      {},
    ],
    [['--webhook-url', 'not a url'], [/is not a URL; use e\.g\. https:\/\//], {}],
    [
      [],
      [/--webhook-url needs --webhook-secret \/ QUIRE_WEBHOOK_SECRET.*openssl rand/],
      { QUIRE_WEBHOOK_URL: 'https://a.example.com/hook,https://b.example.com/hook' },
    ],
  ])('exits 2 with the fix for %j', (args, messages, env) => {
    const result = spawnSync(process.execPath, [CLI, '--data', dir.path, ...args], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env, QUIRE_WEBHOOK_URL: '', QUIRE_WEBHOOK_SECRET: '', ...env },
    });
    expect(result.status).toBe(2);
    for (const message of messages) expect(result.stderr).toMatch(message);
  });

  it('delivers after a SIGKILL what was still waiting in the outbox', async () => {
    const receiver = await startReceiver(HOOK_SECRET);
    await receiver.stop(); // down: every delivery fails and waits
    const args = [
      '--port',
      '0',
      '--data',
      dir.path,
      '--webhook-url',
      receiver.url,
      '--webhook-secret',
      HOOK_SECRET,
    ];
    const first = await spawnServer(args);
    processes.push(first);
    const base = `http://127.0.0.1:${first.port}`;
    expect(
      (await api(base, '/api/docs', jsonRequest('POST', { name: 'kept', text: 'a' }))).status,
    ).toBe(201);
    expect(
      (await api(base, docPath('kept', '/text'), { method: 'PUT', body: 'ab', type: 'text/plain' }))
        .status,
    ).toBe(200);
    expect((await api(base, docPath('kept', '/versions'), { method: 'POST' })).status).toBe(201);
    await api(base, '/api/docs', jsonRequest('POST', { name: 'gone' }));
    expect((await api(base, docPath('gone'), { method: 'DELETE' })).status).toBe(204);

    // Read the outbox as the store holds it: every event is there, the change's debounce over
    // (each row due or already tried).
    const db = new Database(join(dir.path, 'quire.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    let rows: { event_id: string; event: string; due: number }[] = [];
    try {
      await waitFor(
        () => {
          rows = db
            .prepare<[number], { event_id: string; event: string; due: number }>(
              'SELECT event_id, event, (available_at <= ? OR attempts > 0) AS due FROM webhook_outbox',
            )
            .all(Date.now());
          const events = new Set(rows.map((r) => r.event));
          // Two of each document event but the change (a PUT saves a version first, too).
          return events.size === 4 && rows.length >= 5 && rows.every((r) => r.due);
        },
        10_000,
        'every kind of event, due, in the outbox',
      );
    } finally {
      db.close();
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    await receiver.restart();
    const second = await spawnServer(args);
    processes.push(second);
    await waitFor(
      () => rows.every((r) => receiver.events.some((e) => e.id === r.event_id)),
      30_000,
      'every event that waited to arrive',
    );
    expect(receiver.badSignatures).toBe(0);
    const changed = receiver.ofType('document.changed')[0]!;
    expect(changed).toMatchObject({ doc: 'kept' });
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await receiver.stop();
  });

  it('lists the webhook flags in --help', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.stdout).toMatch(/--webhook-url <u>.*QUIRE_WEBHOOK_URL/s);
    expect(result.stdout).toMatch(/--webhook-secret <s>/);
    expect(result.stdout).toMatch(/--webhook-include-text/);
  });
});
