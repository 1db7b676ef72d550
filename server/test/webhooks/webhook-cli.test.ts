/**
 * The real CLI (server/bin/quire-server.js, built dist/): bad webhook flags fail fast with exit
 * 2 and the fix, and events still waiting in the outbox when the server is killed with SIGKILL
 * are delivered by the next start (the change still in its debounce window stays queued).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
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
    [
      [],
      [
        /"not a url" is not a URL; use e\.g\. https:\/\//,
        /--webhook-url needs --webhook-secret \/ QUIRE_WEBHOOK_SECRET.*openssl rand/,
      ],
      { QUIRE_WEBHOOK_URL: 'https://a.example.com/hook,not a url' },
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

    // Read the outbox as the store holds it: every event is there, the change's still in its
    // debounce window (due only in webhookChangeMaxIntervalMs).
    type Row = { event_id: string; event: string };
    const readOutbox = () => {
      const db = new Database(join(dir.path, 'quire.sqlite'), { readonly: true });
      try {
        return db.prepare<[], Row>('SELECT event_id, event FROM webhook_outbox').all();
      } finally {
        db.close();
      }
    };
    let rows: Row[] = [];
    await waitFor(
      () => {
        rows = readOutbox();
        // Two of each but the change (the PUT saves a version first, too).
        return new Set(rows.map((r) => r.event)).size === 4 && rows.length >= 5;
      },
      10_000,
      'every kind of event in the outbox',
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    await receiver.restart();
    const second = await spawnServer(args);
    processes.push(second);
    const changed = rows.filter((r) => r.event === 'document.changed');
    expect(changed).toHaveLength(1);
    await waitFor(
      () =>
        rows.every(
          (r) => r.event === 'document.changed' || receiver.events.some((e) => e.id === r.event_id),
        ),
      30_000,
      'every event that waited to arrive',
    );
    expect(receiver.badSignatures).toBe(0);
    // The change's event survived the kill too: still queued, for the end of its window.
    expect(readOutbox()).toContainEqual(changed[0]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    await receiver.stop();
  });

  it('lists the webhook flags in --help', async () => {
    let printed = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    try {
      await main(['--help']);
    } finally {
      write.mockRestore();
    }
    expect(printed).toMatch(/--webhook-url <u>.*QUIRE_WEBHOOK_URL/s);
    expect(printed).toMatch(/--webhook-secret <s>/);
    expect(printed).toMatch(/--webhook-include-text/);
  });
});
