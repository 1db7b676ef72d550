/**
 * The small JSON API the demo app and the editor use:
 * - `GET /api/docs?prefix=&limit=&cursor=`: stored documents, newest first, one page at a time
 *   (`next` continues the listing; null at the end). With auth on (an `authorize` hook), only the
 *   documents the caller's credentials (`?token=` or `Authorization: Bearer`) may open, so
 *   document names never leak to strangers.
 * - `GET /api/access/<docName>`: the upgrade's access decision as an HTTP answer. Browsers hide
 *   the HTTP status of a refused WebSocket upgrade (they only report close code 1006), so the
 *   editor asks here to tell "no access" from "server down".
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess } from '../access/access-check.js';
import type { ResolvedOptions } from '../config.js';
import type { Logger } from '../log.js';
import {
  listCursor,
  parseListCursor,
  type DocumentInfo,
  type StorageAdapter,
} from '../storage/adapter.js';

export const ACCESS_PROBE_PREFIX = '/api/access';

/** Most documents one /api/docs page lists (and its default): each may cost an `authorize`
 * call. */
export const MAX_LISTED_DOCUMENTS = 1_000;
/** Stored documents read to fill one page under auth, at most, before answering with what was
 * found (and a cursor to go on): a caller who may open few of many documents costs bounded work. */
const MAX_SCANNED_PER_PAGE = 5 * MAX_LISTED_DOCUMENTS;

export interface ApiContext {
  options: ResolvedOptions;
  storage: StorageAdapter;
  log: Logger;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export async function listDocuments(ctx: ApiContext, req: IncomingMessage, reply: Reply) {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const prefix = query.get('prefix') ?? '';
  const limitText = query.get('limit');
  const limit = limitText === null ? MAX_LISTED_DOCUMENTS : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LISTED_DOCUMENTS) {
    return reply(400, { error: `limit must be an integer from 1 to ${MAX_LISTED_DOCUMENTS}` });
  }
  let cursor = query.get('cursor') ?? undefined;
  if (cursor !== undefined && parseListCursor(cursor, 'recent') === null) {
    return reply(400, { error: 'cursor is not one a previous page returned' });
  }
  const docs: DocumentInfo[] = [];
  let scanned = 0;
  let more = true;
  while (docs.length < limit && more && scanned < MAX_SCANNED_PER_PAGE) {
    const want = limit - docs.length;
    // One more than wanted tells whether another page exists.
    const page = await ctx.storage.list({
      order: 'recent',
      prefix,
      limit: want + 1,
      ...(cursor === undefined ? {} : { cursor }),
    });
    more = page.length > want;
    for (const doc of page.slice(0, want)) {
      scanned++;
      cursor = listCursor(doc, 'recent');
      if (await mayOpen(ctx, req, doc.name)) docs.push(doc);
    }
  }
  reply(200, { docs, next: more ? (cursor ?? null) : null });
}

async function mayOpen(ctx: ApiContext, req: IncomingMessage, name: string): Promise<boolean> {
  if (!ctx.options.authorize) return true;
  // The probe path is the document's own name: exactly what an upgrade for it would check.
  const decision = await decideAccess(ctx.options, ctx.log, req, `/${encodePath(name)}`, '');
  return decision.ok;
}

export async function probeAccess(ctx: ApiContext, req: IncomingMessage, reply: Reply) {
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const decision = await decideAccess(ctx.options, ctx.log, req, rawPath, ACCESS_PROBE_PREFIX);
  const cors = corsHeaders(ctx.options, req);
  if (!decision.ok) return reply(decision.status, { error: decision.message }, cors);
  reply(200, { doc: decision.docName, mode: decision.access.mode }, cors);
}

/** Pages embedding the editor may live on other origins (within the allow-list). */
function corsHeaders(options: ResolvedOptions, req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  if (options.allowOrigins.length > 0 && !options.allowOrigins.includes(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

const encodePath = (name: string) => name.split('/').map(encodeURIComponent).join('/');

export function handlesApiPath(path: string): 'docs' | 'access' | null {
  if (path === '/api/docs') return 'docs';
  if (path.startsWith(`${ACCESS_PROBE_PREFIX}/`)) return 'access';
  return null;
}
