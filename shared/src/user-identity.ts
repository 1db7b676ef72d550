/**
 * User names and colors travel in awareness states and end up in other people's DOM (cursor
 * labels, presence lists). They are validated on both sides; nothing here is ever trusted raw.
 */
export const USER_NAME_MAX_LENGTH = 64;

const COLOR = /^#[0-9a-fA-F]{6}$/;
// Control characters, bidi marks/overrides/isolates (incl. U+061C), soft hyphen, invisible
// formatting characters, interlinear annotations, and Unicode tag characters (invisible text
// smuggling), Hangul fillers and the braille blank (letters that render as nothing, so a name
// could look empty), plus lone surrogates that would not survive UTF-8.
const UNSAFE_CHARS =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]|\p{Cs}/gu;

/** Printable ASCII, not starting or ending with a space: nothing to strip, trim or split. */
const CLEAN_ASCII_NAME = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

export function isValidColor(value: unknown): value is string {
  return typeof value === 'string' && COLOR.test(value);
}

/** A display name with invisible and control characters removed, trimmed and length-capped. */
export function sanitizeUserName(value: unknown, fallback = 'Anonymous'): string {
  if (typeof value !== 'string') return fallback;
  // Fast path for the common case (the server checks every cursor move): printable ASCII with no
  // surrounding spaces, short enough, is already clean, so skip the Unicode regex and code-point
  // split below.
  if (value.length <= USER_NAME_MAX_LENGTH && CLEAN_ASCII_NAME.test(value)) return value;
  const cleaned = [...value.replace(UNSAFE_CHARS, '').trim()]
    .slice(0, USER_NAME_MAX_LENGTH)
    .join('');
  return cleaned.length > 0 ? cleaned : fallback;
}

/** A color in `#rrggbb` form, or the fallback. */
export function sanitizeColor(value: unknown, fallback = '#6b7280'): string {
  return isValidColor(value) ? value.toLowerCase() : fallback;
}
