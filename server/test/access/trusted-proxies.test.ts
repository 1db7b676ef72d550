/** `trustProxy` entries: addresses and CIDR ranges, IPv4, IPv6 and IPv4-mapped IPv6. */
import { describe, expect, it } from 'vitest';
import { canonicalIp, TrustedProxies } from '../../src/access/trusted-proxies.js';
import { ConfigError, resolveOptions } from '../../src/config.js';

function trust(...entries: string[]): TrustedProxies {
  const { proxies, problems } = TrustedProxies.parse(entries);
  expect(problems).toEqual([]);
  return proxies;
}

describe('TrustedProxies', () => {
  it('trusts nobody by default', () => {
    expect(TrustedProxies.none.isEmpty).toBe(true);
    expect(TrustedProxies.none.has('127.0.0.1')).toBe(false);
    expect(resolveOptions({}).trustedProxies.has('127.0.0.1')).toBe(false);
  });

  it('matches single IPv4 addresses and CIDR ranges at their bit boundaries', () => {
    const proxies = trust('192.0.2.7', '10.0.0.0/8', '172.16.0.0/12', '198.51.100.128/25');
    expect(proxies.has('192.0.2.7')).toBe(true);
    expect(proxies.has('192.0.2.8')).toBe(false);
    expect(proxies.has('10.255.255.255')).toBe(true);
    expect(proxies.has('11.0.0.0')).toBe(false);
    expect(proxies.has('172.31.255.255')).toBe(true);
    expect(proxies.has('172.32.0.0')).toBe(false);
    expect(proxies.has('198.51.100.128')).toBe(true);
    expect(proxies.has('198.51.100.127')).toBe(false);
  });

  it('matches IPv6 addresses and ranges in any spelling, and ignores a zone', () => {
    const proxies = trust('::1', '2001:db8:abcd::/48', 'fe80::/10');
    expect(proxies.has('0:0:0:0:0:0:0:1')).toBe(true);
    expect(proxies.has('::2')).toBe(false);
    expect(proxies.has('2001:DB8:ABCD:12::1')).toBe(true);
    expect(proxies.has('2001:db8:abce::1')).toBe(false);
    expect(proxies.has('fe80::1%eth0')).toBe(true);
    expect(proxies.has('fec0::1')).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 address as its IPv4 form, in the list and in what is checked', () => {
    const v4 = trust('127.0.0.1', '10.0.0.0/8');
    expect(v4.has('::ffff:127.0.0.1')).toBe(true);
    expect(v4.has('::ffff:10.1.2.3')).toBe(true);
    expect(v4.has('::ffff:7f00:1')).toBe(true);
    expect(v4.has('::ffff:127.0.0.2')).toBe(false);
    const mapped = trust('::ffff:127.0.0.1', '::ffff:192.168.0.0/112');
    expect(mapped.has('127.0.0.1')).toBe(true);
    expect(mapped.has('192.168.4.5')).toBe(true);
    expect(mapped.has('192.169.0.0')).toBe(false);
    // A range wider than the mapped block still covers IPv4 peers in their mapped form.
    expect(trust('::/0').has('203.0.113.9')).toBe(true);
    expect(trust('0.0.0.0/0').has('2001:db8::1')).toBe(false);
  });

  it('names every entry that is not an address or range, with an example of one', () => {
    const { problems } = TrustedProxies.parse([
      'localhost',
      '10.0.0.0/33',
      '::1/129',
      '1.2.3',
      '010.0.0.1',
      '1.2.3.4/',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '',
      '127.0.0.1',
    ]);
    expect(problems).toHaveLength(9);
    expect(problems[0]).toBe(
      '"localhost" is not an IP address or CIDR range (a host name is not accepted): ' +
        'use e.g. 127.0.0.1, ::1 or 10.0.0.0/8',
    );
    expect(() => resolveOptions({ trustProxy: ['127.0.0.1', 'proxy.local'] })).toThrow(ConfigError);
    expect(() => resolveOptions({ trustProxy: ['proxy.local'] })).toThrow(
      /trustProxy entry "proxy\.local" is not an IP address or CIDR range/,
    );
    expect(resolveOptions({ trustProxy: ['127.0.0.1'] }).trustedProxies.has('127.0.0.1')).toBe(
      true,
    );
  });
});

describe('canonicalIp', () => {
  it('writes each address one way (so two spellings count as one client)', () => {
    expect(canonicalIp('192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(canonicalIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(canonicalIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(canonicalIp('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canonicalIp('1:0:2:3:4:5:6:7')).toBe('1:0:2:3:4:5:6:7');
    expect(canonicalIp('fe80::1%lo')).toBe('fe80::1');
    expect(canonicalIp('not-an-ip')).toBeNull();
    expect(canonicalIp('256.0.0.1')).toBeNull();
  });
});
