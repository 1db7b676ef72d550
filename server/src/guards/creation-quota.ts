/**
 * A cap on how many new documents one principal (token subject) or client IP may create per
 * minute. Without it, one client could write into 100 000 distinct names and grow storage
 * without bound (threat model R6). A document counts as created by the first update that puts
 * content into an empty document, or by a `POST /api/docs` (http/api/docs-collection.ts), from
 * one budget; opening or viewing one costs nothing.
 */

/** Length of the counting window. */
export const CREATION_WINDOW_MS = 60_000;
/** Counters kept before expired ones are swept, so a flood of keys cannot grow the map. */
const SWEEP_AT_ENTRIES = 10_000;

export class CreationQuota {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perWindow: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one creation for `key` (null = exempt); false when the key is over its quota. */
  tryCharge(key: string | null): boolean {
    if (key === null) return true;
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.start >= CREATION_WINDOW_MS) {
      if (this.windows.size >= SWEEP_AT_ENTRIES) this.sweep(now);
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= this.perWindow) return false;
    window.count++;
    return true;
  }

  /** Gives back one creation charged to `key` (the API charges before its atomic create, so
   * racing requests cannot pass the quota, and refunds a create that found the name taken). */
  refund(key: string | null): void {
    if (key === null) return;
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count--;
  }

  /** Milliseconds until `key` may create again (0: now): the end of its current window. */
  retryAfterMs(key: string | null): number {
    const window = key === null ? undefined : this.windows.get(key);
    if (!window || window.count < this.perWindow) return 0;
    return Math.max(0, window.start + CREATION_WINDOW_MS - this.now());
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.start >= CREATION_WINDOW_MS) this.windows.delete(key);
    }
  }
}

/** Who pays for a creation: the token subject when there is one, else the client IP, unless
 * that IP is exempt (a local reverse proxy, like the per-IP connection cap). `remoteAddress` is
 * the resolved client address: behind a trusted proxy (trustProxy) the forwarded one, so the
 * exemption applies only to clients that really are local, not to everyone behind the proxy. */
export function creationQuotaKey(
  principal: string | undefined,
  remoteAddress: string,
  exemptAddresses: readonly string[],
): string | null {
  if (principal !== undefined) return `principal:${principal}`;
  return exemptAddresses.includes(remoteAddress) ? null : `ip:${remoteAddress}`;
}
