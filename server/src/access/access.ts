/**
 * The access decision made at the HTTP upgrade, before any 101. The default grants read-write
 * to everyone (open mode); the security layer supplies a token-checking `authorize`.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type AccessMode = 'rw' | 'ro';

export interface Access {
  mode: AccessMode;
  /** Who this is (token `sub`), for logs. Never the token itself. */
  principal?: string;
  /** Milliseconds since the epoch when the grant ends; the connection is closed with 4401 then. */
  expiresAt?: number;
}

export interface UpgradeRequest {
  /** Canonical document name, exactly as it is stored. */
  docName: string;
  /** The request URL; `url.searchParams.get('token')` is how stock clients send a token. */
  url: URL;
  headers: IncomingHttpHeaders;
  /** The client's IP address: the socket peer's, or, when the peer is a trusted proxy
   * (`trustProxy`), the one it forwarded in `X-Forwarded-For` / `Forwarded`. */
  remoteAddress: string;
}

/** Throw this from `authorize` to refuse an upgrade with an HTTP status (401 or 403). */
export class AccessDeniedError extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

export type Authorize = (request: UpgradeRequest) => Access | Promise<Access>;

export const openAccess: Authorize = () => ({ mode: 'rw' });
