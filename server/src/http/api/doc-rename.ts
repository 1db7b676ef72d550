/**
 * `POST /api/docs/<name>/rename {"to": "new-name"}`: renames a document atomically in the store
 * (storage/catalog.ts): its content, title and saved versions move to the new name. Needs rw on
 * both names. Open sessions on the old name are closed with 4410 Gone and a reason naming the
 * new name (the Quire editor follows it; stock clients stop, as for a delete). The old name
 * keeps a tombstone, like a deleted document without content: its upgrades answer 410, nothing
 * can be restored under it, and it is purged after deletedRetentionMs; renaming back onto it,
 * or creating it with POST /api/docs, works at once. Other instances on the store close their
 * sessions on the old name within their deleted-room sweep, with the same reason.
 * 200 `{name}`, 400 same or invalid name, 404 no such document (or deleted), 409 the new name
 * exists (also as a deleted, restorable document), 501 no catalog.
 */
import type { ApiCall } from './api-call.js';
import { authorizeName } from './api-access.js';
import { readJsonBody } from './body.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { ApiRoute } from './router.js';

async function renameDocument(call: ApiCall): Promise<void> {
  const body = await readJsonBody(call, call.deps.options.maxMessageBytes);
  if (body === undefined) return;
  const to = (body as { to?: unknown } | null)?.to;
  if (typeof to !== 'string') return call.refuse(400, 'the body must be a JSON object {"to"}');
  const target = await authorizeName(call.deps, call.req, to, 'write');
  if (!target.ok) return call.refuse(target.status, target.message, target.fields);
  if (target.docName === call.doc) return call.refuse(400, 'the new name is the current name');
  const result = await call.deps.documents.rename(call.doc, target.docName, call.actor);
  if (result === 'unsupported') {
    return call.refuse(501, 'this storage adapter cannot rename documents (no catalog)');
  }
  if (result === 'not-found') return call.refuse(404, 'no such document');
  if (result === 'exists') {
    return call.refuse(409, 'a document with the new name exists', { to: target.docName });
  }
  call.json(
    200,
    { name: target.docName },
    { Location: `/api/docs/${encodeURIComponent(target.docName)}/text` },
  );
}

export const renameRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/api/docs/{name}/rename',
    access: 'write',
    openapi: {
      summary: 'Rename a document',
      description:
        'Atomic in the store: content, title and saved versions move to the new name; of two renames onto one name one wins (409 for the other). Needs rw for both names. Open sessions on the old name are closed with 4410 Gone and the reason "renamed to <new name>" (the Quire editor follows it; stock clients stop as after a delete). The old name keeps a tombstone without content: upgrades for it answer 410 and restoring it answers 404; it is purged after deletedRetentionMs, and a rename back onto it (or a POST /api/docs creating it) is allowed at once. Other instances on the store close their sessions on the old name within their deleted-room sweep, with the same reason.',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['to'], properties: { to: { type: 'string' } } },
          },
        },
      },
      responses: {
        '200': jsonBody('Renamed', {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', description: 'The new canonical name.' } },
        }),
        ...errorResponses(400, 401, 403, 404, 409, 415),
        '501': {
          description: 'The storage adapter has no catalog.',
          content: { 'application/json': {} },
        },
      },
    },
    handle: renameDocument,
  },
];
