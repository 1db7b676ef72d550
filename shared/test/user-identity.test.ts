import { describe, expect, it } from 'vitest';
import {
  USER_NAME_MAX_LENGTH,
  isValidColor,
  sanitizeColor,
  sanitizeUserName,
} from '../src/index.js';

describe('sanitizeUserName', () => {
  it('keeps an ordinary name, including non-Latin letters and emoji', () => {
    expect(sanitizeUserName('Zoë Ōtani 🦊')).toBe('Zoë Ōtani 🦊');
  });

  it.each([
    ['NUL and other C0 controls', 'Al\u0000i\u0007ce', 'Alice'],
    ['newlines and tabs', 'Ali\r\nce\t', 'Alice'],
    ['C1 controls', 'Ali\u0085ce\u009b', 'Alice'],
    ['an RTL override and its pop', '\u202eecilA\u202c', 'ecilA'],
    ['bidi embeddings', '\u202aAli\u202bce', 'Alice'],
    ['bidi isolates', '\u2066Ali\u2067ce\u2069', 'Alice'],
    ['left-to-right and right-to-left marks', 'Ali\u200ece\u200f', 'Alice'],
    ['zero-width spaces and joiners', 'A\u200bli\u200cc\u200de', 'Alice'],
    ['a byte-order mark and a word joiner', '\ufeffAli\u2060ce', 'Alice'],
    ['line and paragraph separators', 'Ali\u2028ce\u2029', 'Alice'],
    ['the Arabic letter mark (a bidi control)', 'Ali\u061cce', 'Alice'],
    ['a soft hyphen', 'Ali\u00adce', 'Alice'],
    ['the Mongolian vowel separator', 'Ali\u180ece', 'Alice'],
    ['interlinear annotation marks', 'Ali\ufff9c\ufffbe', 'Alice'],
    ['Unicode tag characters (invisible text smuggling)', 'Alice\u{e0041}\u{e0042}', 'Alice'],
    ['lone surrogates', 'Ali\ud800ce\udfff', 'Alice'],
  ])('removes %s', (_what, input, expected) => {
    expect(sanitizeUserName(input)).toBe(expected);
  });

  it('strips Hangul fillers and the braille blank, so a name cannot look empty', () => {
    expect(sanitizeUserName('\u3164\u3164', 'Anonymous')).toBe('Anonymous');
    expect(sanitizeUserName('\u2800')).toBe('Anonymous');
    expect(sanitizeUserName('A\uffa0da')).toBe('Ada');
  });

  it('trims surrounding whitespace', () => {
    expect(sanitizeUserName('   Alice  ')).toBe('Alice');
  });

  it(`caps the name at ${USER_NAME_MAX_LENGTH} characters without splitting an emoji`, () => {
    expect(sanitizeUserName('a'.repeat(1_000_000))).toBe('a'.repeat(USER_NAME_MAX_LENGTH));
    const emoji = sanitizeUserName('🦊'.repeat(USER_NAME_MAX_LENGTH + 10));
    expect([...emoji]).toHaveLength(USER_NAME_MAX_LENGTH);
    expect(emoji).toBe('🦊'.repeat(USER_NAME_MAX_LENGTH));
  });

  it('falls back when nothing visible is left, or the value is not a string', () => {
    expect(sanitizeUserName('')).toBe('Anonymous');
    expect(sanitizeUserName(' \u200b\u202e\u0000 ')).toBe('Anonymous');
    expect(sanitizeUserName(undefined)).toBe('Anonymous');
    expect(sanitizeUserName(42)).toBe('Anonymous');
    expect(sanitizeUserName({ toString: () => 'Mallory' })).toBe('Anonymous');
    expect(sanitizeUserName(null, 'Guest')).toBe('Guest');
  });

  it('leaves markup as text: escaping is the renderer’s job, stripping would hide intent', () => {
    expect(sanitizeUserName('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
});

describe('colors', () => {
  it.each(['#30bced', '#000000', '#FFFFFF', '#a1B2c3'])('accepts %s', (color) => {
    expect(isValidColor(color)).toBe(true);
  });

  it.each([
    'red',
    '#fff',
    '#12345g',
    '#1234567',
    ' #123456',
    '#123456 ',
    '#123456\n',
    'red;background:url(//evil)',
    '#123456;background:url(//evil)',
    'rgb(0,0,0)',
    '',
    42,
    null,
    undefined,
  ])('rejects %j', (color) => {
    expect(isValidColor(color)).toBe(false);
  });

  it('rejects a non-string that stringifies to a valid color', () => {
    expect(isValidColor(['#123456'])).toBe(false);
    expect(isValidColor({ toString: () => '#123456' })).toBe(false);
  });

  it('sanitizes to lowercase #rrggbb, or the fallback', () => {
    expect(sanitizeColor('#A1B2C3')).toBe('#a1b2c3');
    expect(sanitizeColor('red;background:url(//evil)')).toBe('#6b7280');
    expect(sanitizeColor(undefined, '#123456')).toBe('#123456');
  });
});
