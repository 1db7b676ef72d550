/**
 * `/api/docs/<name>/update`: the document as Yjs bytes, for any shared type.
 * - GET: 200 application/octet-stream, the whole state as one V1 update.
 * - POST (application/octet-stream): applies one V1 update under the same guard as socket
 *   updates (guards/update-guard.ts): 400 malformed or depending on content the document
 *   lacks, 413 when the document would pass its size limit. 200 `{ changed }`.
 */
import type { ApiCall } from './api-call.js';
import { readBody } from './body.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { ApiRoute } from './router.js';
import { refuseWrite } from './write-result.js';

const BINARY = 'application/octet-stream';

async function getUpdate(call: ApiCall): Promise<void> {
  const update = await call.deps.documents.readUpdate(call.doc);
  if (update === null) return call.refuse(404, 'no such document');
  call.bytes(200, update);
}

async function postUpdate(call: ApiCall): Promise<void> {
  const body = await readBody(call, BINARY, call.deps.options.maxMessageBytes);
  if (body === undefined) return;
  const result = await call.deps.documents.applyUpdate(call.doc, new Uint8Array(body), call.actor);
  if (!result.ok) return refuseWrite(call, result);
  call.json(200, { changed: result.changed });
}

export const updateRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs/{name}/update',
    access: 'read',
    openapi: {
      summary: 'The whole document as a Yjs update',
      description:
        'Y.encodeStateAsUpdate of the document (Yjs update format V1), every shared type included.',
      responses: {
        '200': {
          description: 'Yjs V1 update',
          content: { [BINARY]: { schema: { type: 'string', format: 'binary' } } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handle: getUpdate,
  },
  {
    method: 'POST',
    path: '/api/docs/{name}/update',
    access: 'write',
    openapi: {
      summary: 'Apply a Yjs update',
      description:
        'One Yjs V1 update, checked like a WebSocket update (decodes, depends only on content the document has, bounded work, document size limit), stored before it is relayed to editors.',
      requestBody: {
        required: true,
        content: { [BINARY]: { schema: { type: 'string', format: 'binary' } } },
      },
      responses: {
        '200': jsonBody('Applied (`changed` is false when the document already had it all)', {
          type: 'object',
          required: ['changed'],
          properties: { changed: { type: 'boolean' } },
        }),
        ...errorResponses(400, 401, 403, 404, 413, 415),
      },
    },
    handle: postUpdate,
  },
];
