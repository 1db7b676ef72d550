/**
 * Plain HTTP on the WebSocket port: health and readiness probes (readiness.ts), Prometheus
 * metrics (unless they have a port of their own: metrics-listener.ts), the
 * `/api/...` routes (api/router.ts: the document API, the access probe, the OpenAPI
 * description), and the demo app itself. Only the API takes methods other than GET and HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../metrics.js';
import { serveStatic, staticRootExists } from './static-files.js';
import type { ApiRouter } from './api/router.js';
import { errorMessage, type Logger } from '../log.js';
import type { Readiness } from './readiness.js';

export interface HttpContext {
  metrics: Metrics;
  log: Logger;
  staticDir: string | false;
  api: ApiRouter;
  readiness: Readiness;
  /** False when /metrics has a listener of its own (metrics-listener.ts): then it is not
   * served here. */
  serveMetrics: boolean;
}

/** Why the bus cannot reach the other instances, for readiness: a bus that reports its health
 * (RedisBus.unhealthyReason) is asked; one that does not (the in-process bus) is always fine. */
export function busUnreadyReason(bus: object | undefined): string | null {
  const reporter = bus as { unhealthyReason?: unknown } | undefined;
  return typeof reporter?.unhealthyReason === 'function'
    ? (reporter.unhealthyReason as () => string | null).call(bus)
    : null;
}

export async function handleHttp(ctx: HttpContext, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  try {
    // The raw path: document names in it are decoded once, by the router (URL parsing would
    // resolve `..` segments first, turning `/api/docs/../../x` into another path).
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (rawPath.startsWith('/api/')) {
      if (await ctx.api.handle(req, res, rawPath)) return;
      return sendJSON(res, 404, { error: 'not found' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJSON(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
    }
    if (await serveProbe(ctx, path, res)) return;
    if (path === '/metrics') {
      // With a metrics port, never here: the editing port may face the internet.
      if (ctx.serveMetrics) return await sendMetrics(ctx.metrics, res);
      return sendJSON(res, 404, { error: 'not found' });
    }
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

/** /healthz and /readyz, on the editing port and on the metrics port. Resolves whether `path`
 * was one of them. */
export async function serveProbe(
  ctx: { readiness: Readiness },
  path: string,
  res: ServerResponse,
): Promise<boolean> {
  if (path === '/healthz') {
    sendJSON(res, 200, { status: 'ok' });
    return true;
  }
  if (path !== '/readyz') return false;
  const report = await ctx.readiness.report();
  sendJSON(res, report.ready ? 200 : 503, report);
  return true;
}

export async function sendMetrics(metrics: Metrics, res: ServerResponse): Promise<void> {
  const text = await metrics.render();
  res.writeHead(200, {
    'Content-Type': metrics.registry.contentType,
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendJSON(
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
