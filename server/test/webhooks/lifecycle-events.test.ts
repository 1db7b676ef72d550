/**
 * The webhook events of a document's life after its creation, end to end (SQLite in a temp
 * dir, token auth, a real receiver that verifies signatures): document.renamed (old and new
 * name), document.restored (a deleted document back), version.restored (the version and the
 * one saved before it), document.purged; and nothing for a refused rename, restore or version
 * restore.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/index.js';
import { api, docPath, jsonRequest } from '../api/api-client.js';
import { waitFor } from '../helpers/poll.js';
import { tempDir, type RunningServer } from '../helpers/server.js';
import { allSent, HOOK_SECRET, startHookedServer, TOKEN_SECRET } from './hooked-server.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('webhooks for renames, restores and purges', () => {
  const dir = tempDir('quire-webhook-life-');
  let receiver: Receiver;
  let running: RunningServer;
  let token: string;

  beforeAll(async () => {
    receiver = await startReceiver(HOOK_SECRET);
    running = await startHookedServer(receiver, dir.path);
    token = await signToken({ secret: TOKEN_SECRET, doc: 'team/*', mode: 'rw', sub: 'alice' });
  });
  afterAll(async () => {
    await running.close();
    await receiver.stop();
    dir.remove();
  });

  const eventsFor = (doc: string, event: string) =>
    receiver.events.filter((e) => e.doc === doc && e.event === event);
  const arrived = (doc: string, event: string) =>
    waitFor(() => eventsFor(doc, event).length > 0, 5_000, `${event} for ${doc}`);
  const post = (path: string, body: unknown = {}) =>
    api(running.httpUrl, path, jsonRequest('POST', body, token));
  const create = (name: string, text: string) => post('/api/docs', { name, text });

  it('sends document.renamed under the old name, with both names and who renamed it', async () => {
    expect((await create('team/draft', 'draft')).status).toBe(201);
    expect((await create('team/taken', 'taken')).status).toBe(201);
    // Refused (the new name exists): no event.
    expect((await post(docPath('team/draft', '/rename'), { to: 'team/taken' })).status).toBe(409);
    expect((await post(docPath('team/draft', '/rename'), { to: 'team/final' })).status).toBe(200);
    await arrived('team/draft', 'document.renamed');
    await allSent(running);
    expect(receiver.ofType('document.renamed')).toHaveLength(1);
    expect(eventsFor('team/draft', 'document.renamed')[0]).toMatchObject({
      from: 'team/draft',
      to: 'team/final',
      renamedBy: 'alice',
    });
  });

  it('sends document.restored when a deleted document is brought back', async () => {
    expect((await create('team/gone', 'back soon')).status).toBe(201);
    // Not deleted: refused, no event.
    expect((await post(docPath('team/gone', '/restore'))).status).toBe(404);
    const deleted = await api(running.httpUrl, docPath('team/gone'), { method: 'DELETE', token });
    expect(deleted.status).toBe(204);
    expect((await post(docPath('team/gone', '/restore'))).status).toBe(204);
    await arrived('team/gone', 'document.restored');
    await allSent(running);
    expect(eventsFor('team/gone', 'document.restored')).toHaveLength(1);
    expect(eventsFor('team/gone', 'document.restored')[0]).toMatchObject({ restoredBy: 'alice' });
  });

  it('sends version.restored with the version and the one saved before the restore', async () => {
    expect((await create('team/notes', 'first')).status).toBe(201);
    const saved = await post(docPath('team/notes', '/versions'), { label: 'v1' });
    expect(saved.status).toBe(201);
    const versionId = saved.json.id as number;
    const put = await api(running.httpUrl, docPath('team/notes', '/text'), {
      method: 'PUT',
      body: 'second',
      type: 'text/plain',
      token,
    });
    expect(put.status).toBe(200);
    // An unknown version: refused, no event.
    expect((await post(docPath('team/notes', '/versions/999999/restore'))).status).toBe(404);
    const restored = await post(docPath('team/notes', `/versions/${versionId}/restore`));
    expect(restored.status).toBe(200);
    await arrived('team/notes', 'version.restored');
    await allSent(running);
    expect(eventsFor('team/notes', 'version.restored')).toHaveLength(1);
    expect(eventsFor('team/notes', 'version.restored')[0]).toMatchObject({
      version: { id: versionId },
      savedBefore: restored.json.savedBefore,
      changed: true,
      restoredBy: 'alice',
    });
    expect(receiver.badSignatures).toBe(0);
  });

  it('sends document.purged once a deleted document is purged', async () => {
    const purgeDir = tempDir('quire-webhook-purge-');
    try {
      // Deleted documents are purged 1 ms after their delete (the purge runs when called).
      const short = await startHookedServer(receiver, purgeDir.path, { deletedRetentionMs: 1 });
      const created = await api(
        short.httpUrl,
        '/api/docs',
        jsonRequest('POST', { name: 'team/old', text: 'old' }, token),
      );
      expect(created.status).toBe(201);
      const deleted = await api(short.httpUrl, docPath('team/old'), { method: 'DELETE', token });
      expect(deleted.status).toBe(204);
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await short.server.documents.purgeExpired()).toEqual(['team/old']);
      await arrived('team/old', 'document.purged');
      expect(eventsFor('team/old', 'document.purged')).toHaveLength(1);
      await short.close();
    } finally {
      purgeDir.remove();
    }
  });
});
