import { describe, expect, it } from 'vitest';
import { CloseCode, FATAL_CLOSE_CODES, closeCodeName } from '../src/index.js';

describe('close codes', () => {
  it('keeps the documented numbers (clients and the README depend on them)', () => {
    expect(CloseCode).toEqual({
      GoingAway: 1001,
      UnsupportedData: 1003,
      InternalError: 1011,
      BadMessage: 4400,
      Unauthenticated: 4401,
      Forbidden: 4403,
      HandshakeTimeout: 4408,
      TooLarge: 4413,
      RateLimited: 4429,
    });
  });

  it('gives every code a distinct number in a range a server may send', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      // RFC 6455 §7.4: 1005, 1006 and 1015 must never be sent in a close frame.
      expect([1005, 1006, 1015]).not.toContain(code);
      expect(code >= 1000 && code <= 4999).toBe(true);
    }
  });

  it('marks exactly bad message, unauthenticated and forbidden as fatal (no auto-retry)', () => {
    expect([...FATAL_CLOSE_CODES].sort()).toEqual([4400, 4401, 4403]);
    for (const retryable of [1001, 1003, 1006, 1011, 4408, 4413, 4429]) {
      expect(FATAL_CLOSE_CODES.has(retryable)).toBe(false);
    }
  });

  it('names known codes and labels unknown ones', () => {
    expect(closeCodeName(4403)).toBe('Forbidden');
    expect(closeCodeName(1001)).toBe('GoingAway');
    expect(closeCodeName(4999)).toBe('Unknown(4999)');
  });
});
