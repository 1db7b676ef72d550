/**
 * `POST /api/docs/<name>/share {"mode": "ro"|"rw", "ttlSeconds"}`: mints a link token for one
 * document, signed like `quire-server token` (access/token.ts), so a person can hand out a
 * view-only link without holding the secret.
 * - Needs a rw grant for the document: a view-only token cannot mint anything.
 * - The token names exactly this document (never the caller's `prefix/*` pattern) and lives
 *   `ttlSeconds`, from MIN_SHARE_TTL_SECONDS to MAX_SHARE_TTL_SECONDS (30 days; default one
 *   day). A rw link never outlives the caller's own grant: its expiry is cut to that, so an
 *   editor cannot extend their own access by minting fresh editing links; a view-only link may
 *   outlive it (an editor could copy the text out anyway).
 * - Its subject is `link:<caller's subject>` (or `link` without one), so what a link does is
 *   attributed to who minted it in logs, and its readers share one per-principal cap.
 * - Without a secret there is nothing to sign with: 501 explains that every link of an open
 *   server can edit (`?view=1` only asks the editor to open read-only), and a server with its
 *   own `authorize` hook hands out its own credentials.
 * 201 `{mode, token, expiresAt, path}`: `path` is the demo app's link (`/d/<name>?token=…`);
 * prefix it with the server's public origin.
 */
import { signToken } from '../../access/token.js';
import type { ApiCall } from './api-call.js';
import { readJsonBody } from './body.js';
import { errorResponses, jsonBody } from './openapi-parts.js';
import type { ApiRoute } from './router.js';

/** Shortest link lifetime: anything shorter is gone before it is sent. */
export const MIN_SHARE_TTL_SECONDS = 60;
/** Longest link lifetime (30 days): a link that leaks stops working within it. */
export const MAX_SHARE_TTL_SECONDS = 30 * 24 * 3_600;
/** Lifetime when the request gives none. */
export const DEFAULT_SHARE_TTL_SECONDS = 24 * 3_600;

/** The demo app's URL of a document (client/src/demo/routes.ts docHref). */
function docPath(name: string, token: string): string {
  const path = `/d/${name.split('/').map(encodeURIComponent).join('/')}`;
  return `${path}?token=${encodeURIComponent(token)}`;
}

async function shareDocument(call: ApiCall): Promise<void> {
  const { options } = call.deps;
  const body = await readJsonBody(call, options.maxMessageBytes);
  if (body === undefined) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return call.refuse(400, 'the body must be a JSON object {"mode", "ttlSeconds"?}');
  }
  const { mode, ttlSeconds = DEFAULT_SHARE_TTL_SECONDS } = body as {
    mode?: unknown;
    ttlSeconds?: unknown;
  };
  if (mode !== 'ro' && mode !== 'rw') return call.refuse(400, '"mode" must be "ro" or "rw"');
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_SHARE_TTL_SECONDS ||
    ttlSeconds > MAX_SHARE_TTL_SECONDS
  ) {
    return call.refuse(
      400,
      `"ttlSeconds" must be a whole number from ${MIN_SHARE_TTL_SECONDS} to ${MAX_SHARE_TTL_SECONDS} (30 days)`,
    );
  }
  if (options.secret === undefined) {
    return call.refuse(
      501,
      options.authorize
        ? "this server's access is decided by its authorize hook: links come from there"
        : 'view-only links need token auth (start the server with --secret); on this open server every link can edit, and ?view=1 only asks the editor to open read-only',
    );
  }
  if (!(await call.deps.documents.exists(call.doc))) return call.refuse(404, 'no such document');
  const now = Date.now();
  let ttl = ttlSeconds;
  const own = call.access?.expiresAt;
  if (mode === 'rw' && own !== undefined) ttl = Math.min(ttl, Math.floor((own - now) / 1000));
  if (ttl < 1) return call.refuse(403, 'your own access ends now: no editing link can be made');
  const token = await signToken({
    secret: options.secret,
    doc: call.doc,
    mode,
    ttlSeconds: ttl,
    sub: call.actor === undefined ? 'link' : `link:${call.actor}`,
    now,
  });
  const expiresAt = (Math.floor(now / 1000) + ttl) * 1000;
  call.deps.log.info('share link minted', { doc: call.doc, mode, ttlSeconds: ttl, by: call.actor });
  call.json(201, { mode, token, expiresAt, path: docPath(call.doc, token) });
}

export const shareRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/api/docs/{name}/share',
    access: 'write',
    openapi: {
      summary: 'Mint a link token (view-only or editing) for this document',
      description: `Needs a rw grant: a view-only token cannot mint anything. The token is signed with the server's secret like \`quire-server token\`, names exactly this document, and lives ttlSeconds (${MIN_SHARE_TTL_SECONDS} to ${MAX_SHARE_TTL_SECONDS}, i.e. 30 days; default ${DEFAULT_SHARE_TTL_SECONDS}). A rw link never outlives the caller's own token (its expiry is cut to it). Its subject is "link:<caller's subject>". Without a secret: 501.`,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['mode'],
              properties: {
                mode: { enum: ['ro', 'rw'] },
                ttlSeconds: {
                  type: 'integer',
                  minimum: MIN_SHARE_TTL_SECONDS,
                  maximum: MAX_SHARE_TTL_SECONDS,
                  default: DEFAULT_SHARE_TTL_SECONDS,
                },
              },
            },
          },
        },
      },
      responses: {
        '201': jsonBody('Minted', {
          type: 'object',
          required: ['mode', 'token', 'expiresAt', 'path'],
          properties: {
            mode: { enum: ['ro', 'rw'] },
            token: { type: 'string' },
            expiresAt: { type: 'integer', description: 'Milliseconds since the epoch.' },
            path: {
              type: 'string',
              description: "The demo app's link, /d/<name>?token=…; prefix the server's origin.",
            },
          },
        }),
        ...errorResponses(400, 401, 403, 404, 415),
        '501': {
          description: 'No secret is configured: there is nothing to sign links with.',
          content: { 'application/json': {} },
        },
      },
    },
    handle: shareDocument,
  },
];
