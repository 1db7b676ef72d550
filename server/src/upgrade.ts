/**
 * The WebSocket handshake, in order: server accepting? → document name (canonical, used for both
 * the access check and storage) → Origin allow-list → access decision (bounded by the handshake
 * timeout) → connection caps (total, per IP, per principal) → 101.
 * Every refusal is an HTTP status before the upgrade, with a log line that names no secret: the
 * URL (which may carry `?token=`) is never logged.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { docNameFromPath, isQuireError, QUIRE_EXTENSIONS_PARAM } from '@quire/shared';
import { AccessDeniedError, openAccess, type Access, type UpgradeRequest } from './access.js';
import type { ConnectionCaps } from './auth/connection-caps.js';
import type { ResolvedOptions } from './config.js';
import { rejectUpgrade } from './http-response.js';
import { errorMessage, type Logger } from './log.js';

export interface UpgradeContext {
  options: ResolvedOptions;
  wss: WebSocketServer;
  caps: ConnectionCaps;
  log: Logger;
  isAccepting(): boolean;
  connectionCount(): number;
  onConnection(ws: WebSocket, session: Session): void;
}

export interface Session {
  docName: string;
  /** What `authorize` saw; kept so the session can be re-checked (revalidateIntervalMs). */
  request: UpgradeRequest;
  access: Access;
  extensions: boolean;
  remoteAddress: string;
}

export async function handleUpgrade(
  ctx: UpgradeContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  socket.on('error', (error) =>
    ctx.log.debug('upgrade socket error', { error: errorMessage(error) }),
  );
  const remoteAddress = req.socket.remoteAddress ?? 'unknown';
  const refuse = (status: number, message: string, fields: Record<string, string> = {}) => {
    ctx.log.warn('upgrade refused', { status, reason: message, remote: remoteAddress, ...fields });
    rejectUpgrade(socket, status, message);
  };

  if (!ctx.isAccepting()) return refuse(503, 'server is shutting down');
  const url = new URL(req.url ?? '/', 'http://localhost');
  let docName: string;
  try {
    // The raw request path, not url.pathname: URL parsing resolves `..` and `%2e%2e` segments,
    // which would turn `/../../etc/passwd` into the valid name `etc/passwd` instead of a 400.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    docName = docNameFromPath(rawPath, ctx.options.pathPrefix);
  } catch (error) {
    return refuse(400, isQuireError(error) ? error.message : 'invalid document name');
  }
  // Browsers always send Origin; a request without one is not a browser page, so cross-site
  // WebSocket hijacking does not apply to it (it still needs a token when auth is on).
  const origin = req.headers.origin;
  if (ctx.options.allowOrigins.length > 0 && origin && !ctx.options.allowOrigins.includes(origin)) {
    return refuse(403, 'origin not allowed', { origin: origin.slice(0, MAX_LOGGED_ORIGIN) });
  }

  let access: Access;
  const request: UpgradeRequest = { docName, url, headers: req.headers, remoteAddress };
  try {
    const authorize = ctx.options.authorize ?? openAccess;
    access = await withTimeout(Promise.resolve(authorize(request)), ctx.options.handshakeTimeoutMs);
  } catch (error) {
    if (error instanceof AccessDeniedError)
      return refuse(error.status, error.message, { doc: docName });
    if (error instanceof AuthorizeTimeout) return refuse(503, 'authorization timed out');
    ctx.log.error('authorize failed', { doc: docName, error: errorMessage(error) });
    return refuse(500, 'authorization failed');
  }
  if (socket.destroyed) return;
  if (!ctx.isAccepting()) return refuse(503, 'server is shutting down');
  if (ctx.connectionCount() >= ctx.options.maxConnections) {
    return refuse(503, 'server is at its connection limit; retry later');
  }
  const slot = ctx.caps.tryReserve(remoteAddress, access.principal);
  if (!slot.ok) return refuse(slot.status, slot.reason);
  // Released when the TCP socket closes, whether or not the WebSocket handshake completed.
  socket.once('close', slot.release);

  ctx.wss.handleUpgrade(req, socket, head, (ws) => {
    ctx.onConnection(ws, {
      docName,
      request,
      access,
      extensions: url.searchParams.get(QUIRE_EXTENSIONS_PARAM) === '1',
      remoteAddress,
    });
  });
}

/** Origins are attacker-chosen text; log only this much of one. */
const MAX_LOGGED_ORIGIN = 200;

class AuthorizeTimeout extends Error {}

/** `authorize` is embedder code that may hang (a session store that never answers). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AuthorizeTimeout('authorize timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
