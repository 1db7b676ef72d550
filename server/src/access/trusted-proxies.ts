/**
 * The socket peers allowed to say who the client is (`trustProxy` / `--trust-proxy`): IP
 * addresses and CIDR ranges, IPv4 and IPv6. Behind a reverse proxy every request comes from the
 * proxy's address; only a peer listed here may name the real client in a forwarding header
 * (access/client-address.ts), so nobody else can pick the address the per-IP limits count.
 *
 * An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, what a dual-stack socket reports for an IPv4
 * peer) is the same address as its IPv4 form, in both the list and the addresses checked.
 */

/** An address as bytes: 4 for IPv4, 16 for IPv6 (never an IPv4-mapped one: those become 4). */
type IpBytes = Uint8Array;

interface Range {
  base: IpBytes;
  prefixBits: number;
}

export class TrustedProxies {
  private constructor(private readonly ranges: readonly Range[]) {}

  /** Nobody is trusted: forwarding headers are ignored (the default). */
  static readonly none = new TrustedProxies([]);

  /** Parses `127.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`…; each entry that is not an IP address
   * or CIDR range is a problem (the caller says which option it came from). */
  static parse(entries: readonly string[]): { proxies: TrustedProxies; problems: string[] } {
    const ranges: Range[] = [];
    const problems: string[] = [];
    for (const entry of entries) {
      const range = parseRange(entry.trim());
      if (range) ranges.push(range);
      else {
        problems.push(
          `"${entry.slice(0, 100)}" is not an IP address or CIDR range ` +
            '(a host name is not accepted): use e.g. 127.0.0.1, ::1 or 10.0.0.0/8',
        );
      }
    }
    return { proxies: new TrustedProxies(ranges), problems };
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** Whether `address` (a socket's `remoteAddress`, or a hop of a forwarding header) is one of
   * the trusted proxies. Anything that is not an IP address is not. */
  has(address: string): boolean {
    if (this.ranges.length === 0) return false;
    const bytes = parseIp(address);
    return bytes !== null && this.ranges.some((range) => inRange(range, bytes));
  }
}

/** `address` in one spelling per address: dotted IPv4 (also for IPv4-mapped IPv6), compressed
 * lowercase IPv6 (RFC 5952); null when it is not an IP address. So two spellings of one address
 * are counted as one by the per-IP limits. */
export function canonicalIp(address: string): string | null {
  const bytes = parseIp(address);
  return bytes === null ? null : formatIp(bytes);
}

function parseRange(text: string): Range | null {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const raw = addressText.includes(':') ? parseIpv6(addressText) : parseIpv4(addressText);
  if (raw === null) return null;
  const maxBits = raw.length * 8;
  let prefixBits = maxBits;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxBits) return null;
    prefixBits = Number(prefixText);
  }
  // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8. A shorter prefix covers more than the
  // mapped block, so it stays an IPv6 range (IPv4 addresses are compared in their mapped form).
  if (isMapped(raw) && prefixBits >= 96) {
    return { base: raw.slice(12), prefixBits: prefixBits - 96 };
  }
  return { base: raw, prefixBits };
}

function inRange(range: Range, address: IpBytes): boolean {
  let bytes = address;
  if (range.base.length !== bytes.length) {
    if (bytes.length !== 4) return false;
    bytes = mapped(bytes);
  }
  const whole = Math.floor(range.prefixBits / 8);
  for (let i = 0; i < whole; i++) if (bytes[i] !== range.base[i]) return false;
  const rest = range.prefixBits % 8;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] ?? 0) & mask) === ((range.base[whole] ?? 0) & mask);
}

/** An IP address as bytes, IPv4-mapped IPv6 as IPv4; null when `text` is not one. */
function parseIp(text: string): IpBytes | null {
  if (!text.includes(':')) return parseIpv4(text);
  const bytes = parseIpv6(text);
  return bytes !== null && isMapped(bytes) ? bytes.slice(12) : bytes;
}

/** Four decimal octets, no leading zeros (some parsers read `010` as octal: refuse to guess). */
function parseIpv4(text: string): IpBytes | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] ?? '';
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

function parseIpv6(input: string): IpBytes | null {
  // fe80::1%eth0: the zone names the local interface a link-local peer is on, not the address.
  const zone = input.indexOf('%');
  let text = zone < 0 ? input : input.slice(0, zone);
  let ipv4Tail: IpBytes | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // ::ffff:192.0.2.1 — the last 32 bits written as IPv4: two groups' worth.
    ipv4Tail = parseIpv4(text.slice(lastColon + 1));
    if (ipv4Tail === null) return null;
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const groups = [...head, ...new Array<string>(8 - given).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const group = groups[i] ?? '';
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    const value = parseInt(group, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  }
  if (ipv4Tail) bytes.set(ipv4Tail, 12);
  return bytes;
}

function isMapped(bytes: IpBytes): boolean {
  if (bytes.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function mapped(ipv4: IpBytes): IpBytes {
  const bytes = new Uint8Array(16);
  bytes[10] = 0xff;
  bytes[11] = 0xff;
  bytes.set(ipv4, 12);
  return bytes;
}

function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: the longest run of two or more zero groups (the first of equals) becomes `::`.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
