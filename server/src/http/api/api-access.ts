/**
 * Access for API calls: the upgrade's own decision (access/access-check.ts decideAccess) for
 * the document the call names, so a token (`Authorization: Bearer`, or `?token=`) or an
 * `authorize` hook answers API calls exactly as it answers sockets: 400 bad name, 401 no or bad
 * token, 403 another document or a disallowed Origin. On top: a write needs a `rw` grant (403).
 */
import type { IncomingMessage } from 'node:http';
import { decideAccess, type AccessDecision } from '../../access/access-check.js';
import type { ApiDeps } from './api-call.js';
import type { ApiRouteAccess } from './router.js';

/** `rawName`: the name as it appears in the path (percent-encoded, maybe with raw slashes). */
export async function authorizeDocument(
  deps: Pick<ApiDeps, 'options' | 'log'>,
  req: IncomingMessage,
  rawName: string,
  need: ApiRouteAccess,
): Promise<AccessDecision> {
  const decision = await decideAccess(deps.options, deps.log, req, `/${rawName}`, '');
  if (!decision.ok) return decision;
  if (need === 'write' && decision.access.mode !== 'rw') {
    return {
      ok: false,
      status: 403,
      message: 'this grant is read-only; writing needs a rw token',
      fields: { doc: decision.docName },
    };
  }
  return decision;
}

/** The same decision for a name given in a request body (already decoded). */
export function authorizeName(
  deps: Pick<ApiDeps, 'options' | 'log'>,
  req: IncomingMessage,
  name: string,
  need: ApiRouteAccess,
): Promise<AccessDecision> {
  return authorizeDocument(deps, req, encodeURIComponent(name), need);
}
