/** Unit tests of the security building blocks, without sockets. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import {
  AccessDeniedError,
  resolveOptions,
  ConfigError,
  tokenFromRequest,
} from '../../src/index.js';
import { ConnectionCaps } from '../../src/guards/connection-caps.js';
import { ConnectionRateLimiter } from '../../src/guards/rate-limiter.js';
import { sweepSessions } from '../../src/access/session-sweep.js';
import { UpdateGuard } from '../../src/guards/update-guard.js';
import { checkAwarenessState } from '../../src/guards/awareness-state.js';
import { createTokenAuthorize } from '../../src/access/token-authorize.js';
import { docPatternMatches, signToken, verifyToken } from '../../src/access/token.js';
import { TEST_SECRET } from './harness.js';
import { textUpdate } from './attack.js';

describe('ConnectionCaps', () => {
  const limits = {
    maxConnections: 5,
    maxConnectionsPerIp: 2,
    maxConnectionsPerPrincipal: 3,
    ipCapExemptAddresses: ['::1'],
  };
  it('counts totals, per IP and per principal, and releases exactly once', () => {
    const caps = new ConnectionCaps(limits);
    const a = caps.tryReserve('1.1.1.1', 'alice');
    const b = caps.tryReserve('1.1.1.1', undefined);
    expect(a.ok && b.ok).toBe(true);
    expect(caps.tryReserve('1.1.1.1', undefined)).toMatchObject({ ok: false, status: 429 });
    expect(caps.tryReserve('2.2.2.2', 'alice').ok).toBe(true);
    expect(caps.tryReserve('3.3.3.3', 'alice').ok).toBe(true);
    expect(caps.tryReserve('4.4.4.4', 'alice')).toMatchObject({ ok: false, status: 429 });
    expect(caps.tryReserve('::1', 'bob').ok).toBe(true);
    expect(caps.tryReserve('::1', 'bob')).toMatchObject({ ok: false, status: 503 });
    if (a.ok) {
      a.release();
      a.release();
    }
    expect(caps.size).toBe(4);
    expect(caps.tryReserve('1.1.1.1', undefined).ok).toBe(true);
  });
});

describe('ConnectionRateLimiter', () => {
  const limits = { messagesPerSecond: 10, messageBurst: 5, bytesPerSecond: 1_000, byteBurst: 500 };

  it('takes the message burst at once, then says how long to wait to be back in budget', () => {
    const limiter = new ConnectionRateLimiter(limits, 0);
    for (let i = 0; i < 5; i++) expect(limiter.charge(1, 0)).toBe(0);
    expect(limiter.charge(1, 0)).toBeCloseTo(100); // one message of debt at 10/s
    expect(limiter.charge(1, 0)).toBeCloseTo(200); // a message that arrives anyway deepens it
    expect(limiter.delay(150)).toBeCloseTo(50);
    expect(limiter.delay(200)).toBe(0);
    // Refills never go above the burst.
    for (let i = 0; i < 5; i++) expect(limiter.charge(1, 10_000)).toBe(0);
    expect(limiter.charge(1, 10_000)).toBeGreaterThan(0);
  });

  it('throttles on the byte budget even when the message budget has room', () => {
    const limiter = new ConnectionRateLimiter(limits, 0);
    expect(limiter.charge(400, 0)).toBe(0);
    expect(limiter.charge(200, 0)).toBeCloseTo(100); // 100 bytes of debt at 1,000 B/s
    expect(limiter.delay(100)).toBe(0);
    // A message bigger than the burst is still taken, followed by a longer wait.
    expect(limiter.charge(1_501, 100_000)).toBeCloseTo(1_001);
  });
});

describe('sweepSessions', () => {
  it('closes expired sessions with 4401 and silent new ones with 1013 (try again later)', () => {
    const closed: number[] = [];
    const session = (expiresAt: number | undefined, firstMessageDeadline: number | null) => ({
      expiresAt,
      firstMessageDeadline,
      close: (code: number) => closed.push(code),
    });
    sweepSessions(
      [
        session(1_000, null),
        session(5_000, 500),
        session(undefined, null),
        session(undefined, 2_000),
      ],
      1_000,
    );
    expect(closed).toEqual([CloseCode.Unauthenticated, CloseCode.TryAgainLater]);
  });
});

describe('UpdateGuard', () => {
  it('lets real updates through, tells gaps apart, and refuses size overruns and garbage', () => {
    const doc = new Y.Doc();
    const guard = new UpdateGuard(10_000);
    const first = textUpdate('hello', { clientID: 1 });
    expect(guard.check(doc, first, false)).toEqual({ ok: true });
    Y.applyUpdate(doc, first);
    const third = textUpdate('!', {
      clientID: 1,
      base: [first, textUpdate(' you', { clientID: 1, base: [first], index: 5 })],
      index: 9,
    });
    // A gap is not malformed: it is answered with a sync request (sync-gap.ts).
    expect(guard.check(doc, third, false)).toMatchObject({ ok: false, missing: true });
    expect(guard.check(doc, textUpdate('x'.repeat(20_000), { clientID: 2 }), false)).toMatchObject({
      ok: false,
      code: CloseCode.TooLarge,
    });
    // Viewers cannot grow the document, so their updates are not charged to its size.
    expect(guard.check(doc, textUpdate('x'.repeat(20_000), { clientID: 3 }), true)).toEqual({
      ok: true,
      nothingNew: false,
    });
    expect(guard.check(doc, Uint8Array.of(9, 9, 9), false)).toMatchObject({
      ok: false,
      code: CloseCode.BadMessage,
    });
  });
});

describe('UpdateGuard for viewers', () => {
  it('tells a harmless sync answer (known structs, already-deleted ranges) from a write', () => {
    const doc = new Y.Doc();
    doc.getText('text').insert(0, 'hello world');
    doc.getText('text').delete(0, 6);
    const guard = new UpdateGuard(1_000_000);
    // What a stock viewer answers to our sync step 1: its whole state, which we already have.
    expect(guard.check(doc, Y.encodeStateAsUpdate(doc), true)).toEqual({
      ok: true,
      nothingNew: true,
    });
    const replica = new Y.Doc();
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    const before = Y.encodeStateVector(replica);
    replica.getText('text').delete(0, 1); // a delete-only write
    const deletion = Y.encodeStateAsUpdate(replica, before);
    expect(guard.check(doc, deletion, true)).toEqual({ ok: true, nothingNew: false });
  });
});

describe('checkAwarenessState', () => {
  it('keeps clean states byte for byte and cleans names and colors', () => {
    const clean =
      '{"user":{"name":"Ada","color":"#30bced","colorLight":"#30bced33"},"cursor":null}';
    expect(checkAwarenessState(clean)).toEqual({ ok: true, json: clean });
    expect(checkAwarenessState('{"cursor":{"anchor":1}}')).toEqual({
      ok: true,
      json: '{"cursor":{"anchor":1}}',
    });
    const dirty = checkAwarenessState('{"user":{"name":" \\u202eEve ","color":"red;x:y"}}');
    expect(dirty.ok && JSON.parse(dirty.json)).toEqual({ user: { name: 'Eve', color: '#6b7280' } });
    expect(checkAwarenessState('{not json')).toEqual({ ok: false });
    expect(checkAwarenessState('{"user":"string"}')).toEqual({ ok: true, json: '{"user":null}' });
  });
});

describe('token authorize and config', () => {
  it('reads the token from ?token= or Authorization: Bearer', () => {
    expect(tokenFromRequest(new URL('http://x/d?token=abc'), {})).toBe('abc');
    expect(tokenFromRequest(new URL('http://x/d'), { authorization: 'Bearer xyz' })).toBe('xyz');
    expect(tokenFromRequest(new URL('http://x/d'), {})).toBeNull();
  });

  it('maps token problems to 401 and other documents to 403; grants the mode and expiry', async () => {
    const authorize = createTokenAuthorize(TEST_SECRET);
    const request = (docName: string, token?: string) => ({
      docName,
      url: new URL(`http://x/${docName}${token ? `?token=${token}` : ''}`),
      headers: {},
      remoteAddress: '1.2.3.4',
    });
    await expect(authorize(request('d'))).rejects.toMatchObject({ status: 401 });
    await expect(authorize(request('d', 'nope'))).rejects.toBeInstanceOf(AccessDeniedError);
    const ro = await signToken({ secret: TEST_SECRET, doc: 'd', mode: 'ro', sub: 'v' });
    await expect(authorize(request('e', ro))).rejects.toMatchObject({ status: 403 });
    const access = await authorize(request('d', ro));
    expect(access).toMatchObject({ mode: 'ro', principal: 'v' });
    expect(access.expiresAt).toBeGreaterThan(Date.now());
  });

  it('refuses a short secret, and secret together with authorize, in one ConfigError', () => {
    expect(() => resolveOptions({ secret: 'short' })).toThrow(ConfigError);
    expect(() =>
      resolveOptions({ secret: TEST_SECRET, authorize: () => ({ mode: 'rw' }) }),
    ).toThrow(/either secret/);
    expect(resolveOptions({ secret: TEST_SECRET }).authorize).toBeTypeOf('function');
  });
});

describe('tokens', () => {
  it('sign → verify round-trips the claims; patterns match by prefix', async () => {
    const t = await signToken({
      secret: TEST_SECRET,
      doc: 'team-a/*',
      mode: 'ro',
      sub: 'bob',
      name: 'Bob',
      ttlSeconds: 60,
    });
    const claims = await verifyToken(TEST_SECRET, t);
    expect(claims).toMatchObject({ doc: 'team-a/*', mode: 'ro', sub: 'bob', name: 'Bob' });
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(50);
    expect(docPatternMatches('team-a/*', 'team-a/x')).toBe(true);
    expect(docPatternMatches('team-a/*', 'team-ab')).toBe(false);
    expect(docPatternMatches('*', 'anything')).toBe(true);
    expect(docPatternMatches('doc', 'doc2')).toBe(false);
  });

  it('refuses short secrets, bad modes and invalid document patterns when signing', async () => {
    await expect(signToken({ secret: 'short', doc: 'a', mode: 'rw' })).rejects.toThrow(
      /at least 32/,
    );
    await expect(signToken({ secret: TEST_SECRET, doc: '../x', mode: 'rw' })).rejects.toThrow(
      /not a document name/,
    );
    await expect(
      signToken({ secret: TEST_SECRET, doc: 'a', mode: 'admin' as 'rw' }),
    ).rejects.toThrow(/rw or ro/);
  });
});
