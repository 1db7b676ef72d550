/** Document name ↔ export file name (commands/file-names.ts): reversible, safe, and free of
 * collisions even where the file system ignores case. */
import { describe, expect, it } from 'vitest';
import { canonicalDocName } from '@quire/shared';
import {
  decodeDocumentName,
  encodeDocumentName,
  MAX_ENCODED_LENGTH,
} from '../../src/commands/file-names.js';

const AWKWARD = [
  'notes',
  'team-a/plan',
  'team-a/Plan',
  'TEAM-A/PLAN',
  'a.b_c-d/e.f',
  'Ünïcödé/名前',
  'e\u0301', // NFC turns it into é; the canonical form is what is stored and exported
  '1/2/3/4/5/6/7/8',
  'x'.repeat(128),
];

describe('export file names', () => {
  it('decode back to the document name, and hold only safe characters', () => {
    for (const raw of AWKWARD) {
      const name = canonicalDocName(raw);
      const file = encodeDocumentName(name);
      expect(file).toMatch(/^[a-z0-9_.%A-F-]+$/);
      expect(file.startsWith('.')).toBe(false);
      expect(decodeDocumentName(file)).toBe(name);
    }
  });

  it('differ for names that differ only in case, also when compared without case', () => {
    const files = AWKWARD.map((n) => encodeDocumentName(canonicalDocName(n)).toLowerCase());
    expect(new Set(files).size).toBe(AWKWARD.length);
    expect(encodeDocumentName('team-a/Plan')).toBe('team-a%2F%50lan');
  });

  it('stay under the file-name limit for the longest names, and still do not collide', () => {
    const long = (c: string) => canonicalDocName(`${'名'.repeat(127)}${c}`);
    const a = encodeDocumentName(long('a'));
    const b = encodeDocumentName(long('b'));
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(MAX_ENCODED_LENGTH);
    expect(a).toMatch(/~[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
    // The hashed form is not a decodable name (the export's manifest names it instead).
    expect(decodeDocumentName(a)).toBeNull();
  });

  it('refuse file names that are not an encoding of a name', () => {
    for (const foreign of ['Plan', 'a b', '%61', '%ZZ', '%C3', '']) {
      expect(decodeDocumentName(foreign)).toBeNull();
    }
  });
});
