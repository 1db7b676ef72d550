/**
 * The webhook signature: `X-Quire-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes,
 * keyed with the webhook secret>`. Receivers recompute it over the raw body they read (before
 * any JSON parsing) and compare in constant time (`verifyWebhookSignature`, or the snippet in
 * docs/operations.md#webhooks).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Quire-Signature';
const PREFIX = 'sha256=';

/** The header value for `body`. */
export function signWebhookBody(secret: string, body: string | Uint8Array): string {
  return PREFIX + createHmac('sha256', secret).update(body).digest('hex');
}

/** Whether `header` is the signature of `body` under `secret` (constant-time compare). */
export function verifyWebhookSignature(
  secret: string,
  body: string | Uint8Array,
  header: string | undefined,
): boolean {
  if (typeof header !== 'string' || !header.startsWith(PREFIX)) return false;
  const expected = Buffer.from(signWebhookBody(secret, body).slice(PREFIX.length), 'hex');
  const given = Buffer.from(header.slice(PREFIX.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
