/**
 * Version history with tokens on (--secret): ro grants list, read and diff; saving and restoring
 * need rw; no token is 401, a token for another document 403. Authors: each version names who
 * changed the document since the previous one — token subjects, else the display name a client
 * announced in awareness — and versions are saved after a pause in editing and when the last
 * person leaves, on a real server with stock clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStorage, signToken } from '../../src/index.js';
import { TEXT_NAME } from '../../src/history/version-state.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient, type VersionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';

const SECRET = 'history-test-secret-history-test-secret';
const token = (doc: string, mode: 'rw' | 'ro', sub?: string) =>
  signToken({ secret: SECRET, doc, mode, ...(sub === undefined ? {} : { sub }) });

describe('version routes with tokens', () => {
  let running: RunningServer;
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  let versionId: number;

  beforeAll(async () => {
    running = await startServer({
      storage: new MemoryStorage(),
      secret: SECRET,
      roomUnloadGraceMs: 600_000,
    });
    const rw = await token('guarded', 'rw');
    await call('/api/docs', jsonRequest('POST', { name: 'guarded', text: 'secret plans' }, rw));
    versionId = (await call(docPath('guarded', '/versions'), { method: 'POST', token: rw })).json
      .id;
  });
  afterAll(() => running.close());

  it('ro tokens list, read and diff; saving and restoring need rw', async () => {
    const ro = await token('guarded', 'ro');
    const reads = [
      docPath('guarded', '/versions'),
      docPath('guarded', `/versions/${versionId}/text`),
      docPath('guarded', `/versions/${versionId}/diff?against=current`),
    ];
    for (const path of reads)
      expect([path, (await call(path, { token: ro })).status]).toEqual([path, 200]);
    const writes = [
      docPath('guarded', '/versions'),
      docPath('guarded', `/versions/${versionId}/restore`),
    ];
    for (const path of writes) {
      const res = await call(path, { method: 'POST', token: ro });
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.json.error).toMatch(/read-only/);
    }
    const rw = await token('guarded', 'rw');
    expect((await call(writes[1]!, { method: 'POST', token: rw })).status).toBe(200);
  });

  it('no token is 401, a token for another document 403, for every version route', async () => {
    const other = await token('elsewhere', 'rw');
    const routes: [string, string][] = [
      ['GET', docPath('guarded', '/versions')],
      ['POST', docPath('guarded', '/versions')],
      ['GET', docPath('guarded', `/versions/${versionId}/text`)],
      ['GET', docPath('guarded', `/versions/${versionId}/diff`)],
      ['POST', docPath('guarded', `/versions/${versionId}/restore`)],
    ];
    for (const [method, path] of routes) {
      expect([method, path, (await call(path, { method })).status]).toEqual([method, path, 401]);
      expect([method, path, (await call(path, { method, token: other })).status]).toEqual([
        method,
        path,
        403,
      ]);
      const bad = await call(path, { method, token: 'not-a-token' });
      expect([method, path, bad.status]).toEqual([method, path, 401]);
    }
    expect(
      (
        await call(docPath('guarded', `/versions/${versionId}/text`), {
          token: await token('guarded', 'ro'),
        })
      ).text,
    ).toBe('secret plans');
  });
});

describe('authors and automatic versions with stock clients', () => {
  let running: RunningServer;
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  const clients: VersionedStockClient[] = [];
  const versionsOf = async (doc: string) =>
    (await call(docPath(doc, '/versions'), { token: await token(doc, 'ro') })).json as {
      kind: string;
      authors: string[];
    }[];

  beforeAll(async () => {
    running = await startServer({
      storage: new MemoryStorage(),
      secret: SECRET,
      autoVersionIdleMs: 500,
      roomUnloadGraceMs: 600_000,
    });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await running.close();
  });

  const client = async (doc: string, version: 'v1' | 'v3', sub?: string) => {
    const c = versionedStockClient(version, running.wsUrl, doc, {
      params: { token: await token(doc, 'rw', sub) },
    });
    clients.push(c);
    await waitFor(() => c.provider.synced, 5_000, 'a client to sync');
    return c;
  };
  const type = (c: VersionedStockClient, text: string) => {
    const t = c.doc.getText(TEXT_NAME);
    t.insert(t.length, text);
  };

  it('saves after a pause and names token subjects and display names', async () => {
    const alice = await client('authored', 'v3', 'alice');
    const anonymous = await client('authored', 'v1');
    anonymous.provider.awareness.setLocalStateField('user', {
      name: 'Bob Example',
      color: '#3366ff',
    });
    // The server must hold Bob's awareness state before his first change names him.
    await waitFor(
      () =>
        [...alice.provider.awareness.getStates().values()].some(
          (s) => s.user?.name === 'Bob Example',
        ),
      5_000,
      "Bob's presence to reach the others",
    );
    type(anonymous, 'Bob was here. ');
    type(alice, 'Alice too. ');
    await waitFor(
      async () => (await versionsOf('authored')).length === 1,
      5_000,
      'a version after the pause',
    );
    const [auto] = await versionsOf('authored');
    expect(auto).toMatchObject({ kind: 'auto' });
    expect(new Set(auto!.authors)).toEqual(new Set(['Bob Example', 'alice']));
    // An API write by a token subject: nothing changed since that version, so nothing is saved
    // before the write; the write's author is named by the next version.
    const rw = await token('authored', 'rw', 'importer');
    await call(docPath('authored', '/text'), {
      method: 'PUT',
      body: 'Rewritten.',
      type: 'text/plain',
      token: rw,
    });
    await waitFor(
      async () => (await versionsOf('authored')).length === 2,
      5_000,
      'the version after the write',
    );
    const [afterWrite] = await versionsOf('authored');
    expect(afterWrite).toMatchObject({ kind: 'auto', authors: ['importer'] });
  });

  it('saves when the last person leaves', async () => {
    const c = await client('left', 'v3', 'carol');
    type(c, 'quick edit');
    await waitFor(
      async () =>
        (await call(docPath('left', '/text'), { token: await token('left', 'ro') })).text ===
        'quick edit',
      5_000,
      'the edit to be stored',
    );
    c.destroy();
    await waitFor(async () => (await versionsOf('left')).length > 0, 5_000, 'a version');
    const kinds = (await versionsOf('left')).map((v) => v.kind);
    // Either the leave or the pause came first; the other found nothing new.
    expect(kinds).toHaveLength(1);
    expect(['leave', 'auto']).toContain(kinds[0]);
    expect((await versionsOf('left'))[0]!.authors).toEqual(['carol']);
  });
});
