/**
 * The HTTP server that listen() starts for the editing port. Embedders that attach() to a server
 * of their own set these timeouts themselves.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResolvedOptions } from './config.js';
import { HTTP_REQUEST_TIMEOUT_MS, HTTP_TIMEOUT_CHECK_INTERVAL_MS } from './limits.js';

/** Where a listener listens; `host` as configured, `url` with an IPv6 host in brackets. */
export interface ListenAddress {
  host: string;
  port: number;
  url: string;
}

/** Starts an HTTP server on options.port/host serving `handleRequest`; `prepare` gets it before
 * it listens (to attach the upgrade handler and keep it for close()). Rejects when the port
 * cannot be bound. */
export function listenEditing(
  options: ResolvedOptions,
  handleRequest: (req: IncomingMessage, res: ServerResponse) => void,
  prepare: (server: Server) => void,
): Promise<ListenAddress> {
  return new Promise((resolve, reject) => {
    // Slowloris defence: headers must arrive in time, and a whole request a little later.
    const server = createServer(
      {
        headersTimeout: options.headersTimeoutMs,
        requestTimeout: Math.max(HTTP_REQUEST_TIMEOUT_MS, options.headersTimeoutMs),
        connectionsCheckingInterval: HTTP_TIMEOUT_CHECK_INTERVAL_MS,
      },
      handleRequest,
    );
    server.maxHeadersCount = options.maxHeadersCount;
    prepare(server);
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      resolve({ host: options.host, port, url: `http://${host}:${port}` });
    });
  });
}
