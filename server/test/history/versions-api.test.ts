/**
 * The `/versions` routes over a real server (memory storage, open mode): list, save with and
 * without a label, text, diff against a version and the live text, restore (a version saved
 * first), versions saved before API writes, and every refusal: 404 unknown document, deleted
 * document or version, 400 malformed id, against, paging or label, 415 wrong body type, 501 for
 * a storage adapter without versions. Refusals change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, type StorageAdapter } from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';

describe('version routes', () => {
  let running: RunningServer;
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  const versions = (name: string, rest = '') => docPath(name, `/versions${rest}`);
  const create = (name: string, text: string) =>
    call('/api/docs', jsonRequest('POST', { name, text }));
  const putText = (name: string, text: string) =>
    call(docPath(name, '/text'), { method: 'PUT', body: text, type: 'text/plain' });
  const save = (name: string, label?: string) =>
    call(versions(name), label === undefined ? { method: 'POST' } : jsonRequest('POST', { label }));
  const list = async (name: string) => (await call(versions(name))).json as { id: number }[];

  beforeAll(async () => {
    // Rooms stay loaded through each case: an unload saves what changed since the last version
    // (version-policy.test.ts), which would add versions here at moments a case cannot see.
    running = await startServer({ storage: new MemoryStorage(), roomUnloadGraceMs: 600_000 });
  });
  afterAll(() => running.close());

  it('saves on request: 201 with an id, then 200 unchanged, and a label always saves', async () => {
    await create('notes', 'first draft');
    const first = await save('notes');
    expect(first.status).toBe(201);
    expect(first.json).toEqual({ id: expect.any(Number) });
    const again = await save('notes');
    expect([again.status, again.json]).toEqual([200, { id: first.json.id, unchanged: true }]);
    const named = await save('notes', 'Sent to the editor');
    expect(named.status).toBe(201);
    const listed = await call(versions('notes'));
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toMatch(/^application\/json/);
    expect(listed.json).toEqual([
      {
        id: named.json.id,
        createdAt: expect.any(Number),
        kind: 'manual',
        label: 'Sent to the editor',
        authors: [],
      },
      { id: first.json.id, createdAt: expect.any(Number), kind: 'manual', authors: [] },
    ]);
  });

  it('an API write saves the text it replaces first (kind api), and the write names its version', async () => {
    await create('api-write', 'one');
    expect((await putText('api-write', 'two')).status).toBe(200);
    const [before] = (await call(versions('api-write'))).json;
    expect(before.kind).toBe('api');
    expect((await call(versions('api-write', `/${before.id}/text`))).text).toBe('one');
    // Writing the same text again changes nothing and saves nothing.
    await putText('api-write', 'two');
    expect(await list('api-write')).toHaveLength(1);
    await putText('api-write', 'three');
    const [second] = (await call(versions('api-write'))).json;
    expect(second.kind).toBe('api');
    expect((await call(versions('api-write', `/${second.id}/text`))).text).toBe('two');
  });

  it("returns a version's text, and diffs against another version or the live text", async () => {
    await create('diffed', 'The quick fox');
    const v1 = (await save('diffed')).json.id;
    await putText('diffed', 'The quick brown fox');
    const v2 = (await save('diffed')).json.id;
    await putText('diffed', 'A quick brown fox jumps');
    const text = await call(versions('diffed', `/${v1}/text`));
    expect([text.status, text.headers.get('content-type'), text.text]).toEqual([
      200,
      'text/plain; charset=utf-8',
      'The quick fox',
    ]);
    const between = await call(versions('diffed', `/${v1}/diff?against=${v2}`));
    expect(between.json).toEqual([
      [0, 'The quick '],
      [1, 'brown '],
      [0, 'fox'],
    ]);
    const toCurrent = (await call(versions('diffed', `/${v2}/diff?against=current`))).json;
    // Applied in order, the ops turn v2's text into the live one.
    expect(apply('The quick brown fox', toCurrent)).toBe('A quick brown fox jumps');
    // `against` defaults to the live text.
    expect((await call(versions('diffed', `/${v2}/diff`))).json).toEqual(toCurrent);
  });

  it('restores a version as a forward edit, saving the replaced state first', async () => {
    await create('restored', 'good text');
    const good = (await save('restored')).json.id;
    await putText('restored', 'someone deleted half');
    const res = await call(versions('restored', `/${good}/restore`), { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ restored: good, savedBefore: expect.any(Number), changed: true });
    expect((await call(docPath('restored', '/text'))).text).toBe('good text');
    const saved = (await call(versions('restored'))).json.find(
      (v: { id: number }) => v.id === res.json.savedBefore,
    );
    expect(saved.kind).toBe('restore');
    expect((await call(versions('restored', `/${saved.id}/text`))).text).toBe(
      'someone deleted half',
    );
    // Restoring it again changes nothing; it saves the restored state once (it had no version
    // yet), and then nothing new.
    const again = await call(versions('restored', `/${good}/restore`), { method: 'POST' });
    expect(again.json.changed).toBe(false);
    const count = (await list('restored')).length;
    const third = await call(versions('restored', `/${good}/restore`), { method: 'POST' });
    expect(third.json).toEqual({
      restored: good,
      savedBefore: again.json.savedBefore,
      changed: false,
    });
    expect(await list('restored')).toHaveLength(count);
  });

  it('refuses unknown and deleted documents and unknown versions with 404', async () => {
    await create('known', 'x');
    const id = (await save('known')).json.id;
    for (const [method, path] of [
      ['GET', versions('nobody')],
      ['POST', versions('nobody')],
      ['GET', versions('nobody', `/${id}/text`)],
      ['GET', versions('nobody', `/${id}/diff`)],
      ['POST', versions('nobody', `/${id}/restore`)],
      ['GET', versions('known', '/999999/text')],
      ['GET', versions('known', '/999999/diff')],
      ['GET', versions('known', `/${id}/diff?against=999999`)],
      ['POST', versions('known', '/999999/restore')],
    ] as const) {
      const res = await call(path, { method });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.json.error).toMatch(/no such/);
    }
    // Another document's version id is unknown here.
    await create('other', 'y');
    expect((await call(versions('other', `/${id}/text`))).status).toBe(404);
    // A deleted document shows no history (its versions are kept until it is purged).
    expect((await call(docPath('known'), { method: 'DELETE' })).status).toBe(204);
    expect((await call(versions('known'))).status).toBe(404);
    expect((await call(versions('known', `/${id}/text`))).status).toBe(404);
  });

  it('refuses malformed ids, against, paging and labels with 400, changing nothing', async () => {
    await create('strict', 'content');
    const id = (await save('strict')).json.id;
    for (const bad of ['abc', '0', '-1', '01', '1.5', '1e3', '99999999999999999999']) {
      for (const rest of [`/${bad}/text`, `/${bad}/diff`]) {
        const res = await call(versions('strict', rest));
        expect([rest, res.status]).toEqual([rest, 400]);
      }
      expect((await call(versions('strict', `/${bad}/restore`), { method: 'POST' })).status).toBe(
        400,
      );
      expect((await call(versions('strict', `/${id}/diff?against=${bad}`))).status).toBe(400);
    }
    expect((await call(versions('strict', `/${id}/diff?against=now`))).status).toBe(400);
    for (const query of ['?limit=0', '?limit=1001', '?limit=x', '?before=x', '?before=0']) {
      expect([query, (await call(versions('strict', query))).status]).toEqual([query, 400]);
    }
    for (const body of [
      { label: 42 },
      { label: '' },
      { label: '   ' },
      { label: 'x'.repeat(201) },
      { label: 'two\nlines' },
      ['label'],
      'label',
    ]) {
      const res = await call(versions('strict'), jsonRequest('POST', body));
      expect([body, res.status]).toEqual([body, 400]);
    }
    expect(
      (await call(versions('strict'), { method: 'POST', body: '{', type: 'application/json' }))
        .status,
    ).toBe(400);
    const wrongType = await call(versions('strict'), {
      method: 'POST',
      body: 'label=x',
      type: 'application/x-www-form-urlencoded',
    });
    expect(wrongType.status).toBe(415);
    expect(await list('strict')).toHaveLength(1);
    expect((await call(docPath('strict', '/text'))).text).toBe('content');
  });

  it('pages a long history with limit and before', async () => {
    await create('paged', '0');
    for (let i = 1; i <= 5; i++) {
      await putText('paged', String(i)); // each write saves the text before it
    }
    const all = await list('paged');
    expect(all).toHaveLength(5);
    const page = (await call(versions('paged', '?limit=2'))).json;
    expect(page).toEqual(all.slice(0, 2));
    const next = (await call(versions('paged', `?limit=2&before=${page[1].id}`))).json;
    expect(next).toEqual(all.slice(2, 4));
  });

  it('counts saved versions in /metrics', async () => {
    const metrics = (await call('/metrics')).text;
    const saved = Number(/^quire_versions_saved_total (\d+)$/m.exec(metrics)?.[1]);
    expect(saved).toBeGreaterThan(0);
    expect(metrics).toMatch(/^quire_versions_thinned_total 0$/m);
  });

  it('describes every version route in the OpenAPI document', async () => {
    const doc = (await call('/api/openapi.json')).json;
    expect(Object.keys(doc.paths['/api/docs/{name}/versions']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/docs/{name}/versions/{id}/text'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/docs/{name}/versions/{id}/diff'])).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/docs/{name}/versions/{id}/restore'])).toEqual(['post']);
    expect(doc.paths['/api/docs/{name}/versions/{id}/restore'].post.description).toMatch(
      /Other shared types .* are not restored/,
    );
  });
});

describe('version routes with a storage adapter that keeps no versions', () => {
  it('answer 501, and API writes still work', async () => {
    const memory = new MemoryStorage();
    const storage: StorageAdapter = {
      load: (n) => memory.load(n),
      append: (n, u) => memory.append(n, u),
      compact: (n, s, c) => memory.compact(n, s, c),
      sync: () => memory.sync(),
      list: (o) => memory.list(o),
      delete: (n) => memory.delete(n),
      close: () => memory.close(),
      ...(memory.lifecycle ? { lifecycle: memory.lifecycle } : {}),
    };
    const running = await startServer({ storage });
    const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
    expect((await call('/api/docs', jsonRequest('POST', { name: 'd', text: 'a' }))).status).toBe(
      201,
    );
    const res = await call(docPath('d', '/versions'));
    expect(res.status).toBe(501);
    expect(res.json.error).toMatch(/keeps no versions/);
    expect((await call(docPath('d', '/versions/1/restore'), { method: 'POST' })).status).toBe(501);
    expect(
      (await call(docPath('d', '/text'), { method: 'PUT', body: 'b', type: 'text/plain' })).status,
    ).toBe(200);
    await running.close();
  });
});

function apply(text: string, ops: [number, string][]): string {
  let out = '';
  let at = 0;
  for (const [op, part] of ops) {
    if (op === 0) {
      out += text.slice(at, at + part.length);
      at += part.length;
    } else if (op === -1) at += part.length;
    else out += part;
  }
  return out;
}
