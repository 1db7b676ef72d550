import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodeName, isFinalCloseCode } from '../src/index.js';

describe('close codes', () => {
  it('keeps the documented numbers (clients and the README depend on them)', () => {
    expect(CloseCode).toEqual({
      GoingAway: 1001,
      UnsupportedData: 1003,
      InternalError: 1011,
      TryAgainLater: 1013,
      BadMessage: 4400,
      Unauthenticated: 4401,
      Forbidden: 4403,
      TooLarge: 4413,
      Gone: 4410,
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

  it('uses the band stock clients treat as final only for what a retry cannot fix', () => {
    const final = Object.values(CloseCode).filter(isFinalCloseCode).sort();
    expect(final).toEqual([4400, 4401, 4403, 4410, 4413]);
    for (const retryable of [1001, 1003, 1006, 1011, 1012, 1013, 4399, 4500, 4599]) {
      expect(isFinalCloseCode(retryable)).toBe(false);
    }
  });

  it('names known codes and labels unknown ones', () => {
    expect(closeCodeName(4403)).toBe('Forbidden');
    expect(closeCodeName(1013)).toBe('TryAgainLater');
    expect(closeCodeName(4999)).toBe('Unknown(4999)');
  });
});
