import { describe, expect, it } from 'vitest';
import { readTokenHints } from '../src/token-hints.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: unknown): string => `${b64url({ alg: 'HS256' })}.${b64url(claims)}.sig`;

describe('readTokenHints', () => {
  it('reads mode, expiry and a cleaned name from a JWT payload', () => {
    expect(readTokenHints(jwt({ doc: 'd', mode: 'ro', exp: 100, name: 'Ada\u202e' }))).toEqual({
      mode: 'ro',
      expiresAt: 100_000,
      name: 'Ada',
    });
  });
  it('gives no hints for missing, opaque or malformed tokens', () => {
    expect(readTokenHints(undefined)).toEqual({});
    expect(readTokenHints('opaque-token')).toEqual({});
    expect(readTokenHints('a.!!!.c')).toEqual({});
    expect(readTokenHints(jwt({ mode: 'admin', exp: 'soon' }))).toEqual({});
  });
});
