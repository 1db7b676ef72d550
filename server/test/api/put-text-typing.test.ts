/**
 * PUT text while people type: the replacement is a minimal forward edit, so two stock clients
 * (y-websocket 3.x and 1.x) whose keystrokes are in flight when it lands keep them, keep their
 * cursors, converge with the server, and are never disconnected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStorage } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import {
  versionedStockClient,
  type StockVersion,
  type VersionedStockClient,
} from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from './api-client.js';

const TEXT = 'codemirror';

interface Typist {
  client: VersionedStockClient;
  text: Y.Text;
  /** Remote changes as Y.Text deltas, in order. */
  deltas: unknown[][];
  disconnects: number;
  /** Holds the client's outgoing messages (a slow uplink) until `release`. */
  hold(): void;
  release(): void;
}

function typist(version: StockVersion, url: string, name: string): Typist {
  const client = versionedStockClient(version, url, name);
  const text = client.doc.getText(TEXT);
  const deltas: unknown[][] = [];
  text.observe((event) => {
    if (!event.transaction.local) deltas.push(event.delta as unknown[]);
  });
  let held: unknown[] | null = null;
  let realSend: ((data: unknown) => void) | null = null;
  const t: Typist = {
    client,
    text,
    deltas,
    disconnects: 0,
    hold() {
      const ws = client.provider.ws as unknown as { send(data: unknown): void };
      realSend = ws.send.bind(ws);
      held = [];
      ws.send = (data: unknown) => held!.push(data);
    },
    release() {
      const ws = client.provider.ws as unknown as { send(data: unknown): void };
      ws.send = realSend!;
      for (const data of held ?? []) realSend!(data);
      held = null;
    },
  };
  client.provider.on('status', (event: { status: string }) => {
    if (event.status === 'disconnected') t.disconnects++;
  });
  return t;
}

describe('PUT text while two stock clients type', () => {
  let running: RunningServer;
  const typists: Typist[] = [];
  afterEach(() => {
    for (const t of typists.splice(0)) t.client.destroy();
  });

  const serverText = async (name: string) =>
    (await api(running.httpUrl, docPath(name, '/text'))).text;
  const putText = (name: string, text: string) =>
    api(running.httpUrl, docPath(name, '/text'), { method: 'PUT', body: text, type: 'text/plain' });

  it('merges in-flight keystrokes, keeps cursors, converges, disconnects no one', async () => {
    running = await startServer({ storage: new MemoryStorage() });
    const name = 'typing';
    const created = await api(
      running.httpUrl,
      '/api/docs',
      jsonRequest('POST', { name, text: 'Hello world, this is the draft.' }),
    );
    expect(created.status).toBe(201);
    const a = typist('v3', running.wsUrl, name);
    const b = typist('v1', running.wsUrl, name);
    typists.push(a, b);
    await waitFor(
      () =>
        a.text.toString() === 'Hello world, this is the draft.' &&
        b.text.toString() === a.text.toString(),
      5_000,
      'both clients to load the text',
    );

    // Each has a cursor: a before "world", b at the end of "draft".
    const aCursor = Y.createRelativePositionFromTypeIndex(a.text, 'Hello '.length);
    const bCursor = Y.createRelativePositionFromTypeIndex(
      b.text,
      'Hello world, this is the draft'.length,
    );

    for (let round = 0; round < 5; round++) {
      // Keystrokes typed now, still in flight (held on the client) while the PUT lands.
      const seen = [a.deltas.length, b.deltas.length];
      a.hold();
      b.hold();
      const aAt = Y.createAbsolutePositionFromRelativePosition(aCursor, a.client.doc)!.index;
      a.text.insert(aAt, `a${round}`);
      const bAt = Y.createAbsolutePositionFromRelativePosition(bCursor, b.client.doc)!.index;
      b.text.insert(bAt, `b${round}`);
      // The API caller rewrites the first word, seeing only what the server has.
      const before = await serverText(name);
      const replaced = before.replace(/^\w+/, ['Howdy', 'Hi', 'Greetings', 'Hey', 'Hello'][round]!);
      const put = await putText(name, replaced);
      expect(put.status).toBe(200);
      // The PUT reaches both clients while their own keystrokes are unsent, then they send them.
      await waitFor(
        () => a.deltas.length > seen[0]! && b.deltas.length > seen[1]!,
        5_000,
        'the PUT to reach both clients',
      );
      a.release();
      b.release();
      await waitFor(
        async () => {
          const s = await serverText(name);
          return (
            s === a.text.toString() &&
            s === b.text.toString() &&
            s.includes(`a${round}`) &&
            s.includes(`b${round}`)
          );
        },
        5_000,
        `round ${round} to converge with both keystrokes`,
      );
    }

    const final = await serverText(name);
    expect(final).toBe('Hello a0a1a2a3a4world, this is the draftb0b1b2b3b4.');
    // Cursors stayed where their owners left them (right after their own typing).
    expect(Y.createAbsolutePositionFromRelativePosition(aCursor, a.client.doc)!.index).toBe(
      final.indexOf('world'),
    );
    expect(Y.createAbsolutePositionFromRelativePosition(bCursor, b.client.doc)!.index).toBe(
      final.indexOf('.'),
    );
    // Nobody was disconnected; the sockets are the same ones.
    expect([a.disconnects, b.disconnects, a.client.closeCodes, b.client.closeCodes]).toEqual([
      0,
      0,
      [],
      [],
    ]);
    expect(running.server.metrics.connectionsClosed).toBe(0);
  });

  it('sends a minimal edit: one changed word is one delete and one insert at its place', async () => {
    running = await startServer({ storage: new MemoryStorage() });
    const name = 'minimal';
    const text = `${'lorem ipsum '.repeat(200)}target${' dolor sit'.repeat(200)}`;
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name, text }));
    const a = typist('v3', running.wsUrl, name);
    typists.push(a);
    await waitFor(() => a.text.toString() === text, 5_000, 'the client to load the text');
    const at = text.indexOf('target');
    a.deltas.length = 0; // the initial sync
    await putText(name, text.replace('target', 'tarmac'));
    await waitFor(() => a.deltas.length > 0, 5_000, 'the edit to arrive');
    // "target" → "tarmac": the diff keeps "tar", deletes "get" and inserts "mac", in one change.
    expect(a.deltas).toHaveLength(1);
    const ops = a.deltas[0]!;
    expect(ops).toHaveLength(3);
    expect(ops[0]).toEqual({ retain: at + 3 });
    expect(ops).toContainEqual({ delete: 3 });
    expect(ops).toContainEqual({ insert: 'mac' });
    expect(a.text.toString()).toBe(text.replace('target', 'tarmac'));
  });
});
