/**
 * The WebSocket handshake, in order: server accepting? → document name (canonical, used for both
 * the access check and storage) → Origin allow-list → access decision (bounded by the handshake
 * timeout) → not deleted (410 Gone: a deleted document's tombstone, so a client's local copy
 * cannot recreate it; checked after access, so the answer tells strangers nothing) →
 * connection caps (total, per IP, per principal) → 101.
 * Every refusal is an HTTP status before the upgrade, with a log line that names no secret: the
 * URL (which may carry `?token=`) is never logged.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { QUIRE_EXTENSIONS_PARAM } from '@quire/shared';
import type { Access, UpgradeRequest } from '../access/access.js';
import { decideAccess } from '../access/access-check.js';
import { clientAddressOf } from '../access/client-address.js';
import type { ConnectionCaps } from '../guards/connection-caps.js';
import type { ResolvedOptions } from '../config.js';
import { rejectUpgrade } from '../http/http-response.js';
import { errorMessage, type Logger } from '../log.js';

export interface UpgradeContext {
  options: ResolvedOptions;
  wss: WebSocketServer;
  caps: ConnectionCaps;
  log: Logger;
  isAccepting(): boolean;
  connectionCount(): number;
  /** Whether the document was deleted (its tombstone); absent: never. */
  isDeleted?(docName: string): Promise<boolean>;
  onConnection(ws: WebSocket, session: Session): void;
}

export interface Session {
  docName: string;
  /** What `authorize` saw; kept so the session can be re-checked (revalidateIntervalMs). */
  request: UpgradeRequest;
  access: Access;
  extensions: boolean;
  /** The client's address: the socket peer's, or what a trusted proxy forwarded. */
  remoteAddress: string;
}

export async function handleUpgrade(
  ctx: UpgradeContext,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): Promise<void> {
  const onSocketError = logSocketErrors(socket, ctx.log);
  // Behind a trusted proxy, the client it forwarded: what the per-IP cap counts (trust-proxy).
  const client = clientAddressOf(req, ctx.options.trustedProxies, ctx.log);
  const remoteAddress = client.address;
  const refuse = (status: number, message: string, fields: Record<string, string> = {}) => {
    ctx.log.warn('upgrade refused', {
      status,
      reason: message,
      remote: remoteAddress,
      proxy: client.proxy,
      ...fields,
    });
    rejectUpgrade(socket, status, message);
  };

  if (!ctx.isAccepting()) return refuse(503, 'server is shutting down');
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  const decision = await decideAccess(ctx.options, ctx.log, req, rawPath, ctx.options.pathPrefix);
  if (!decision.ok) return refuse(decision.status, decision.message, decision.fields);
  const { docName, access, request } = decision;
  const url = request.url;
  if (socket.destroyed) return;
  if (await isDeleted(ctx, docName)) {
    return refuse(410, 'document was deleted', { doc: docName });
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
    // From here ws handles the socket's errors (and reports them as the connection's).
    socket.off('error', onSocketError);
    ctx.onConnection(ws, {
      docName,
      request,
      access,
      extensions: url.searchParams.get(QUIRE_EXTENSIONS_PARAM) === '1',
      remoteAddress,
    });
  });
}

/** The tombstone check fails open: a store that cannot answer right now (an outage the
 * persistence layer rides out) must not refuse every editor. A deleted document still cannot be
 * loaded (the room registry asks again), and a loaded one is closed by the deletion sweep. */
async function isDeleted(ctx: UpgradeContext, docName: string): Promise<boolean> {
  try {
    return (await ctx.isDeleted?.(docName)) ?? false;
  } catch (error) {
    ctx.log.warn('tombstone check failed; admitting the upgrade', {
      doc: docName,
      error: errorMessage(error),
    });
    return false;
  }
}

/** Logs errors of a socket still in its handshake. A separate function, so the listener's closure
 * holds only the logger: a closure in handleUpgrade would share its scope, keeping the request,
 * its headers and URL alive as long as the socket. */
function logSocketErrors(socket: Duplex, log: Logger): (error: Error) => void {
  const onError = (error: Error) =>
    log.debug('upgrade socket error', { error: errorMessage(error) });
  socket.on('error', onError);
  return onError;
}
