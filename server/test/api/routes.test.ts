/**
 * The document API in open mode (no auth): every route, and every refusal changes nothing and
 * logs one line saying why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MemoryStorage, type Logger } from '../../src/index.js';
import type { LogFields } from '../../src/log.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { api, docPath, jsonRequest, rawRequest } from './api-client.js';

const TEXT = 'codemirror';

function recordingLogger(): Logger & { lines: { message: string; fields: LogFields }[] } {
  const lines: { message: string; fields: LogFields }[] = [];
  const record = (message: string, fields: LogFields = {}) => lines.push({ message, fields });
  return { lines, debug: () => {}, info: record, warn: record, error: record };
}

describe('document API routes (open mode)', () => {
  let running: RunningServer;
  const log = recordingLogger();
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  const textOf = async (name: string) => (await call(docPath(name, '/text'))).text;
  const create = (name: string, text?: string) =>
    call('/api/docs', jsonRequest('POST', text === undefined ? { name } : { name, text }));
  /** The last refusal logged: status, reason and context. */
  const lastRefusal = () => log.lines.filter((l) => l.message === 'api request refused').at(-1);

  beforeAll(async () => {
    running = await startServer({
      storage: new MemoryStorage(),
      logger: log,
      maxMessageBytes: 256 * 1024,
      maxDocumentBytes: 64 * 1024,
    });
  });
  afterAll(() => running.close());

  it('creates a document once: 201 with its canonical name, then 409', async () => {
    const first = await create('plan', 'hello');
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ name: 'plan' });
    expect(await textOf('plan')).toBe('hello');
    const again = await create('plan', 'hello');
    expect(again.status).toBe(409);
    expect(again.json.error).toMatch(/exists/);
    expect(await textOf('plan')).toBe('hello');
    // NFD input names the NFC document.
    const nfd = 'Cafe\u0301';
    expect((await create(nfd, 'x')).json).toEqual({ name: 'Caf\u00e9' });
    expect(await textOf('Caf\u00e9')).toBe('x');
    expect((await create('empty')).status).toBe(201);
    const empty = await call(docPath('empty', '/text'));
    expect([empty.status, empty.text, empty.headers.get('content-type')]).toEqual([
      200,
      '',
      'text/plain; charset=utf-8',
    ]);
  });

  it('refuses bad create requests with 400/415 and creates nothing', async () => {
    const cases: [Parameters<typeof api>[2], number][] = [
      [{ method: 'POST', body: '{not json', type: 'application/json' }, 400],
      [jsonRequest('POST', ['name']), 400],
      [jsonRequest('POST', { name: 7 }), 400],
      [jsonRequest('POST', { name: 'ok-name', text: 7 }), 400],
      [jsonRequest('POST', { name: '../etc/passwd' }), 400],
      [jsonRequest('POST', { name: '' }), 400],
      [{ method: 'POST', body: '{"name":"ok-name"}', type: 'text/plain' }, 415],
      [{ method: 'POST', body: '{"name":"ok-name"}' }, 415],
      [
        {
          method: 'POST',
          body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]),
          type: 'application/json',
        },
        422,
      ],
    ];
    for (const [req, status] of cases) {
      const res = await call('/api/docs', req);
      expect(res.status, JSON.stringify(req?.body ?? null)).toBe(status);
      expect(typeof res.json.error).toBe('string');
      expect(lastRefusal()?.fields.status).toBe(status);
    }
    expect((await call(docPath('ok-name', '/text'))).status).toBe(404);
  });

  it('answers 404 for a document that does not exist, on every route', async () => {
    const cases: [string, Parameters<typeof api>[2]][] = [
      ['/text', {}],
      ['/text', { method: 'PUT', body: 'x', type: 'text/plain' }],
      ['/update', {}],
      [
        '/update',
        {
          method: 'POST',
          body: Y.encodeStateAsUpdate(new Y.Doc()),
          type: 'application/octet-stream',
        },
      ],
      ['', { method: 'DELETE' }],
      ['/restore', { method: 'POST' }],
    ];
    for (const [rest, req] of cases) {
      const res = await call(docPath('nobody-made-this', rest), req);
      expect(res.status, `${req?.method ?? 'GET'} ${rest}`).toBe(404);
      expect(lastRefusal()?.fields).toMatchObject({ status: 404, doc: 'nobody-made-this' });
    }
    // Nothing was created by asking.
    const list = await call('/api/docs');
    expect(list.json.docs.map((d: { name: string }) => d.name)).not.toContain('nobody-made-this');
  });

  it('refuses invalid names with 400, even unnormalized ones', async () => {
    for (const path of [
      '/api/docs/..%2F..%2Fetc%2Fpasswd/text',
      '/api/docs/../../etc/passwd/text',
      '/api/docs/%ZZ/text',
      '/api/docs/a%2F%2Fb/text',
    ]) {
      expect((await rawRequest(running.port, path)).status, path).toBe(400);
    }
  });

  it('replaces the text as a forward edit, and says when nothing changed', async () => {
    await create('edit-me', 'The quick brown fox');
    const put = await call(docPath('edit-me', '/text'), {
      method: 'PUT',
      body: 'The quick red fox jumps',
      type: 'text/plain; charset=utf-8',
    });
    expect(put.status).toBe(200);
    expect(put.json).toEqual({ changed: true });
    expect(await textOf('edit-me')).toBe('The quick red fox jumps');
    const same = await call(docPath('edit-me', '/text'), {
      method: 'PUT',
      body: 'The quick red fox jumps',
      type: 'text/plain',
    });
    expect(same.json).toEqual({ changed: false });
  });

  it('keeps UTF-16 surrogate pairs whole when the edit touches them', async () => {
    await create('emoji', 'a😀b😀c');
    await call(docPath('emoji', '/text'), { method: 'PUT', body: 'a😃b😀c🎉', type: 'text/plain' });
    expect(await textOf('emoji')).toBe('a😃b😀c🎉');
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await call(docPath('emoji', '/update'))).body);
    expect(doc.getText(TEXT).toString()).toBe('a😃b😀c🎉');
    expect(doc.getText(TEXT).toString()).not.toMatch(/\uFFFD/);
  });

  it('refuses bad text bodies with 415/422/413 and changes nothing', async () => {
    await create('guarded', 'keep me');
    const put = (body: string | Uint8Array, type?: string) =>
      call(docPath('guarded', '/text'), { method: 'PUT', body, ...(type ? { type } : {}) });
    expect((await put('x', 'application/json')).status).toBe(415);
    // fetch sends no Content-Type for bytes.
    expect((await put(new TextEncoder().encode('x'))).status).toBe(415);
    expect((await put('x', 'text/plain; charset=iso-8859-1')).status).toBe(415);
    expect((await put(new Uint8Array([0x61, 0xc3, 0x28]), 'text/plain')).status).toBe(422);
    expect(lastRefusal()?.fields).toMatchObject({ status: 422, doc: 'guarded' });
    // Over the body limit (maxMessageBytes), and over the document size limit.
    expect((await put('y'.repeat(300 * 1024), 'text/plain')).status).toBe(413);
    const tooBig = await put('z'.repeat(100 * 1024), 'text/plain');
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toMatch(/size limit/);
    expect(await textOf('guarded')).toBe('keep me');
  });

  it('serves the whole document as a Yjs update and applies posted ones under the guard', async () => {
    await create('binary', 'abc');
    const got = await call(docPath('binary', '/update'));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    const local = new Y.Doc();
    Y.applyUpdate(local, got.body);
    expect(local.getText(TEXT).toString()).toBe('abc');
    // A change to another shared type, made on top of the served state.
    let edit: Uint8Array | null = null;
    local.on('update', (u: Uint8Array) => (edit = u));
    local.getMap('meta').set('title', 'Binary');
    local.getText(TEXT).insert(3, 'd');
    const post = (body: Uint8Array, type = 'application/octet-stream') =>
      call(docPath('binary', '/update'), { method: 'POST', body, type });
    const applied = await post(
      Y.encodeStateAsUpdate(
        local,
        Y.encodeStateVector(got.body.length ? decodeState(got.body) : new Y.Doc()),
      ),
    );
    expect(applied.status).toBe(200);
    expect(applied.json).toEqual({ changed: true });
    expect(edit).not.toBeNull();
    expect((await post(edit!)).json).toEqual({ changed: false });
    expect(await textOf('binary')).toBe('abcd');
    const after = decodeState((await call(docPath('binary', '/update'))).body);
    expect(after.getMap('meta').get('title')).toBe('Binary');

    // Refusals: malformed, depending on content the document lacks, wrong type, too large.
    expect((await post(new Uint8Array([1, 2, 3, 250, 250]))).status).toBe(400);
    const stranger = new Y.Doc();
    stranger.getText(TEXT).insert(0, 'base');
    const base = Y.encodeStateVector(stranger);
    stranger.getText(TEXT).insert(4, ' more');
    const gap = await post(Y.encodeStateAsUpdate(stranger, base));
    expect(gap.status).toBe(400);
    expect(gap.json.error).toMatch(/lacks/);
    expect((await post(edit!, 'text/plain')).status).toBe(415);
    const big = new Y.Doc();
    big.getText(TEXT).insert(0, 'q'.repeat(100 * 1024));
    expect((await post(Y.encodeStateAsUpdate(big))).status).toBe(413);
    expect(await textOf('binary')).toBe('abcd');
  });

  it('addresses names with slashes raw or encoded, and names ending in a route word', async () => {
    expect((await create('team/a/notes', 'nested')).status).toBe(201);
    expect((await call('/api/docs/team/a/notes/text')).text).toBe('nested');
    expect((await call('/api/docs/team%2Fa%2Fnotes/text')).text).toBe('nested');
    expect((await create('a/text', 'named text')).status).toBe(201);
    expect((await call('/api/docs/a%2Ftext/text')).text).toBe('named text');
    expect((await call('/api/docs/a/text/text')).text).toBe('named text');
  });

  it('answers 405 with Allow for a method a path does not take, 404 for unknown API paths', async () => {
    const res = await call(docPath('plan', '/text'), { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, PUT');
    expect((await call(docPath('plan', '/update'), { method: 'PUT' })).headers.get('allow')).toBe(
      'GET, POST',
    );
    expect((await call('/api/nothing')).status).toBe(404);
    // `/api/docs/<name>` takes DELETE only (`plan/nothing` is a name).
    const asName = await call(docPath('plan', '/nothing'));
    expect([asName.status, asName.headers.get('allow')]).toEqual([405, 'DELETE']);
    const head = await call(docPath('plan', '/text'), { method: 'HEAD' });
    expect([head.status, head.text]).toEqual([200, '']);
  });

  it('lists created documents through GET /api/docs', async () => {
    const res = await call('/api/docs?prefix=team/');
    expect(res.json.docs.map((d: { name: string }) => d.name)).toEqual(['team/a/notes']);
    expect((await call('/api/docs?limit=0')).status).toBe(400);
  });
});

function decodeState(update: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, update);
  return doc;
}
