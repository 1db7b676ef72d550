/**
 * `/api/docs/<name>/text`: the editor's text (the Y.Text "codemirror").
 * - GET: 200 text/plain, or 404.
 * - PUT (text/plain, UTF-8): replaces it as a minimal forward edit (documents/editor-text.ts),
 *   so people typing keep their cursors and their concurrent typing; nobody is disconnected.
 *   200 `{ changed }`.
 */
import type { ApiCall } from './api-call.js';
import { readTextBody } from './body.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { ApiRoute } from './router.js';
import { refuseWrite } from './write-result.js';

async function getText(call: ApiCall): Promise<void> {
  const text = await call.deps.documents.readText(call.doc);
  if (text === null) return call.refuse(404, 'no such document');
  call.text(200, text);
}

async function putText(call: ApiCall): Promise<void> {
  const text = await readTextBody(call, call.deps.options.maxMessageBytes);
  if (text === undefined) return;
  const result = await call.deps.documents.replaceText(call.doc, text, call.actor);
  if (!result.ok) return refuseWrite(call, result);
  call.json(200, { changed: result.changed });
}

const TEXT_NOTE =
  'The text is the editor\'s: the Y.Text named "codemirror" (what the Quire editor and y-codemirror bind). Other shared types are not part of it.';

export const textRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs/{name}/text',
    access: 'read',
    openapi: {
      summary: "The document's text",
      description: TEXT_NOTE,
      responses: {
        '200': {
          description: 'The text',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        ...errorResponses(400, 401, 403, 404),
      },
    },
    handle: getText,
  },
  {
    method: 'PUT',
    path: '/api/docs/{name}/text',
    access: 'write',
    openapi: {
      summary: "Replace the document's text",
      description: `${TEXT_NOTE} The replacement is applied as a minimal forward edit (a character diff, as deletes and inserts), stored before it is relayed, in one change: people typing at that moment keep their cursors and their concurrent typing, and no session is disconnected.`,
      requestBody: {
        required: true,
        content: { 'text/plain': { schema: { type: 'string', description: 'UTF-8' } } },
      },
      responses: {
        '200': jsonBody('Applied (`changed` is false when the text already was this)', {
          type: 'object',
          required: ['changed'],
          properties: { changed: { type: 'boolean' } },
        }),
        ...errorResponses(400, 401, 403, 404, 413, 415, 422),
      },
    },
    handle: putText,
  },
];
