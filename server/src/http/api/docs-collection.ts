/**
 * `/api/docs`, the collection:
 * - `GET /api/docs?prefix=&q=&sort=&limit=&cursor=&deleted=`: stored documents, most recently
 *   changed first (`sort=recent`, the default) or by name (`sort=name`), one page at a time
 *   (`next` continues the listing; null at the end), each with its title
 *   (documents/document-title.ts), without loading any of them. `q` keeps the documents whose
 *   name or title contains it (ASCII letters in any case), searched in the store. Deleted
 *   documents are not listed; `deleted=1` lists only those that can still be restored, each
 *   with `deletedAt`. With auth on (`--secret` or an `authorize` hook), only the
 *   documents the caller's credentials may open, so document names never leak to strangers.
 * - `POST /api/docs {name, text?}`: creates a document exactly once (201), or 409 when the name
 *   exists — stored by anyone, including a WebSocket client that opened it, or deleted and
 *   still restorable. The create-if-absent is one atomic step in storage, so two racing
 *   requests, on one instance or several, give one 201 and one 409, and the text once.
 *   A create is charged to the new-documents-per-minute quota that WebSocket writers pay
 *   (guards/creation-quota.ts; without it, creating over HTTP would bypass it): past it, 429
 *   with Retry-After. A 409 (or any create that did not happen) gives its charge back.
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess } from '../../access/access-check.js';
import { listCursor, parseListCursor, type DocumentInfo } from '../../storage/adapter.js';
import { creationQuotaKey } from '../../guards/creation-quota.js';
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

/** Longest search text `q` (a longer one is a 400). */
export const MAX_SEARCH_CHARS = 200;

async function listDocuments(call: ApiCall): Promise<void> {
  const { deps, req } = call;
  const query = call.url.searchParams;
  const prefix = query.get('prefix') ?? '';
  const limitText = query.get('limit');
  const limit = limitText === null ? MAX_LISTED_DOCUMENTS : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_DOCUMENTS) {
    return call.refuse(400, `limit must be an integer from 1 to ${MAX_LISTED_DOCUMENTS}`);
  }
  const sort = query.get('sort') ?? 'recent';
  if (sort !== 'recent' && sort !== 'name') return call.refuse(400, 'sort must be recent or name');
  const search = (query.get('q') ?? '').trim();
  if (search.length > MAX_SEARCH_CHARS) {
    return call.refuse(400, `q must be at most ${MAX_SEARCH_CHARS} characters`);
  }
  const deletedParam = query.get('deleted') ?? '0';
  if (deletedParam !== '0' && deletedParam !== '1')
    return call.refuse(400, 'deleted must be 0 or 1');
  const wantDeleted = deletedParam === '1';
  let cursor = query.get('cursor') ?? undefined;
  if (cursor !== undefined && parseListCursor(cursor, sort) === null) {
    return call.refuse(400, 'cursor is not one a previous page returned (with the same sort)');
  }
  const docs: (DocumentInfo & { deletedAt?: number })[] = [];
  // Only documents that can still be restored are listed as deleted.
  const restorableSince = Date.now() - deps.documents.retentionMs;
  let scanned = 0;
  let more = true;
  while (docs.length < limit && more && scanned < MAX_SCANNED_PER_PAGE) {
    const want = limit - docs.length;
    // One more than wanted tells whether another page exists.
    const page = await deps.storage.list({
      order: sort,
      prefix,
      limit: want + 1,
      ...(search === '' ? {} : { search }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    more = page.length > want;
    const listed = page.slice(0, want);
    const deleted = await deps.documents.deletedTimes(listed.map((d) => d.name));
    for (const doc of listed) {
      scanned++;
      cursor = listCursor(doc, sort);
      const deletedAt = deleted.get(doc.name);
      const shown = wantDeleted
        ? deletedAt !== undefined && deletedAt >= restorableSince
        : deletedAt === undefined;
      if (!shown || !(await mayOpen(deps, req, doc.name))) continue;
      const item = { ...doc, title: doc.title ?? null };
      docs.push(deletedAt === undefined ? item : { ...item, deletedAt });
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
  // Charged before the atomic create, so racing requests cannot pass the quota together; a
  // create that did not happen gives its charge back.
  const quota = call.deps.creationQuota;
  const quotaKey = creationQuotaKey(
    call.actor,
    call.client.address,
    call.deps.options.ipCapExemptAddresses,
  );
  if (!quota.tryCharge(quotaKey)) return refuseOverQuota(call, quotaKey);
  const result = await call.deps.documents
    .create(decision.docName, text ?? '', call.actor)
    .catch((error: unknown) => {
      quota.refund(quotaKey);
      throw error;
    });
  if (result !== 'created') quota.refund(quotaKey);
  if (result === 'unsupported') return refuseUnsupported(call);
  if (result === 'exists') return call.refuse(409, 'a document with this name exists');
  if (result === 'too-large') return call.refuse(413, 'the text is over the document size limit');
  call.json(
    201,
    { name: decision.docName },
    { Location: `/api/docs/${encodeURIComponent(decision.docName)}/text` },
  );
}

/** 429 with Retry-After (whole seconds, at least 1), like the WebSocket path's 1013. */
function refuseOverQuota(call: ApiCall, quotaKey: string | null): void {
  const limit = call.deps.options.maxNewDocumentsPerMinute;
  const seconds = Math.max(1, Math.ceil(call.deps.creationQuota.retryAfterMs(quotaKey) / 1000));
  call.refuse(
    429,
    `too many new documents (at most ${limit} a minute); retry in ${seconds} s`,
    // Who paid: the token subject, else the address (already in the line as `remote`).
    { quota: quotaKey?.startsWith('principal:') ? 'principal' : 'ip', actor: call.actor, limit },
    { 'Retry-After': String(seconds) },
  );
}

export const collectionRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/docs',
    access: 'none',
    openapi: {
      summary: 'List documents with their titles, one page at a time; search and sort',
      description:
        "Reads the store's index only (no document is loaded). With auth on, lists only the documents the credentials may open. Deleted documents are not listed, unless `deleted=1`, which lists only the deleted ones that can still be restored. A title is the document's first Markdown heading, or its first non-empty line (null: none yet).",
      parameters: [
        {
          name: 'q',
          in: 'query',
          schema: { type: 'string', maxLength: MAX_SEARCH_CHARS },
          description:
            'Only documents whose name or title contains this (ASCII letters in any case, other characters exactly).',
        },
        {
          name: 'sort',
          in: 'query',
          schema: { enum: ['recent', 'name'], default: 'recent' },
          description: '`recent`: last changed first; `name`: by name (code point order).',
        },
        {
          name: 'deleted',
          in: 'query',
          schema: { enum: ['0', '1'], default: '0' },
          description: '`1`: only deleted documents that can still be restored, with `deletedAt`.',
        },
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
          description: '`next` of the previous page (with the same sort).',
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
        'Counts toward the new-documents-per-minute quota (maxNewDocumentsPerMinute, default 120) of the token subject, or without one of the client address (addresses in ipCapExemptAddresses, loopback by default, are exempt), shared with documents created over WebSocket: past it, 429 with Retry-After; a 409 costs nothing. Atomic create-if-absent in storage: of two racing requests for one name (on any instances sharing the store), one gets 201 and the other 409, and the text is stored once. A name that has any stored content (for example because a WebSocket client opened it), or that was deleted and can still be restored, exists. Needs a rw grant for the name. `text` becomes the editor\'s text (the Y.Text named "codemirror").',
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
        ...errorResponses(400, 401, 403, 409, 413, 415, 429),
      },
    },
    handle: createDocument,
  },
];
