/**
 * Plain HTTP on the WebSocket port: health and readiness probes, Prometheus metrics, the JSON
 * API (api-routes.ts), and the demo app itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageAdapter } from '../storage/adapter.js';
import type { Metrics } from '../metrics.js';
import { serveStatic, staticRootExists } from './static-files.js';
import { handlesApiPath, listDocuments, probeAccess, type ApiContext } from './api-routes.js';
import { errorMessage, type Logger } from '../log.js';

export interface HttpContext extends ApiContext {
  storage: StorageAdapter;
  metrics: Metrics;
  log: Logger;
  staticDir: string | false;
  gauges(): { connections: number; rooms: number };
  /** Why the server is not ready, or null when it is. */
  notReadyReason(): string | null;
}

export async function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJSON(res, 405, { error: 'method not allowed' });
    }
    if (path === '/healthz') return sendJSON(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const reason = ctx.notReadyReason();
      return sendJSON(
        res,
        reason ? 503 : 200,
        reason ? { status: 'unready', reason } : { status: 'ready' },
      );
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      return res.end(ctx.metrics.render(ctx.gauges()));
    }
    const api = handlesApiPath(path);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      sendJSON(res, status, body, headers);
    if (api === 'docs') return await listDocuments(ctx, req, reply);
    if (api === 'access') return await probeAccess(ctx, req, reply);
    if (path.startsWith('/api/')) return sendJSON(res, 404, { error: 'not found' });
    if (staticRootExists(ctx.staticDir) && serveStatic(ctx.staticDir, path, req, res)) return;
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end(
        'Quire server is running. The demo client is not built: run `npm run build`.\n',
      );
    }
    sendJSON(res, 404, { error: 'not found' });
  } catch (error) {
    ctx.log.error('http request failed', { path, error: errorMessage(error) });
    if (!res.headersSent) sendJSON(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}

function sendJSON(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}
