/**
 * Document name ↔ file name for `export --all --to DIR`. Names may hold `/`, capitals and any
 * Unicode letter (shared/src/doc-name.ts), none of which is safe in a file name everywhere, so a
 * name is percent-encoded over its UTF-8 bytes: `a`–`z`, `0`–`9`, `_`, `-` and `.` stay as they
 * are, every other byte becomes `%XX` (upper-case hex). `team-a/Plan` → `team-a%2F%50lan`.
 *
 * Why capitals are encoded too: the result then never depends on the file system's case
 * rules. Literal letters are always lower case and escapes always upper case, so two different
 * names never give two file names that differ only in case (which macOS and Windows would treat
 * as one file). A name never starts with `.` (segments start with a letter or digit), so no file
 * is hidden or named `.`/`..`.
 *
 * Reversible: `decodeDocumentName` decodes. The one exception is a name whose encoding is over
 * MAX_ENCODED_LENGTH bytes (long non-Latin names; file systems allow 255): it keeps its first
 * part and ends with `~` and 16 hex digits of its SHA-256, `~` never appearing in a full encoding,
 * so it cannot collide with one. The export's manifest (export-command.ts) names every file's
 * document either way.
 */
import { createHash } from 'node:crypto';

/** Longest encoded name before the hashed form is used: 255 bytes, less room for an extension
 * and a temporary-file suffix. */
export const MAX_ENCODED_LENGTH = 200;
const HASH_HEX_DIGITS = 16;
const KEPT = /^[a-z0-9_.-]$/;

export function encodeDocumentName(name: string): string {
  let encoded = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += KEPT.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length <= MAX_ENCODED_LENGTH) return encoded;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
  // Cut before a partial escape so the kept part still decodes.
  let head = encoded.slice(0, MAX_ENCODED_LENGTH - HASH_HEX_DIGITS - 1);
  const partial = head.lastIndexOf('%');
  if (partial > head.length - 3) head = head.slice(0, partial);
  return `${head}~${hash}`;
}

/** The name a file name encodes, or null for a hashed (too long) or foreign file name. */
export function decodeDocumentName(encoded: string): string | null {
  if (!/^(?:[a-z0-9_.-]|%[0-9A-F]{2})+$/.test(encoded)) return null;
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  // Only the one encoding a name has (not `%61` for `a`): one file per name, both ways.
  return encodeDocumentName(name) === encoded ? name : null;
}
