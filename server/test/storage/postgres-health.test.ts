/**
 * PostgresStorage's breaker (storage/postgres-health.ts) on its own, with a probe the test
 * controls and fake timers: which errors mean "unreachable", failing fast with the error that
 * opened it, probing with backoff until the server answers, telling listeners once each way, and
 * the idle check that notices an outage when nothing else runs.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isUnreachable, PostgresHealth } from '../../src/storage/postgres-health.js';

const coded = (code: string, message = `error ${code}`) =>
  Object.assign(new Error(message), { code });

describe('isUnreachable', () => {
  it('counts refused, dropped and timed-out connections and a server shutting down', () => {
    for (const error of [
      coded('ECONNREFUSED'),
      coded('ECONNRESET'),
      coded('57P01', 'terminating connection due to administrator command'),
      coded('57P03', 'the database system is starting up'),
      coded('08006', 'connection failure'),
      new Error('Connection terminated unexpectedly'),
      new Error('Query read timeout'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([coded('ECONNREFUSED')], ''),
      new Error('cannot reach PostgreSQL at 127.0.0.1:1/x: connect ECONNREFUSED'),
      new Error('outer', { cause: coded('ETIMEDOUT') }),
    ]) {
      expect(isUnreachable(error), String(error)).toBe(true);
    }
  });

  it('does not count a server that answered with a refusal', () => {
    for (const error of [
      coded('23514', 'new row violates check constraint'),
      coded('40P01', 'deadlock detected'),
      new Error('stored snapshot failed its checksum and no intact previous one exists'),
      new Error('storage is closed'),
    ]) {
      expect(isUnreachable(error), String(error)).toBe(false);
    }
  });
});

describe('PostgresHealth', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function breaker(checkIntervalMs = 0) {
    const probe = { fail: true, calls: 0 };
    const health = new PostgresHealth(
      'db:5432/quire',
      async () => {
        probe.calls++;
        if (probe.fail) throw coded('ECONNREFUSED');
      },
      checkIntervalMs,
    );
    const changes: (string | null)[] = [];
    health.onChange((reason) => changes.push(reason));
    return { health, probe, changes };
  }

  it('opens on an unreachable error, fails fast naming the server, and closes when a probe answers', async () => {
    const { health, probe, changes } = breaker();
    await expect(
      health.observe(Promise.reject(coded('ECONNRESET', 'read ECONNRESET'))),
    ).rejects.toThrow();
    expect(health.unreachableReason).toBe(
      'postgresql unreachable at db:5432/quire: read ECONNRESET',
    );
    expect(() => health.check()).toThrow(
      'cannot reach PostgreSQL at db:5432/quire: read ECONNRESET',
    );
    // Backoff: 100 ms doubling to 2 s at most (with jitter, at least half of each).
    await vi.advanceTimersByTimeAsync(10_000);
    const probesIn10s = probe.calls;
    expect(probesIn10s).toBeGreaterThanOrEqual(5);
    expect(probesIn10s).toBeLessThanOrEqual(15);
    probe.fail = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(health.unreachableReason).toBeNull();
    expect(() => health.check()).not.toThrow();
    expect(changes).toEqual(['postgresql unreachable at db:5432/quire: read ECONNRESET', null]);
    health.stop();
  });

  it('stays closed for refusals, and says an outage once however many calls fail', async () => {
    const { health, changes } = breaker();
    await expect(health.observe(Promise.reject(coded('23514')))).rejects.toThrow();
    expect(health.unreachableReason).toBeNull();
    for (let i = 0; i < 5; i++) {
      await expect(health.observe(Promise.reject(coded('ECONNREFUSED')))).rejects.toThrow();
    }
    expect(changes).toHaveLength(1);
    health.stop();
  });

  it('probes an idle store every interval and opens when the probe finds the server gone', async () => {
    const { health, probe } = breaker(1_000);
    probe.fail = false;
    health.start();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(probe.calls).toBeGreaterThanOrEqual(2);
    expect(health.unreachableReason).toBeNull();
    // A call that succeeded recently makes the next check unnecessary.
    const before = probe.calls;
    await health.observe(Promise.resolve());
    await vi.advanceTimersByTimeAsync(600);
    expect(probe.calls).toBe(before);
    probe.fail = true;
    await vi.advanceTimersByTimeAsync(2_500);
    expect(health.unreachableReason).toMatch(/^postgresql unreachable at db:5432\/quire: /);
    health.stop();
  });
});
