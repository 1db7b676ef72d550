/**
 * The small JSON API the demo app and the editor use:
 * - `GET /api/docs`: stored documents, newest first. With auth on (an `authorize` hook), only the
 *   documents the caller's credentials (`?token=` or `Authorization: Bearer`) may open, so
 *   document names never leak to strangers.
 * - `GET /api/access/<docName>`: the upgrade's access decision as an HTTP answer. Browsers hide
 *   the HTTP status of a refused WebSocket upgrade (they only report close code 1006), so the
 *   editor asks here to tell "no access" from "server down".
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess } from './access-check.js';
import type { ResolvedOptions } from './config.js';
import type { Logger } from './log.js';
import type { DocumentInfo, StorageAdapter } from './storage/adapter.js';

export const ACCESS_PROBE_PREFIX = '/api/access';

/** Most documents one /api/docs answer lists: each may cost an `authorize` call. */
export const MAX_LISTED_DOCUMENTS = 1_000;

export interface ApiContext {
  options: ResolvedOptions;
  storage: StorageAdapter;
  log: Logger;
}

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export async function listDocuments(ctx: ApiContext, req: IncomingMessage, reply: Reply) {
  const all = (await ctx.storage.list()).sort((a, b) => b.updatedAt - a.updatedAt);
  if (!ctx.options.authorize) return reply(200, { docs: all.slice(0, MAX_LISTED_DOCUMENTS) });
  const docs: DocumentInfo[] = [];
  for (const doc of all) {
    if (docs.length >= MAX_LISTED_DOCUMENTS) break;
    // The probe path is the document's own name: exactly what an upgrade for it would check.
    const decision = await decideAccess(ctx.options, ctx.log, req, `/${encodePath(doc.name)}`, '');
    if (decision.ok) docs.push(doc);
  }
  reply(200, { docs });
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
