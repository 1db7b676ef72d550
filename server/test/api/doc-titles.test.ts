/**
 * Titles and the document list: what a title is (the first Markdown heading, else the first
 * non-empty line), kept in the store as documents change (API writes at once, typing after a
 * pause), and GET /api/docs with titles, search, sort, paging and the restorable deleted ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleOfText, TITLE_MAX_CHARS } from '../../src/documents/document-title.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { waitFor } from '../helpers/poll.js';
import { versionedStockClient } from '../helpers/stock-clients.js';
import { api, docPath, jsonRequest } from './api-client.js';

describe('titleOfText', () => {
  it('takes the first heading, else the first non-empty line, one line, bounded', () => {
    expect(titleOfText('intro\n\n## Plan for Q3 ##\n# Later')).toBe('Plan for Q3');
    expect(titleOfText('   \n  first words  \nsecond')).toBe('first words');
    expect(titleOfText('```\n# not a heading\n```\nafter the fence')).toBe('after the fence');
    expect(titleOfText('#hashtag is text\n#\n')).toBe('#hashtag is text');
    expect(titleOfText('#   \n\n')).toBeNull();
    expect(titleOfText('')).toBeNull();
    const long = titleOfText(`# ${'word '.repeat(100)}`)!;
    expect([...long]).toHaveLength(TITLE_MAX_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('GET /api/docs: titles, search, sort, paging', () => {
  let running: RunningServer;
  const dir = tempDir('quire-titles-');
  const call = (path: string, req?: Parameters<typeof api>[2]) => api(running.httpUrl, path, req);
  const create = async (name: string, text: string) =>
    expect((await call('/api/docs', jsonRequest('POST', { name, text }))).status).toBe(201);
  const list = async (query: string) => {
    const res = await call(`/api/docs?${query}`);
    expect(res.status).toBe(200);
    return res.json as { docs: { name: string; title: string | null }[]; next: string | null };
  };

  beforeAll(async () => {
    running = await startServer({ dataDir: dir.path });
  });
  afterAll(async () => {
    await running.close();
    dir.remove();
  });

  it('lists the title an API create and an API write give, at once', async () => {
    await create('t-plan', '# Quarterly plan\n\nbody');
    await create('t-notes', 'just a note\nmore');
    await create('t-empty', '');
    const { docs } = await list('prefix=t-&sort=name');
    expect(docs.map((d) => [d.name, d.title])).toEqual([
      ['t-empty', null],
      ['t-notes', 'just a note'],
      ['t-plan', 'Quarterly plan'],
    ]);
    const put = await call(docPath('t-notes', '/text'), {
      method: 'PUT',
      body: '# Renamed by a write',
      type: 'text/plain',
    });
    expect(put.status).toBeLessThan(300);
    await waitFor(
      async () => (await list('prefix=t-notes')).docs[0]?.title === 'Renamed by a write',
      5_000,
      'the written title',
    );
  });

  it('keeps the title of what an editor types, after the pause', async () => {
    await create('typed', '');
    const client = versionedStockClient('v3', running.wsUrl, 'typed');
    try {
      await waitFor(() => client.provider.synced, 5_000, 'the client to sync');
      client.doc.getText('codemirror').insert(0, '# Typed ');
      client.doc.getText('codemirror').insert(8, 'title\nand more');
      await waitFor(
        async () => (await list('prefix=typed')).docs[0]?.title === 'Typed title',
        8_000,
        'the typed title in the list',
        100,
      );
    } finally {
      client.destroy();
    }
  });

  it('searches name and title server-side, sorts by name or recency, and pages', async () => {
    for (const [name, text] of [
      ['s/apple', '# Fruit salad'],
      ['s/banana', 'yellow'],
      ['s/cherry', '# Red FRUIT'],
    ] as const) {
      await create(name, text);
    }
    const found = await list('prefix=s/&q=fruit&sort=name');
    expect(found.docs.map((d) => d.name)).toEqual(['s/apple', 's/cherry']);
    expect((await list('q=BANANA')).docs.map((d) => d.name)).toEqual(['s/banana']);
    // Recency: the last created first.
    expect((await list('prefix=s/')).docs.map((d) => d.name)).toEqual([
      's/cherry',
      's/banana',
      's/apple',
    ]);
    // Two pages of one, following the cursor, for a search and a sort.
    const first = await list('prefix=s/&q=fruit&sort=name&limit=1');
    expect(first.docs.map((d) => d.name)).toEqual(['s/apple']);
    expect(first.next).not.toBeNull();
    const second = await list(
      `prefix=s/&q=fruit&sort=name&limit=1&cursor=${encodeURIComponent(first.next!)}`,
    );
    expect(second.docs.map((d) => d.name)).toEqual(['s/cherry']);
    expect(second.next).toBeNull();
    // A cursor of one sort is refused for the other.
    expect((await call(`/api/docs?sort=recent&cursor=${first.next!}`)).status).toBe(400);
    expect((await call('/api/docs?sort=size')).status).toBe(400);
    expect((await call(`/api/docs?q=${'x'.repeat(201)}`)).status).toBe(400);
    expect((await call('/api/docs?deleted=yes')).status).toBe(400);
  });

  it('lists the deleted documents that can be restored with deleted=1, and only those', async () => {
    await create('d/kept', 'kept');
    await create('d/gone', '# Gone for now');
    expect((await call(docPath('d/gone'), { method: 'DELETE' })).status).toBe(204);
    const alive = await list('prefix=d/');
    expect(alive.docs.map((d) => d.name)).toEqual(['d/kept']);
    const deleted = (await list('prefix=d/&deleted=1')).docs as {
      name: string;
      title: string | null;
      deletedAt?: number;
    }[];
    expect(deleted.map((d) => [d.name, d.title])).toEqual([['d/gone', 'Gone for now']]);
    expect(deleted[0]!.deletedAt).toBeGreaterThan(0);
    expect((await call(docPath('d/gone', '/restore'), { method: 'POST' })).status).toBe(204);
    expect((await list('prefix=d/&deleted=1')).docs).toEqual([]);
  });
});
