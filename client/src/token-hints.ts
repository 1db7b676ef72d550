/**
 * What a Quire access token says about itself, read without verifying it: only UI hints (start
 * view-only for a `ro` token, suggest its display name). The server verifies and enforces;
 * nothing here grants anything. Tokens that are not JWTs simply give no hints.
 */
import { sanitizeUserName } from '@quire/shared';

export interface TokenHints {
  mode?: 'rw' | 'ro';
  /** Expiry, milliseconds since the epoch. */
  expiresAt?: number;
  name?: string;
}

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** A JWT payload can be large in theory; a Quire token is a few hundred bytes. */
const MAX_TOKEN_LENGTH = 8192;

export function readTokenHints(token: string | undefined): TokenHints {
  if (!token || token.length > MAX_TOKEN_LENGTH) return {};
  const payload = token.split('.')[1];
  if (payload === undefined) return {};
  let claims: unknown;
  try {
    claims = JSON.parse(base64UrlDecode(payload));
  } catch {
    return {};
  }
  if (typeof claims !== 'object' || claims === null) return {};
  const c = claims as Record<string, unknown>;
  const hints: TokenHints = {};
  if (c.mode === 'rw' || c.mode === 'ro') hints.mode = c.mode;
  if (typeof c.exp === 'number' && Number.isFinite(c.exp)) hints.expiresAt = c.exp * 1000;
  if (typeof c.name === 'string') hints.name = sanitizeUserName(c.name, '');
  if (hints.name === '') delete hints.name;
  return hints;
}
