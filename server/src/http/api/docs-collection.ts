/**
 * `/api/docs`, the collection:
 * - `GET /api/docs?prefix=&limit=&cursor=`: stored documents, newest first, one page at a time
 *   (`next` continues the listing; null at the end), without loading any of them. Deleted
 *   documents are not listed. With auth on (`--secret` or an `authorize` hook), only the
 *   documents the caller's credentials may open, so document names never leak to strangers.
 * - `POST /api/docs {name, text?}`: creates a document exactly once (201), or 409 when the name
 *   exists — stored by anyone, including a WebSocket client that opened it, or deleted and
 *   still restorable. The create-if-absent is one atomic step in storage, so two racing
 *   requests, on one instance or several, give one 201 and one 409, and the text once.
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess } from '../../access/access-check.js';
import { listCursor, parseListCursor, type DocumentInfo } from '../../storage/adapter.js';
import { authorizeName } from './api-access.js';
import type { ApiCall, ApiDeps } from './api-call.js';
import { readJsonBody } from './body.js';
import type { ApiRoute } from './router.js';
import { refuseUnsupported } from './write-result.js';
import { docInfoSchema, errorResponses, jsonBody } from './openapi-parts.js';

/** Most documents one /api/docs page lists (and its default): each may cost an `authorize`
 * call. */
export const MAX_LISTED_DOCUMENTS = 1_000;
/** Stored documents read to fill one page under auth, at most, before answering with what was
 * found (and a cursor to go on): a caller who may open few of many documents costs bounded work. */
const MAX_SCANNED_PER_PAGE = 5 * MAX_LISTED_DOCUMENTS;

async function listDocuments(call: ApiCall): Promise<void> {
  const { deps, req } = call;
  const query = call.url.searchParams;
  const prefix = query.get('prefix') ?? '';
  const limitText = query.get('limit');
  const limit = limitText === null ? MAX_LISTED_DOCUMENTS : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_DOCUMENTS) {
    return call.refuse(400, `limit must be an integer from 1 to ${MAX_LISTED_DOCUMENTS}`);
  }
  let cursor = query.get('cursor') ?? undefined;
  if (cursor !== undefined && parseListCursor(cursor, 'recent') === null) {
    return call.refuse(400, 'cursor is not one a previous page returned');
  }
  const docs: DocumentInfo[] = [];
  let scanned = 0;
  let more = true;
  while (docs.length < limit && more && scanned < MAX_SCANNED_PER_PAGE) {
    const want = limit - docs.length;
    // One more than wanted tells whether another page exists.
    const page = await deps.storage.list({
      order: 'recent',
      prefix,
      limit: want + 1,
      ...(cursor === undefined ? {} : { cursor }),
    });
    more = page.length > want;
    const listed = page.slice(0, want);
    const deleted = await deps.documents.deletedAmong(listed.map((d) => d.name));
    for (const doc of listed) {
      scanned++;
      cursor = listCursor(doc, 'recent');
      if (!deleted.has(doc.name) && (await mayOpen(deps, req, doc.name))) docs.push(doc);
    }
  }
  call.json(200, { docs, next: more ? (cursor ?? null) : null });
}

async function mayOpen(deps: ApiDeps, req: IncomingMessage, name: string): Promise<boolean> {
  if (!deps.options.authorize) return true;
  // The probe path is the document's own name: exactly what an upgrade for it would check.
  const decision = await decideAccess(
    deps.options,
    deps.log,
    req,
    `/${encodeURIComponent(name)}`,
    '',
  );
  return decision.ok;
}

async function createDocument(call: ApiCall): Promise<void> {
  const body = await readJsonBody(call, call.deps.options.maxMessageBytes);
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return call.refuse(400, 'the body must be a JSON object {"name", "text"?}');
  }
  const { name, text } = body as { name?: unknown; text?: unknown };
  if (typeof name !== 'string') return call.refuse(400, '"name" must be a string');
  if (text !== undefined && typeof text !== 'string') {
    return call.refuse(400, '"text" must be a string when given');
  }
  const decision = await authorizeName(call.deps, call.req, name, 'write');
  if (!decision.ok) return call.refuse(decision.status, decision.message, decision.fields);
  call.docName = decision.docName;
  call.access = decision.access;
  const result = await call.deps.documents.create(decision.docName, text ?? '', call.actor);
  if (result === 'unsupported') return refuseUnsupported(call);
  if (result === 'exists') return call.refuse(409, 'a document with this name exists');
  if (result === 'too-large') return call.refuse(413, 'the text is over the document size limit');
  call.json(
    201,
    { name: decision.docName },
    { Location: `/api/docs/${encodeURIComponent(decision.docName)}/text` },
  );
}

export const collectionRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs',
    access: 'none',
    openapi: {
      summary: 'List documents, most recently changed first, one page at a time',
      description:
        "Reads the store's index only (no document is loaded). With auth on, lists only the documents the credentials may open. Deleted documents are not listed.",
      parameters: [
        {
          name: 'prefix',
          in: 'query',
          schema: { type: 'string' },
          description: 'Only names starting with this.',
        },
        {
          name: 'limit',
          in: 'query',
          schema: {
            type: 'integer',
            minimum: 1,
            maximum: MAX_LISTED_DOCUMENTS,
            default: MAX_LISTED_DOCUMENTS,
          },
        },
        {
          name: 'cursor',
          in: 'query',
          schema: { type: 'string' },
          description: '`next` of the previous page.',
        },
      ],
      responses: {
        '200': jsonBody('One page', {
          type: 'object',
          required: ['docs', 'next'],
          properties: {
            docs: { type: 'array', items: docInfoSchema },
            next: {
              type: ['string', 'null'],
              description: 'Cursor of the next page; null at the end.',
            },
          },
        }),
        ...errorResponses(400),
      },
    },
    handle: listDocuments,
  },
  {
    method: 'POST',
    path: '/api/docs',
    access: 'none',
    openapi: {
      summary: 'Create a document exactly once',
      description:
        'Atomic create-if-absent in storage: of two racing requests for one name (on any instances sharing the store), one gets 201 and the other 409, and the text is stored once. A name that has any stored content (for example because a WebSocket client opened it), or that was deleted and can still be restored, exists. Needs a rw grant for the name. `text` becomes the editor\'s text (the Y.Text named "codemirror").',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['name'],
              properties: { name: { type: 'string' }, text: { type: 'string' } },
            },
          },
        },
      },
      responses: {
        '201': jsonBody('Created', {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', description: 'The canonical (NFC) name.' } },
        }),
        ...errorResponses(400, 401, 403, 409, 413, 415),
      },
    },
    handle: createDocument,
  },
];
