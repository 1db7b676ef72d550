/**
 * Quire access tokens: HS256 JWTs (via `jose`) with the claims
 *   doc  — an exact document name, a prefix pattern `team-a/*` (every name starting `team-a/`),
 *          or `*` (every document);
 *   mode — 'rw' (edit) or 'ro' (view);
 *   exp  — expiry (seconds since the epoch), required;
 *   sub / name — optional: who this is (logs, per-principal caps) and a display name.
 * Only HS256 is accepted, so `alg: none` and algorithm-confusion tokens fail verification.
 */
import { SignJWT, jwtVerify } from 'jose';
import { canonicalDocName, isQuireError } from '@quire/shared';
import type { AccessMode } from './access.js';
import { MIN_SECRET_LENGTH, TOKEN_CLOCK_TOLERANCE_SECONDS } from '../limits.js';

export const TOKEN_ALGORITHM = 'HS256';
/** Lifetime of a token when the caller gives none: one working day is too long for a link
 * that leaks, an hour is enough for a session that can fetch a fresh one. */
export const DEFAULT_TOKEN_TTL_SECONDS = 3_600;

export interface TokenClaims {
  doc: string;
  mode: AccessMode;
  /** Expiry, seconds since the epoch. */
  exp: number;
  sub?: string;
  name?: string;
}

export interface SignTokenOptions {
  secret: string;
  /** Document name, `prefix/*` pattern or `*`. */
  doc: string;
  mode: AccessMode;
  /** Seconds from now until the token expires. Default 3600. */
  ttlSeconds?: number;
  sub?: string;
  name?: string;
  /** Override "now" (milliseconds since the epoch), for tests. */
  now?: number;
}

/** Why a token was refused; never includes the token or the secret. */
export class TokenError extends Error {
  constructor(
    readonly kind: 'invalid' | 'expired',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

const encoder = new TextEncoder();
const keyFor = (secret: string) => encoder.encode(secret);

/** Throws a message that says how to fix a secret that is missing or too short. */
export function checkSecret(secret: string): void {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `the secret has ${secret.length} characters; use at least ${MIN_SECRET_LENGTH} random ones ` +
        '(e.g. `openssl rand -base64 32`)',
    );
  }
}

/** Validates a `doc` claim: a document name, `prefix/*` or `*`. Returns it canonicalized. */
export function canonicalDocPattern(pattern: string): string {
  if (pattern === '*') return pattern;
  try {
    if (pattern.endsWith('/*')) return `${canonicalDocName(pattern.slice(0, -2))}/*`;
    return canonicalDocName(pattern);
  } catch (error) {
    const detail = isQuireError(error) ? error.message : String(error);
    throw new Error(`"${pattern}" is not a document name or a prefix/* pattern: ${detail}`);
  }
}

/** Whether a token's `doc` claim covers a canonical document name. */
export function docPatternMatches(pattern: string, docName: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return docName.startsWith(pattern.slice(0, -1));
  return pattern === docName;
}

export async function signToken(options: SignTokenOptions): Promise<string> {
  checkSecret(options.secret);
  if (options.mode !== 'rw' && options.mode !== 'ro') {
    throw new Error(`mode must be rw or ro (got ${String(options.mode)})`);
  }
  const ttl = options.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new Error(`ttl must be a positive whole number of seconds (got ${String(ttl)})`);
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const payload: Record<string, string> = {
    doc: canonicalDocPattern(options.doc),
    mode: options.mode,
  };
  if (options.name !== undefined) payload.name = options.name;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + ttl);
  if (options.sub !== undefined) jwt.setSubject(options.sub);
  return jwt.sign(keyFor(options.secret));
}

/** Verifies signature, algorithm, expiry and claim shapes; throws TokenError otherwise. */
export async function verifyToken(
  secret: string,
  token: string,
  now: number = Date.now(),
): Promise<TokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: [TOKEN_ALGORITHM],
      clockTolerance: TOKEN_CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(now),
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new TokenError('expired', 'token expired');
    throw new TokenError('invalid', 'token invalid');
  }
  const { doc, mode, exp, sub, name } = payload;
  if (typeof doc !== 'string' || (mode !== 'rw' && mode !== 'ro') || typeof exp !== 'number') {
    throw new TokenError('invalid', 'token claims invalid');
  }
  if (
    (sub !== undefined && typeof sub !== 'string') ||
    (name !== undefined && typeof name !== 'string')
  ) {
    throw new TokenError('invalid', 'token claims invalid');
  }
  let pattern: string;
  try {
    pattern = canonicalDocPattern(doc);
  } catch {
    throw new TokenError('invalid', 'token doc claim invalid');
  }
  return { doc: pattern, mode, exp, sub, name };
}
