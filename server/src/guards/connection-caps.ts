/**
 * Connection budgets counted at the upgrade, before the 101: in total, per client IP and per
 * token subject. A slot is reserved before the WebSocket handshake completes, so a burst of
 * concurrent upgrades cannot overshoot a cap, and released when the TCP socket closes.
 */
export interface ConnectionCapLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxConnectionsPerPrincipal: number;
  /** Addresses the per-IP cap does not apply to (a local reverse proxy). Compared with the
   * client address the upgrade resolved: behind a trusted proxy (trustProxy), the forwarded one,
   * so the proxy's own loopback address no longer exempts everyone behind it. */
  ipCapExemptAddresses: readonly string[];
}

export type CapVerdict =
  { ok: true; release: () => void } | { ok: false; status: 429 | 503; reason: string };

export class ConnectionCaps {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private readonly perPrincipal = new Map<string, number>();

  private readonly exempt: ReadonlySet<string>;

  constructor(private readonly limits: ConnectionCapLimits) {
    this.exempt = new Set(limits.ipCapExemptAddresses);
  }

  get size(): number {
    return this.total;
  }

  tryReserve(ip: string, principal: string | undefined): CapVerdict {
    if (this.total >= this.limits.maxConnections) {
      return { ok: false, status: 503, reason: 'server is at its connection limit; retry later' };
    }
    const countIp = !this.exempt.has(ip);
    if (countIp && (this.perIp.get(ip) ?? 0) >= this.limits.maxConnectionsPerIp) {
      return { ok: false, status: 429, reason: 'too many connections from this address' };
    }
    if (
      principal !== undefined &&
      (this.perPrincipal.get(principal) ?? 0) >= this.limits.maxConnectionsPerPrincipal
    ) {
      return { ok: false, status: 429, reason: 'too many connections for this user' };
    }
    this.total++;
    if (countIp) increment(this.perIp, ip);
    if (principal !== undefined) increment(this.perPrincipal, principal);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        if (countIp) decrement(this.perIp, ip);
        if (principal !== undefined) decrement(this.perPrincipal, principal);
      },
    };
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Deletes keys that reach zero, so the maps stay as small as the set of connected clients. */
function decrement(map: Map<string, number>, key: string): void {
  const next = (map.get(key) ?? 1) - 1;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}
