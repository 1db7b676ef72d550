import { describe, expect, it } from 'vitest';
import {
  DOC_NAME_MAX_LENGTH,
  DOC_NAME_MAX_SEGMENTS,
  canonicalDocName,
  docNameFromPath,
  isValidDocName,
} from '../src/index.js';
import { errorCodeOf } from './helpers/errors.js';

const CAFE_NFC = 'caf\u00e9';
const CAFE_NFD = 'cafe\u0301';

describe('canonicalDocName accepts', () => {
  it.each([
    ['a plain name', 'notes', 'notes'],
    ['a name with a folder segment', 'team-a/notes', 'team-a/notes'],
    ['dots, underscores and dashes inside a segment', 'v1.2_final-draft', 'v1.2_final-draft'],
    ['non-Latin letters and digits', 'документ/第1章', 'документ/第1章'],
    ['NFD input, returned as NFC', CAFE_NFD, CAFE_NFC],
    ['exactly 128 characters', 'a'.repeat(DOC_NAME_MAX_LENGTH), 'a'.repeat(DOC_NAME_MAX_LENGTH)],
    ['8 segments', 'a/b/c/d/e/f/g/h', 'a/b/c/d/e/f/g/h'],
    ['a reserved device name inside a longer segment', 'console', 'console'],
  ])('%s', (_what, input, canonical) => {
    expect(canonicalDocName(input)).toBe(canonical);
  });

  it('counts characters, not UTF-16 units: 128 astral letters are allowed', () => {
    const name = '\u{1d49c}'.repeat(DOC_NAME_MAX_LENGTH);
    expect(canonicalDocName(name)).toBe(name);
  });

  it('gives NFC and NFD spellings one canonical name (never two names for one document)', () => {
    expect(canonicalDocName(CAFE_NFD)).toBe(canonicalDocName(CAFE_NFC));
  });

  it('is idempotent', () => {
    for (const name of ['notes', CAFE_NFD, 'team-a/notes']) {
      const once = canonicalDocName(name);
      expect(canonicalDocName(once)).toBe(once);
    }
  });
});

describe('canonicalDocName rejects', () => {
  it.each([
    ['the empty name', ''],
    ['"."', '.'],
    ['".."', '..'],
    ['a traversal path', '../../etc/passwd'],
    ['an empty segment', 'a//b'],
    ['a leading slash', '/x'],
    ['a trailing slash', 'x/'],
    ['a backslash traversal', '..\\x'],
    ['the device name CON', 'CON'],
    ['the device name nul with an extension', 'nul.txt'],
    ['the device name com1 in a later segment', 'team/com1'],
    ['a NUL character', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['an RTL override', 'abc\u202etxt.exe'],
    ['a zero-width space', 'ab\u200bc'],
    ['a trailing dot', 'notes.'],
    ['a trailing dot in an inner segment', 'notes./x'],
    ['a trailing space', 'notes '],
    ['a leading dot (hidden file)', '.env'],
    ['a leading dash', '-rf'],
    ['a space inside', 'my notes'],
    ['a percent sign (names are decoded once, before this check)', 'a%2e'],
    ['a query string', 'doc?x=1'],
    ['an emoji', 'notes🦊'],
    ['a leading combining mark', '\u0301abc'],
  ])('%s', (_what, input) => {
    expect(errorCodeOf(() => canonicalDocName(input))).toBe('doc-name-invalid');
  });

  it('rejects Hangul fillers, letters that render as nothing (a name that looks blank)', () => {
    for (const filler of ['\u3164', '\u115f', '\u1160', '\uffa0', 'notes\u3164']) {
      expect(
        errorCodeOf(() => canonicalDocName(filler)),
        JSON.stringify(filler),
      ).toBe('doc-name-invalid');
    }
  });

  it(`rejects ${DOC_NAME_MAX_LENGTH + 1} characters as too long`, () => {
    expect(errorCodeOf(() => canonicalDocName('a'.repeat(DOC_NAME_MAX_LENGTH + 1)))).toBe(
      'doc-name-too-long',
    );
  });

  it('rejects a 10 000-character name as too long', () => {
    expect(errorCodeOf(() => canonicalDocName('a'.repeat(10_000)))).toBe('doc-name-too-long');
  });

  it(`rejects ${DOC_NAME_MAX_SEGMENTS + 1} segments`, () => {
    const name = Array.from({ length: DOC_NAME_MAX_SEGMENTS + 1 }, () => 'a').join('/');
    expect(errorCodeOf(() => canonicalDocName(name))).toBe('doc-name-invalid');
  });
});

describe('isValidDocName', () => {
  it('is true only for names already in canonical form', () => {
    expect(isValidDocName('team-a/notes')).toBe(true);
    expect(isValidDocName(CAFE_NFC)).toBe(true);
    expect(isValidDocName(CAFE_NFD)).toBe(false);
    expect(isValidDocName('..')).toBe(false);
  });
});

describe('docNameFromPath', () => {
  it('takes the name from a path without a prefix', () => {
    expect(docNameFromPath('/notes')).toBe('notes');
    expect(docNameFromPath('/team-a/notes')).toBe('team-a/notes');
  });

  it('takes the name from a path under a prefix, with or without its trailing slash', () => {
    expect(docNameFromPath('/collab/team-a/notes', '/collab')).toBe('team-a/notes');
    expect(docNameFromPath('/collab/notes', '/collab/')).toBe('notes');
  });

  it('refuses a path outside the prefix', () => {
    expect(errorCodeOf(() => docNameFromPath('/other/notes', '/collab'))).toBe('doc-name-invalid');
    expect(errorCodeOf(() => docNameFromPath('/collabnotes', '/collab'))).toBe('doc-name-invalid');
  });

  it('percent-decodes once, so encoded and plain spellings give one name', () => {
    expect(docNameFromPath('/caf%C3%A9')).toBe(CAFE_NFC);
    expect(docNameFromPath('/cafe%CC%81')).toBe(CAFE_NFC);
    expect(docNameFromPath('/team-a%2Fnotes')).toBe(docNameFromPath('/team-a/notes'));
  });

  it.each([
    ['an encoded traversal %2e%2e%2f', '/%2e%2e%2f'],
    ['an encoded traversal with a target', '/%2e%2e%2fetc%2fpasswd'],
    ['a double-encoded dot (decoded only once)', '/%252e'],
    ['an encoded NUL', '/a%00b'],
    ['an encoded newline', '/a%0Ab'],
    ['an encoded RTL override', '/abc%E2%80%AEtxt'],
    ['an empty name', '/'],
    ['a double slash', '//doc'],
    ['a trailing slash', '/doc/'],
    ['an encoded leading slash', '/%2Fdoc'],
    ['a path that does not start with /', 'notes'],
  ])('refuses %s', (_what, path) => {
    expect(errorCodeOf(() => docNameFromPath(path))).toBe('doc-name-invalid');
  });

  it.each([['/%E0%A4%A'], ['/%'], ['/%zz'], ['/%C3']])(
    'refuses the bad percent-encoding %s',
    (path) => {
      expect(errorCodeOf(() => docNameFromPath(path))).toBe('doc-name-invalid');
    },
  );

  it('refuses a path whose decoded name is too long', () => {
    expect(errorCodeOf(() => docNameFromPath(`/${'%61'.repeat(DOC_NAME_MAX_LENGTH + 1)}`))).toBe(
      'doc-name-too-long',
    );
  });
});
