/**
 * Who the client is, as the per-IP limits, the access hook and the logs see it. The socket
 * peer, unless that peer is a trusted proxy (access/trusted-proxies.ts): then the address the
 * proxy forwarded, from `X-Forwarded-For` or, when a request has none, RFC 7239 `Forwarded: for=`.
 *
 * Each proxy appends the address it saw, so the header reads "client, proxy1, proxy2" and only
 * its right end was written by proxies we trust; anything to the left of the first untrusted hop
 * is whatever that hop said, and a client can say anything. So the list is read from the right,
 * skipping trusted proxies, and the first untrusted hop is the client. A header that cannot be
 * read (a hop that is not an IP address, an obfuscated `for=_x` or `for=unknown`) is a proxy
 * set up wrong: the socket address is used, with a warning naming the proxy.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from '../log.js';
import { canonicalIp, type TrustedProxies } from './trusted-proxies.js';

export interface ClientAddress {
  /** The client's IP address (the socket peer's, or what a trusted proxy forwarded). */
  address: string;
  /** The trusted proxy's own address, when `address` came from its forwarding header. */
  proxy?: string;
}

/** A hop is logged with at most this much of its text (it may be anything a proxy passed on). */
const MAX_LOGGED_HOP = 100;

export function resolveClientAddress(
  socketAddress: string | undefined,
  headers: IncomingHttpHeaders,
  trusted: TrustedProxies,
  log: Logger,
): ClientAddress {
  const peer = socketAddress ?? 'unknown';
  if (!trusted.has(peer)) return { address: peer };
  const forwardedFor = headerText(headers['x-forwarded-for']);
  const forwarded = headerText(headers.forwarded);
  let header: string;
  let hops: string[];
  if (forwardedFor !== undefined) {
    header = 'x-forwarded-for';
    hops = forwardedFor.split(',').map(stripPort);
  } else if (forwarded !== undefined) {
    header = 'forwarded';
    hops = forwardedForHops(forwarded).map(stripPort);
  } else {
    // A trusted peer speaking for itself (a health check on the proxy host).
    return { address: peer };
  }
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? '';
    const address = canonicalIp(hop);
    if (address === null) {
      log.warn('forwarded client address is not an IP address; using the socket address', {
        header,
        hop: hop.slice(0, MAX_LOGGED_HOP),
        proxy: peer,
      });
      return { address: peer };
    }
    // The first hop no trusted proxy vouches for is the client; when every hop is a trusted
    // proxy, the leftmost is as far back as anyone we trust has seen.
    if (i === 0 || !trusted.has(address)) return { address, proxy: peer };
  }
  return { address: peer };
}

const resolved = new WeakMap<IncomingMessage, ClientAddress>();

/** resolveClientAddress for one request, once: the upgrade and the access check it runs both
 * ask, and a bad header is logged once. */
export function clientAddressOf(
  req: IncomingMessage,
  trusted: TrustedProxies,
  log: Logger,
): ClientAddress {
  let client = resolved.get(req);
  if (!client) {
    client = resolveClientAddress(req.socket.remoteAddress, req.headers, trusted, log);
    resolved.set(req, client);
  }
  return client;
}

/** Node joins repeated headers with ", ", which is also how both headers list hops. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `192.0.2.1:4711` → `192.0.2.1`, `[2001:db8::1]:4711` or `[2001:db8::1]` → `2001:db8::1`
 * (some proxies add the client's port); anything else is returned trimmed, as it is. */
function stripPort(hop: string): string {
  const text = hop.trim();
  const bracketed = /^\[([^\]]*)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return bracketed[1] ?? '';
  return /^[\d.]+:\d{1,5}$/.test(text) ? text.slice(0, text.lastIndexOf(':')) : text;
}

/** The `for=` value of each element of a `Forwarded` header, unquoted; '' for an element
 * without one (RFC 7239: `for=192.0.2.43, for="[2001:db8:cafe::17]:4711";proto=https`). */
function forwardedForHops(header: string): string[] {
  return splitOutsideQuotes(header, ',').map((element) => {
    for (const pair of splitOutsideQuotes(element, ';')) {
      const eq = pair.indexOf('=');
      if (eq < 0 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
      const value = pair.slice(eq + 1).trim();
      return value.startsWith('"') && value.endsWith('"') && value.length >= 2
        ? value.slice(1, -1).replace(/\\(.)/g, '$1')
        : value;
    }
    return '';
  });
}

function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && quoted) i++;
    else if (char === '"') quoted = !quoted;
    else if (char === separator && !quoted) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
