/**
 * Readiness as a list of named checks, one per dependency in use (storage, PostgreSQL, Redis,
 * the webhook outbox…). /readyz answers 200 when every check passes and 503 naming each one
 * that fails, so a load balancer sends new editors elsewhere and an operator sees why:
 *
 *   { "ready": false, "status": "unready", "reason": "redis unreachable: …",
 *     "checks": { "server": "ok", "storage": "ok", "redis": "down: redis unreachable: …" } }
 *
 * `reason` is the first failing check's reason, in the order the checks were added (the most
 * important first: unsaved work matters more than cross-instance fan-out). A module adds its
 * check with one line: `readiness.add('name', () => problem or null)`.
 */
import { Gauge, type Registry } from 'prom-client';

/** A check returns why its dependency is not ready, or null when it is. May be async. */
export type ReadinessCheck = () => string | null | Promise<string | null>;

export interface ReadinessReport {
  ready: boolean;
  /** Kept from before the named checks, for probes that read it. */
  status: 'ready' | 'unready';
  /** The first failing check's reason; absent when ready. */
  reason?: string;
  /** Each check by name: "ok", or "down: <reason>". */
  checks: Record<string, string>;
}

/** Longest one check may take: a hung dependency must not hang the probe. */
export const READINESS_CHECK_TIMEOUT_MS = 2_000;

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  constructor(private readonly timeoutMs = READINESS_CHECK_TIMEOUT_MS) {}

  /** Adds (or replaces) the check called `name`. Names are fixed words, never document names:
   * they become metric labels too. */
  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async report(): Promise<ReadinessReport> {
    const entries = [...this.checks];
    const problems = await Promise.all(entries.map(([, check]) => runCheck(check, this.timeoutMs)));
    const checks: Record<string, string> = {};
    let reason: string | undefined;
    entries.forEach(([name], i) => {
      const problem = problems[i];
      checks[name] = problem === null || problem === undefined ? 'ok' : `down: ${problem}`;
      if (problem && reason === undefined) reason = problem;
    });
    return reason === undefined
      ? { ready: true, status: 'ready', checks }
      : { ready: false, status: 'unready', reason, checks };
  }

  /** `quire_ready{check}` on `registry`: 1 while the check passes, 0 while it fails. */
  registerMetric(registry: Registry): void {
    const report = () => this.report();
    new Gauge({
      name: 'quire_ready',
      help: 'Readiness by check (1 = ok, 0 = failing); /readyz answers 503 while any is 0.',
      labelNames: ['check'],
      registers: [registry],
      async collect() {
        const { checks } = await report();
        this.reset();
        for (const [name, state] of Object.entries(checks)) {
          this.set({ check: name }, state === 'ok' ? 1 : 0);
        }
      },
    });
  }
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`check did not answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return `check failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}
