/**
 * Whether PostgresStorage can reach PostgreSQL: a circuit breaker, so an outage costs the write
 * path one timeout, not one per append.
 *
 * Every call reports how it ended (`observe`). A failure that says the server is unreachable (a
 * refused or dropped connection, a connect or answer timeout, the server shutting down) opens the
 * breaker: from then on every call fails at once with the reason, and a probe (`SELECT 1`) retries
 * with backoff. Without that, each append of an outage would wait for its own timeout, and since
 * a room relays an update only after its write settles, local editing would stall with it. The
 * first successful probe closes the breaker and tells the listeners (the persistence layer then
 * repairs every document it could not save).
 *
 * While reachable and idle, a probe also runs every `checkIntervalMs` unless a call succeeded
 * within it, so readiness turns false during an outage even when no one writes.
 */

/** First delay between probes of an unreachable server, in ms; it doubles per failed probe. */
export const PROBE_INITIAL_MS = 100;
/** Longest delay between probes: saving resumes within about this long of the server's return,
 * at one cheap query per interval meanwhile. */
export const PROBE_MAX_MS = 2_000;
/** Default idle reachability check interval, in ms. */
export const DEFAULT_CHECK_INTERVAL_MS = 5_000;

type Listener = (reason: string | null) => void;

export class PostgresHealth {
  /** For readiness: why the server counts as unreachable. */
  private reason: string | null = null;
  /** For the calls that fail fast: the error that opened the breaker, naming the server. */
  private failure: string | null = null;
  /** A backoff probe is running (while unreachable). */
  private probing = false;
  /** An idle check is running (while reachable). */
  private checking = false;
  private attempt = 0;
  private lastSuccess = Date.now();
  private probeTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly listeners = new Set<Listener>();

  /** `probe` resolves when the server answered a trivial query. */
  constructor(
    private readonly server: string,
    private readonly probe: () => Promise<void>,
    private readonly checkIntervalMs = DEFAULT_CHECK_INTERVAL_MS,
  ) {}

  /** Why the server counts as unreachable, or null while it does not. */
  get unreachableReason(): string | null {
    return this.reason;
  }

  /** Starts the idle check (once the store is ready). */
  start(): void {
    if (this.stopped || this.checkTimer || this.checkIntervalMs <= 0) return;
    this.checkTimer = setInterval(() => this.checkIdle(), this.checkIntervalMs);
    this.checkTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.checkTimer = this.probeTimer = null;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Throws while the server is unreachable (the fail-fast path), with the error that said so. */
  check(): void {
    if (this.failure !== null) throw new Error(this.failure);
  }

  /** Passes `work` through, noting how it ended. */
  async observe<T>(work: Promise<T>): Promise<T> {
    try {
      const result = await work;
      this.lastSuccess = Date.now();
      return result;
    } catch (error) {
      if (isUnreachable(error)) this.markUnreachable(error);
      throw error;
    }
  }

  private markUnreachable(error: unknown): void {
    if (this.reason !== null || this.stopped) return;
    const detail = oneLine(error).replace(/^cannot reach PostgreSQL at \S+: /, '');
    this.failure = `cannot reach PostgreSQL at ${this.server}: ${detail}`;
    this.reason = `postgresql unreachable at ${this.server}: ${detail}`;
    this.attempt = 0;
    this.emit(this.reason);
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped || this.probeTimer || this.probing) return;
    const base = Math.min(PROBE_MAX_MS, PROBE_INITIAL_MS * 2 ** this.attempt);
    this.probeTimer = setTimeout(() => void this.runProbe(), base / 2 + Math.random() * (base / 2));
    this.probeTimer.unref();
  }

  private async runProbe(): Promise<void> {
    this.probeTimer = null;
    this.probing = true;
    let ok = true;
    try {
      await this.probe();
    } catch {
      ok = false;
    }
    this.probing = false;
    if (this.stopped) return;
    if (ok) {
      this.lastSuccess = Date.now();
      this.reason = this.failure = null;
      this.attempt = 0;
      this.emit(null);
      return;
    }
    this.attempt++;
    this.scheduleProbe();
  }

  private checkIdle(): void {
    if (this.reason !== null || this.checking) return;
    if (Date.now() - this.lastSuccess < this.checkIntervalMs) return;
    this.checking = true;
    void this.observe(this.probe())
      .catch(() => {})
      .finally(() => (this.checking = false));
  }

  private emit(reason: string | null): void {
    for (const listener of this.listeners) listener(reason);
  }
}

/** `work`, or a rejection saying PostgreSQL did not answer in time (work's own end is then
 * ignored). */
export function withDeadline<T>(work: Promise<T>, ms: number, server: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`cannot reach PostgreSQL at ${server}: did not answer within ${ms} ms`)),
      ms,
    );
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages pg (and this store) use for a connection that failed, died or timed out. */
const UNREACHABLE_MESSAGE =
  /cannot reach PostgreSQL|did not answer within|Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable|ECONNREFUSED|ECONNRESET/i;

/** Whether `error` says the server cannot be reached (rather than refusing one statement). */
export function isUnreachable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (e instanceof AggregateError && e.errors.some(isUnreachable)) return true;
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code)) return true;
      // SQLSTATE class 08: connection exception; 57P01–57P03: shutting down or starting up.
      if (code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
    }
    if (typeof message === 'string' && UNREACHABLE_MESSAGE.test(message)) return true;
    e = cause;
  }
  return false;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.replace(/\s+/g, ' ');
}
