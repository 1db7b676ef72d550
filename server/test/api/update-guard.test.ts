/**
 * POST /api/docs/<name>/update runs the socket updates' guard: the update bombs the protocol
 * tests send over WebSockets (threat model P12) are refused with 400 over HTTP too, and leave
 * the document as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStorage } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { bytes, textUpdate, varUints } from '../security/attack.js';
import { api, docPath, jsonRequest } from './api-client.js';

describe('POST update under the update guard', () => {
  let running: RunningServer;
  const post = (name: string, update: Uint8Array) =>
    api(running.httpUrl, docPath(name, '/update'), {
      method: 'POST',
      body: update,
      type: 'application/octet-stream',
    });
  const state = async (name: string) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await api(running.httpUrl, docPath(name, '/update'))).body);
    return doc.getText('text').toString();
  };

  beforeAll(async () => {
    running = await startServer({ storage: new MemoryStorage() });
  });
  afterAll(() => running.close());

  it('refuses overlapping delete ranges (a quadratic walk) with 400', async () => {
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'ds-bomb' }));
    const base = textUpdate('x'.repeat(1000), { clientID: 4242 });
    expect((await post('ds-bomb', base)).json).toEqual({ changed: true });
    const ranges = 100_000;
    const pairs = Array.from({ length: ranges * 2 }, (_, i) => (i % 2 ? 1000 : 0));
    const res = await post('ds-bomb', bytes(0, 1, 4242, ranges, varUints(pairs)));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/overlapping/);
    expect(await state('ds-bomb')).toBe('x'.repeat(1000));
  });

  it('refuses thousands of concurrent inserts at one position with 400', async () => {
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'siblings' }));
    const docs = Array.from({ length: 1_100 }, (_, i) => textUpdate('c', { clientID: 10_000 + i }));
    const res = await post('siblings', Y.mergeUpdates(docs));
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/concurrent inserts/);
    expect(await state('siblings')).toBe('');
  });

  it('never applies a V2 update, and refuses a struct-count bomb with 400', async () => {
    await api(running.httpUrl, '/api/docs', jsonRequest('POST', { name: 'v2' }));
    const v2 = new Y.Doc();
    v2.getText('text').insert(0, 'v2 content');
    // Read as V1 (the only format accepted), V2 bytes are either malformed or change nothing.
    const asV1 = await post('v2', Y.encodeStateAsUpdateV2(v2));
    expect(asV1.status === 400 || asV1.json?.changed === false, asV1.text).toBe(true);
    expect((await post('v2', bytes(1, 2 ** 32, 7, 0, Uint8Array.of(0, 1)))).status).toBe(400);
    expect(await state('v2')).toBe('');
  });
});
