/**
 * Rollback reports (message type 101, threat model F8): an opted-in client that finds the server
 * lacking state the server once acknowledged as durable says so; the server checks the claim
 * against the document, logs a confirmed one as an error and counts it in /metrics.
 * (The whole story, with a database restored from a backup and the real client in Chromium, is
 * e2e/tests/rollback.spec.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode, encodeRollbackReport, encodeSyncStep1, encodeSyncUpdate } from '@quire/shared';
import { SqliteStorage } from '../../src/index.js';
import { rawSocket, waitFor, type RawSocket } from '../helpers/clients.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { captureLogger } from '../security/harness.js';

describe('rollback reports', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(): Promise<{ running: RunningServer; logs: string[] }> {
    const dir = tempDir();
    const logs: string[] = [];
    const running = await startServer({
      storage: new SqliteStorage({ dataDir: dir.path }),
      logger: captureLogger(logs),
    });
    cleanups.push(dir.remove, () => running.close());
    return { running, logs };
  }

  async function socket(running: RunningServer, path: string): Promise<RawSocket> {
    const s = await rawSocket(`${running.wsUrl}/${path}`);
    cleanups.push(() => s.ws.close());
    // Joined: the server's sync step 1 has arrived.
    await waitFor(() => s.messages.length > 0, 5_000, 'server hello');
    return s;
  }

  async function reportedTotal(running: RunningServer): Promise<number> {
    const text = await (await fetch(`${running.httpUrl}/metrics`)).text();
    const match = /^quire_storage_rollbacks_reported_total (\d+)$/m.exec(text);
    if (!match) throw new Error('counter missing from /metrics');
    return Number(match[1]);
  }

  /** A document as a client holds it: 'acknowledged' content the server no longer has. */
  function clientCopy(): Y.Doc {
    const doc = new Y.Doc();
    doc.getText('codemirror').insert(0, 'acknowledged once');
    return doc;
  }

  it('logs a confirmed report as an error with its extent, counts it once per connection', async () => {
    const { running, logs } = await setup();
    const client = await socket(running, 'lost-doc?quire=1');
    const acknowledged = Y.encodeStateVector(clientCopy());
    client.ws.send(encodeRollbackReport(acknowledged));
    client.ws.send(encodeRollbackReport(acknowledged)); // a repeat is ignored
    await waitFor(() => logs.some((l) => l.startsWith('ERROR storage lost edits')), 5_000);
    const line = logs.find((l) => l.startsWith('ERROR storage lost edits')) ?? '';
    expect(line).toContain('"doc":"lost-doc"');
    expect(line).toContain('"clients":1');
    expect(line).toContain(`"missingClocks":${'acknowledged once'.length}`);
    expect(await reportedTotal(running)).toBe(1);
    // The socket stays open and the document keeps working for it.
    client.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(clientCopy())));
    const reader = await socket(running, 'lost-doc');
    reader.ws.send(encodeSyncStep1(Uint8Array.of(0)));
    await waitFor(
      () => reader.messages.some((m) => m[0] === 0 && m[1] === 1 && m.length > 10),
      5_000,
      'sync step 2 with the restored content',
    );
    expect(logs.filter((l) => l.startsWith('ERROR'))).toHaveLength(1);
  });

  it('only warns when the document already holds what the client says was lost', async () => {
    const { running, logs } = await setup();
    const copy = clientCopy();
    const writer = await socket(running, 'intact?quire=1');
    writer.ws.send(encodeSyncUpdate(Y.encodeStateAsUpdate(copy)));
    const reporter = await socket(running, 'intact?quire=1');
    // The reporter's join came after the write was applied, so the document is complete.
    reporter.ws.send(encodeRollbackReport(Y.encodeStateVector(copy)));
    await waitFor(() => logs.some((l) => l.includes('rollback report not confirmed')), 5_000);
    expect(logs.some((l) => l.startsWith('ERROR'))).toBe(false);
    expect(await reportedTotal(running)).toBe(0);
  });

  it('closes with 4400 a report from a client that did not opt in, or one that is malformed', async () => {
    const { running } = await setup();
    const stock = await socket(running, 'strict');
    stock.ws.send(encodeRollbackReport(Y.encodeStateVector(clientCopy())));
    expect((await stock.closed).code).toBe(CloseCode.BadMessage);

    const garbled = await socket(running, 'strict?quire=1');
    // A state vector announcing one entry whose client ID is cut off.
    garbled.ws.send(encodeRollbackReport(Uint8Array.of(1, 0x80)));
    expect((await garbled.closed).code).toBe(CloseCode.BadMessage);
    expect(await reportedTotal(running)).toBe(0);
  });
});
