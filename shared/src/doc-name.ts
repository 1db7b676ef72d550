/**
 * Document names: one documented character set, one canonical form (Unicode NFC), used for the
 * auth check and for storage alike, so what is checked is exactly what is stored.
 *
 * A name is 1–8 segments joined by `/` (so tokens can grant a prefix such as `team-a/*`). Each
 * segment starts with a letter or digit and continues with letters, combining marks, digits,
 * `.`, `_` or `-`; it does not end with `.`, and is not a reserved device name (CON, NUL, …).
 * At most 128 characters in all. Names are case-sensitive and never become file paths.
 */
import { QuireError } from './errors.js';

export const DOC_NAME_MAX_LENGTH = 128;
export const DOC_NAME_MAX_SEGMENTS = 8;

const SEGMENT = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}._-]*$/u;
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
/** Hangul fillers count as letters but render as nothing: a name made of them looks blank. */
const INVISIBLE_LETTERS = /[\u115f\u1160\u3164\uffa0]/u;

/** Validates and canonicalizes a decoded document name; throws QuireError when it is refused. */
export function canonicalDocName(raw: string): string {
  const name = raw.normalize('NFC');
  const length = [...name].length;
  if (length === 0) throw new QuireError('doc-name-invalid', 'document name is empty');
  if (length > DOC_NAME_MAX_LENGTH) {
    throw new QuireError(
      'doc-name-too-long',
      `document name has ${length} characters; the limit is ${DOC_NAME_MAX_LENGTH}`,
    );
  }
  const segments = name.split('/');
  if (segments.length > DOC_NAME_MAX_SEGMENTS) {
    throw new QuireError(
      'doc-name-invalid',
      `document name has more than ${DOC_NAME_MAX_SEGMENTS} segments`,
    );
  }
  for (const segment of segments) {
    if (
      !SEGMENT.test(segment) ||
      segment.endsWith('.') ||
      RESERVED.test(segment) ||
      INVISIBLE_LETTERS.test(segment)
    ) {
      throw new QuireError(
        'doc-name-invalid',
        'document name has a character or segment that is not allowed',
      );
    }
  }
  return name;
}

export function isValidDocName(raw: string): boolean {
  try {
    return canonicalDocName(raw) === raw;
  } catch {
    return false;
  }
}

/**
 * The document name addressed by a WebSocket URL path (`/[prefix/]<name>`), percent-decoded once
 * and canonicalized. The query string must already be stripped.
 */
export function docNameFromPath(pathname: string, prefix = ''): string {
  const base = `${prefix.replace(/\/+$/, '')}/`;
  if (!pathname.startsWith(base)) {
    throw new QuireError('doc-name-invalid', `path must start with ${base}`);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname.slice(base.length));
  } catch {
    throw new QuireError('doc-name-invalid', 'document name is not valid percent-encoding');
  }
  return canonicalDocName(decoded);
}
