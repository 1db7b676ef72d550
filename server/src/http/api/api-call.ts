/**
 * One API request as a handler sees it: the matched parameters, the document and access the
 * router decided, and the ways to answer. Every refusal goes through `refuse`, which logs one
 * line with its context (never the URL: it may carry `?token=`) and answers `{ error }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access } from '../../access/access.js';
import { clientAddressOf, type ClientAddress } from '../../access/client-address.js';
import type { ResolvedOptions } from '../../config.js';
import type { DocumentService } from '../../documents/document-service.js';
import type { CreationQuota } from '../../guards/creation-quota.js';
import type { LogFields, Logger } from '../../log.js';
import type { StorageAdapter } from '../../storage/adapter.js';

/** What API handlers may use. */
export interface ApiDeps {
  options: ResolvedOptions;
  storage: StorageAdapter;
  log: Logger;
  /** Server-side document operations (documents/document-service.ts). */
  documents: DocumentService;
  /** The new-documents-per-minute quota (maxNewDocumentsPerMinute), the very one WebSocket
   * writers are charged to: a create through the API costs the same. */
  creationQuota: CreationQuota;
}

export class ApiCall {
  /** The canonical document name the path names, once access was granted for it. */
  docName: string | null = null;
  /** The raw (percent-encoded) name segments of the path, for routes deciding access
   * themselves. */
  rawName: string | null = null;
  access: Access | null = null;
  readonly url: URL;

  constructor(
    readonly deps: ApiDeps,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    public params: Record<string, string>,
  ) {
    this.url = new URL(req.url ?? '/', 'http://localhost');
  }

  /** The document of a `read`/`write` route (always set for them). */
  get doc(): string {
    if (this.docName === null) throw new Error('this route names no document');
    return this.docName;
  }

  /** Where the request came from: the socket peer, or the client a trusted proxy forwarded. */
  get client(): ClientAddress {
    return clientAddressOf(this.req, this.deps.options.trustedProxies, this.deps.log);
  }

  /** Who asked (token subject), for change origins and logs. */
  get actor(): string | undefined {
    return this.access?.principal;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.send(status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
  }

  text(status: number, text: string): void {
    this.send(status, 'text/plain; charset=utf-8', text);
  }

  bytes(status: number, bytes: Uint8Array): void {
    this.send(
      status,
      'application/octet-stream',
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    );
  }

  /** 204 No Content. */
  empty(status = 204): void {
    this.res.writeHead(status, { ...this.cors(), 'Cache-Control': 'no-store' });
    this.res.end();
  }

  /** Answers `{ error: message }` with `status` and logs why, with context. */
  refuse(
    status: number,
    message: string,
    fields: LogFields = {},
    headers: Record<string, string> = {},
  ): void {
    this.deps.log.warn('api request refused', {
      status,
      reason: message,
      method: this.req.method,
      path: this.url.pathname.slice(0, 300),
      doc: this.docName ?? undefined,
      remote: this.client.address,
      proxy: this.client.proxy,
      ...fields,
    });
    this.json(status, { error: message }, headers);
  }

  /** After an unexpected error (already logged). */
  failed(): void {
    if (!this.res.headersSent) this.json(500, { error: 'internal error' });
    else this.res.destroy();
  }

  /** Pages embedding the editor may live on other origins (within the allow-list). */
  cors(): Record<string, string> {
    const origin = this.req.headers.origin;
    const allow = this.deps.options.allowOrigins;
    if (!origin || (allow.length > 0 && !allow.includes(origin))) return {};
    return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
  }

  private send(
    status: number,
    type: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    this.res.writeHead(status, {
      ...this.cors(),
      ...headers,
      'Content-Type': type,
      'Cache-Control': 'no-store',
    });
    this.res.end(body);
  }
}
