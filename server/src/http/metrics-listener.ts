/**
 * The metrics port (`metricsPort` / `--metrics-port`): /metrics, /healthz and /readyz on an
 * HTTP listener of their own, so they can be bound to an internal interface while the editing
 * port faces users. With it, the editing port answers 404 for /metrics; the probes stay on both
 * (load balancers probe the editing port). Nothing else is served here: no API, no WebSockets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics.js';
import { errorMessage, type Logger } from '../log.js';
import type { Readiness } from './readiness.js';
import { sendJSON, sendMetrics, serveProbe } from './http-routes.js';
import { HTTP_REQUEST_TIMEOUT_MS } from '../limits.js';

export interface MetricsListenerContext {
  metrics: Metrics;
  readiness: Readiness;
  log: Logger;
}

export interface MetricsListener {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export function handleMetricsRequest(
  ctx: MetricsListenerContext,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const path = (req.url ?? '/').split('?')[0];
  const respond = async () => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJSON(res, 405, { error: 'method not allowed' }, { Allow: 'GET, HEAD' });
    }
    if (path === '/metrics') return sendMetrics(ctx.metrics, res);
    if (await serveProbe(ctx, path ?? '/', res)) return;
    sendJSON(res, 404, { error: 'not found' });
  };
  respond().catch((error: unknown) => {
    ctx.log.error('metrics request failed', { path, error: errorMessage(error) });
    if (!res.headersSent) sendJSON(res, 500, { error: 'internal error' });
    else res.destroy();
  });
}

export function listenMetrics(
  ctx: MetricsListenerContext,
  host: string,
  port: number,
): Promise<MetricsListener> {
  const server: Server = createServer({ requestTimeout: HTTP_REQUEST_TIMEOUT_MS }, (req, res) =>
    handleMetricsRequest(ctx, req, res),
  );
  return new Promise((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new Error(`the metrics port ${host}:${port} (--metrics-port): ${error.message}`));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      const bound = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        host,
        port: bound,
        url: `http://${shown}:${bound}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
