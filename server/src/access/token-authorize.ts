/**
 * The `authorize` hook behind `--secret`: the token comes from the `token` URL parameter (what
 * the stock y-websocket `params` option sends) or an `Authorization: Bearer` header.
 * Missing, forged or expired → 401; a valid token for another document → 403.
 */
import { AccessDeniedError, type Authorize } from './access.js';
import { TOKEN_CLOCK_TOLERANCE_SECONDS } from '../limits.js';
import { checkSecret, docPatternMatches, TokenError, verifyToken } from './token.js';

/** The URL parameter that carries the token. */
export const TOKEN_PARAM = 'token';

export function tokenFromRequest(
  url: URL,
  headers: { authorization?: string | undefined },
): string | null {
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) return fromUrl;
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  return match?.[1] ?? null;
}

export function createTokenAuthorize(secret: string): Authorize {
  checkSecret(secret);
  return async ({ docName, url, headers }) => {
    const token = tokenFromRequest(url, headers);
    if (!token) throw new AccessDeniedError(401, 'token required');
    let claims;
    try {
      claims = await verifyToken(secret, token);
    } catch (error) {
      // One message for every kind of bad token: no oracle for an attacker.
      if (error instanceof TokenError) throw new AccessDeniedError(401, 'invalid or expired token');
      throw error;
    }
    if (!docPatternMatches(claims.doc, docName)) {
      throw new AccessDeniedError(403, 'token is not valid for this document');
    }
    return {
      mode: claims.mode,
      principal: claims.sub,
      expiresAt: (claims.exp + TOKEN_CLOCK_TOLERANCE_SECONDS) * 1000,
    };
  };
}
