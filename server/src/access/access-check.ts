/**
 * The access decision shared by the WebSocket upgrade and the `/api/access` probe: document
 * name (canonical, from the raw path) → Origin allow-list → `authorize` (bounded in time).
 * One function, so the probe can never disagree with the handshake it explains.
 */
import type { IncomingMessage } from 'node:http';
import { docNameFromPath, isQuireError } from '@quire/shared';
import { AccessDeniedError, openAccess, type Access, type UpgradeRequest } from './access.js';
import { clientAddressOf } from './client-address.js';
import type { ResolvedOptions } from '../config.js';
import { errorMessage, type Logger } from '../log.js';

export type AccessDecision =
  | { ok: true; docName: string; access: Access; request: UpgradeRequest }
  | { ok: false; status: number; message: string; fields: Record<string, string> };

/** Origins are attacker-chosen text; log only this much of one. */
const MAX_LOGGED_ORIGIN = 200;

export async function decideAccess(
  options: ResolvedOptions,
  log: Logger,
  req: IncomingMessage,
  /** The request path holding the document name, unparsed, and the prefix before the name. */
  rawPath: string,
  prefix: string,
): Promise<AccessDecision> {
  const refuse = (status: number, message: string, fields: Record<string, string> = {}) =>
    ({ ok: false, status, message, fields }) as const;
  let docName: string;
  try {
    // The raw request path, not URL.pathname: URL parsing resolves `..` and `%2e%2e` segments,
    // which would turn `/../../etc/passwd` into the valid name `etc/passwd` instead of a 400.
    docName = docNameFromPath(rawPath, prefix);
  } catch (error) {
    return refuse(400, isQuireError(error) ? error.message : 'invalid document name');
  }
  // Browsers always send Origin; a request without one is not a browser page, so cross-site
  // WebSocket hijacking does not apply to it (it still needs a token when auth is on).
  const origin = req.headers.origin;
  if (options.allowOrigins.length > 0 && origin && !options.allowOrigins.includes(origin)) {
    return refuse(403, 'origin not allowed', { origin: origin.slice(0, MAX_LOGGED_ORIGIN) });
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  // Behind a trusted proxy (trustProxy), the client it forwarded, not the proxy.
  const remoteAddress = clientAddressOf(req, options.trustedProxies, log).address;
  const request: UpgradeRequest = { docName, url, headers: req.headers, remoteAddress };
  try {
    const authorize = options.authorize ?? openAccess;
    const access = await withTimeout(
      Promise.resolve(authorize(request)),
      options.handshakeTimeoutMs,
    );
    return { ok: true, docName, access, request };
  } catch (error) {
    if (error instanceof AccessDeniedError) {
      return refuse(error.status, error.message, { doc: docName });
    }
    if (error instanceof AuthorizeTimeout) return refuse(503, 'authorization timed out');
    log.error('authorize failed', { doc: docName, error: errorMessage(error) });
    return refuse(500, 'authorization failed');
  }
}

class AuthorizeTimeout extends Error {}

/** `authorize` is embedder code that may hang (a session store that never answers). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthorizeTimeout('authorize timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
