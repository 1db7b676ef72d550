import { describe, expect, it } from 'vitest';
import { USER_NAME_MAX_LENGTH, sanitizeUserName } from '../src/user-identity.js';

describe('sanitizeUserName fast path', () => {
  it('returns clean printable-ASCII names unchanged', () => {
    for (const name of ['a', 'Ada Lovelace', 'x'.repeat(USER_NAME_MAX_LENGTH), "O'Neil <3 ~!"]) {
      expect(sanitizeUserName(name)).toBe(name);
    }
  });

  it('still cleans names the fast path does not cover', () => {
    expect(sanitizeUserName(' padded ')).toBe('padded');
    expect(sanitizeUserName('x'.repeat(USER_NAME_MAX_LENGTH + 1))).toBe(
      'x'.repeat(USER_NAME_MAX_LENGTH),
    );
    expect(sanitizeUserName('tab\there')).toBe('tabhere');
    expect(sanitizeUserName('bidi\u202eevil')).toBe('bidievil');
    expect(sanitizeUserName('   ')).toBe('Anonymous');
    expect(sanitizeUserName('')).toBe('Anonymous');
    expect(sanitizeUserName('Zoë')).toBe('Zoë');
  });
});
