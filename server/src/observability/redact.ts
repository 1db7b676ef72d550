/**
 * What log lines must never carry: tokens, secrets and payload bytes. Two layers, because a
 * caller can be wrong in two ways:
 *  - a field NAMED like a secret or a payload (`token`, `authorization`, `payload`…) is replaced by
 *    pino's `redact` whatever it holds (REDACT_PATHS);
 *  - a token INSIDE some other text (a URL with `?token=`, an error message quoting a header, a
 *    bare JWT) is cut out of every string field and of the message (scrubText).
 * Payloads have no text form a scrubber could spot, so the rule for them is by type: LogFields
 * takes strings, numbers and booleans only, never bytes.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values never reach a log line (pino redact paths: top level, and one level
 * down for a field that is an object). */
const SECRET_FIELDS = [
  'token',
  'accessToken',
  'access_token',
  'secret',
  'password',
  'authorization',
  'cookie',
  'setCookie',
  'apiKey',
  'update',
  'payload',
  'frame',
];
export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers["set-cookie"]',
  'headers["x-api-key"]',
];

/** `token=…` in a query string, `Bearer …` in a header, and anything shaped like a JWT. */
const TOKEN_PATTERNS: readonly [RegExp, string][] = [
  [/([?&;](?:access_)?token=)[^&\s#"']+/gi, `$1${REDACTED}`],
  [/(\bBearer\s+)[^\s,"']+/gi, `$1${REDACTED}`],
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, REDACTED],
];

export function scrubText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TOKEN_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
