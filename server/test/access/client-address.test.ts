/** Who the client is behind a trusted proxy: X-Forwarded-For and Forwarded, read from the right. */
import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { clientAddressOf, resolveClientAddress } from '../../src/access/client-address.js';
import { TrustedProxies } from '../../src/access/trusted-proxies.js';
import type { LogFields, Logger } from '../../src/log.js';

function recordingLogger(): Logger & {
  lines: { level: string; message: string; fields?: LogFields }[];
} {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const trusted = TrustedProxies.parse(['127.0.0.1', '10.0.0.0/8', '2001:db8:cafe::/48']).proxies;

function resolve(peer: string, headers: IncomingHttpHeaders, proxies = trusted) {
  const log = recordingLogger();
  return { ...resolveClientAddress(peer, headers, proxies, log), lines: log.lines };
}

describe('resolveClientAddress', () => {
  it('ignores forwarding headers from a peer that is not a trusted proxy (spoofing)', () => {
    expect(resolve('198.51.100.7', { 'x-forwarded-for': '203.0.113.1' })).toEqual({
      address: '198.51.100.7',
      lines: [],
    });
    expect(resolve('198.51.100.7', { forwarded: 'for=203.0.113.1' }).address).toBe('198.51.100.7');
    // Nobody trusted (the default): even loopback's headers are ignored.
    expect(
      resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.1' }, TrustedProxies.none).address,
    ).toBe('127.0.0.1');
  });

  it('takes the forwarded address from a trusted proxy, also from an IPv4-mapped socket address', () => {
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.1' })).toEqual({
      address: '203.0.113.1',
      proxy: '127.0.0.1',
      lines: [],
    });
    expect(resolve('::ffff:127.0.0.1', { 'x-forwarded-for': '203.0.113.1' })).toMatchObject({
      address: '203.0.113.1',
      proxy: '::ffff:127.0.0.1',
    });
    // A trusted peer sending no header speaks for itself (a health check on the proxy host).
    expect(resolve('127.0.0.1', {})).toEqual({ address: '127.0.0.1', lines: [] });
  });

  it('walks a chain from the right, skipping trusted proxies, and stops at the first untrusted hop', () => {
    // Client → CDN edge 10.1.2.3 → nginx on this host.
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.1, 10.1.2.3' }).address).toBe(
      '203.0.113.1',
    );
    // A client that sends its own X-Forwarded-For through a proxy that appends to it gains
    // nothing: the proxy's entry for it is the rightmost untrusted one.
    expect(
      resolve('127.0.0.1', { 'x-forwarded-for': '1.1.1.1, 127.0.0.1, 198.51.100.4' }).address,
    ).toBe('198.51.100.4');
    // Every hop a trusted proxy: the leftmost is as far back as anyone trusted saw.
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '10.0.0.5, 10.0.0.6' }).address).toBe(
      '10.0.0.5',
    );
    // Repeated header lines are one list (Node joins them; an array is joined too).
    expect(
      resolve('127.0.0.1', {
        'x-forwarded-for': ['203.0.113.1', '10.0.0.9'] as unknown as string,
      }).address,
    ).toBe('203.0.113.1');
  });

  it('reads ports, brackets and IPv6 spellings, and answers in one spelling per address', () => {
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.1:4711' }).address).toBe(
      '203.0.113.1',
    );
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '[2001:DB8::0:1]:443' }).address).toBe(
      '2001:db8::1',
    );
    expect(resolve('127.0.0.1', { 'x-forwarded-for': '::ffff:203.0.113.1' }).address).toBe(
      '203.0.113.1',
    );
    expect(resolve('2001:db8:cafe::2', { 'x-forwarded-for': '2001:db8::7' }).address).toBe(
      '2001:db8::7',
    );
  });

  it('reads RFC 7239 Forwarded for= when there is no X-Forwarded-For, quoted and chained', () => {
    expect(
      resolve('127.0.0.1', {
        forwarded: 'for=192.0.2.43;proto=https, for="[2001:db8:cafe::17]:4711";by=10.0.0.1',
      }).address,
    ).toBe('192.0.2.43');
    expect(resolve('127.0.0.1', { forwarded: 'proto=https;For="198.51.100.9"' }).address).toBe(
      '198.51.100.9',
    );
    // X-Forwarded-For wins: a proxy that sets it passes a client's own Forwarded through.
    expect(
      resolve('127.0.0.1', { 'x-forwarded-for': '203.0.113.1', forwarded: 'for=192.0.2.1' })
        .address,
    ).toBe('203.0.113.1');
  });

  it('falls back to the socket address on a header it cannot read, with a warning naming the proxy', () => {
    const cases: IncomingHttpHeaders[] = [
      { 'x-forwarded-for': 'garbage' },
      { 'x-forwarded-for': '' },
      { 'x-forwarded-for': '203.0.113.1,, ' },
      { 'x-forwarded-for': '999.1.1.1' },
      { forwarded: 'for=unknown' },
      { forwarded: 'for="_hidden"' },
      { forwarded: 'proto=https' },
      { forwarded: 'for="[2001:db8::1' },
      { 'x-forwarded-for': `${'9'.repeat(5000)}` },
    ];
    for (const headers of cases) {
      const result = resolve('127.0.0.1', headers);
      expect(result.address).toBe('127.0.0.1');
      expect(result.lines).toHaveLength(1);
      expect(result.lines[0]).toMatchObject({
        level: 'warn',
        message: 'forwarded client address is not an IP address; using the socket address',
        fields: { proxy: '127.0.0.1' },
      });
      expect(String(result.lines[0]?.fields?.hop).length).toBeLessThanOrEqual(100);
    }
    // A bad hop left of the client is never read: the walk stops at the client.
    expect(resolve('127.0.0.1', { 'x-forwarded-for': 'garbage, 203.0.113.1' })).toMatchObject({
      address: '203.0.113.1',
      lines: [],
    });
  });
});

describe('clientAddressOf', () => {
  it('resolves a request once: the upgrade and its access check share the answer and one warning', () => {
    const log = recordingLogger();
    const req = {
      socket: { remoteAddress: '127.0.0.1' },
      headers: { 'x-forwarded-for': 'garbage' },
    } as unknown as IncomingMessage;
    const first = clientAddressOf(req, trusted, log);
    expect(clientAddressOf(req, trusted, log)).toBe(first);
    expect(log.lines).toHaveLength(1);
  });
});
