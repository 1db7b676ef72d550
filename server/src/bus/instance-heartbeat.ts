/**
 * Which other instances are alive, so the presence of a crashed one's clients disappears within
 * seconds rather than lingering (a stock client only drops a silent peer after 30 s, and a
 * server would keep showing it to every new joiner).
 *
 * Each instance announces a heartbeat on the bus's instance channel at once and every
 * `intervalMs`; an instance not heard from for `timeoutMs` (heartbeats or any presence message)
 * is gone, and so is one that says goodbye (a clean close). A timed-out instance that is heard
 * from again was stalled, not dead: `onBack` lets the rooms ask for its presence anew. A
 * goodbye is final for that id until it heartbeats again (a restart reusing it): its late
 * presence messages are ignored, so they cannot bring back a ghost.
 *
 * A bus without an instance channel (DocumentBus.announce is optional) gets no heartbeats: an
 * instance is then gone after 30 s without any message, the clients' own awareness timeout,
 * which a live instance never reaches because its clients renew their state every 15 s.
 */
import type { DocumentBus, InstanceEnvelope } from './adapter.js';
import { errorMessage, type Logger } from '../log.js';

/** Default of `busHeartbeatIntervalMs`. */
export const DEFAULT_BUS_HEARTBEAT_INTERVAL_MS = 2_500;
/** Default of `busHeartbeatTimeoutMs`: three intervals, so one or two lost heartbeats are not a
 * death, and a crash is noticed within about 10 s (the timeout plus one sweep). */
export const DEFAULT_BUS_HEARTBEAT_TIMEOUT_MS = 7_500;
/** Without an instance channel: y-protocols' awareness timeout. */
export const SILENT_INSTANCE_TIMEOUT_MS = 30_000;
/** Backoff between attempts to subscribe to the instance channel: first, doubling, to last. */
const SUBSCRIBE_RETRY_MS = [250, 10_000] as const;
/** Departed instance ids remembered (the oldest is forgotten first). */
const MAX_REMEMBERED_GONE = 1_024;

export type GoneReason = 'timeout' | 'goodbye';

export interface InstanceHeartbeatOptions {
  bus: DocumentBus;
  intervalMs: number;
  timeoutMs: number;
  log: Logger;
  onGone(instanceId: string, reason: GoneReason): void;
  onBack(instanceId: string): void;
  now?: () => number;
}

export class InstanceHeartbeat {
  private readonly lastHeard = new Map<string, number>();
  private readonly gone = new Map<string, GoneReason>();
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: Promise<(() => Promise<void>) | null> = Promise.resolve(null);
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private wake: () => void = () => {};
  private sweepMs = 0;
  private lastSweep = 0;

  constructor(private readonly options: InstanceHeartbeatOptions) {
    const announces = options.bus.announce && options.bus.subscribeInstances;
    this.timeoutMs = announces
      ? options.timeoutMs
      : Math.max(options.timeoutMs, SILENT_INSTANCE_TIMEOUT_MS);
    this.now = options.now ?? Date.now;
  }

  /** Listens for the other instances and starts announcing this one. */
  start(): void {
    const { bus, intervalMs } = this.options;
    this.unsubscribe = this.subscribeUntilLive(SUBSCRIBE_RETRY_MS[0]);
    const beat = () => bus.announce?.({ kind: 'heartbeat' });
    beat();
    this.sweepMs = Math.max(1, Math.floor(Math.min(intervalMs, this.timeoutMs) / 2));
    this.lastSweep = this.now();
    this.timers = [setInterval(beat, intervalMs), setInterval(() => this.sweep(), this.sweepMs)];
    for (const timer of this.timers) timer.unref();
  }

  /** Any message from `instanceId` proves it alive. False: it said goodbye, ignore the message. */
  heard(instanceId: string): boolean {
    if (this.stopped) return false;
    const gone = this.gone.get(instanceId);
    if (gone === 'goodbye') return false;
    this.alive(instanceId);
    return true;
  }

  /** Instances currently believed alive (for tests and metrics). */
  get alivePeers(): string[] {
    return [...this.lastHeard.keys()];
  }

  /** Says goodbye (the others drop this instance's presence at once) and stops. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    if (this.retry) clearTimeout(this.retry);
    this.wake();
    this.options.bus.announce?.({ kind: 'goodbye' });
    const unsubscribe = await this.unsubscribe;
    await unsubscribe?.().catch(() => {});
  }

  private onAnnouncement({ instanceId, message }: InstanceEnvelope): void {
    if (this.stopped) return;
    if (message.kind === 'heartbeat') {
      this.alive(instanceId);
      return;
    }
    this.lastHeard.delete(instanceId);
    if (this.gone.get(instanceId) === 'goodbye') return;
    this.remember(instanceId, 'goodbye');
    this.notify(() => this.options.onGone(instanceId, 'goodbye'));
  }

  private alive(instanceId: string): void {
    const wasGone = this.gone.delete(instanceId);
    this.lastHeard.set(instanceId, this.now());
    if (wasGone) this.notify(() => this.options.onBack(instanceId));
  }

  private sweep(): void {
    const now = this.now();
    const late = now - this.lastSweep > 2 * this.sweepMs;
    this.lastSweep = now;
    // This process was stalled itself (a long GC, a blocked event loop): the others' heartbeats
    // may be waiting unread in its socket, so their silence proves nothing yet. Next round.
    if (late) return;
    for (const [instanceId, heard] of this.lastHeard) {
      if (now - heard <= this.timeoutMs) continue;
      this.lastHeard.delete(instanceId);
      this.remember(instanceId, 'timeout');
      this.options.log.info('bus instance silent; dropping its presence', {
        instance: instanceId,
        silentMs: now - heard,
      });
      this.notify(() => this.options.onGone(instanceId, 'timeout'));
    }
  }

  /** Until it is live no heartbeat is heard (remote presence expires, then comes back with the
   * next message: onBack), so a failed attempt is retried with backoff. Logged once. */
  private async subscribeUntilLive(delayMs: number): Promise<(() => Promise<void>) | null> {
    const { bus, log } = this.options;
    if (!bus.subscribeInstances) return null;
    for (let failed = false; !this.stopped;) {
      try {
        const unsubscribe = await bus.subscribeInstances((e) => this.onAnnouncement(e));
        if (failed) log.info('instance channel subscribed');
        return unsubscribe;
      } catch (error) {
        if (!failed) {
          log.warn('instance channel subscription failed; retrying', {
            error: errorMessage(error),
          });
        }
        failed = true;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.retry = setTimeout(resolve, delayMs);
          this.retry.unref();
        });
        delayMs = Math.min(delayMs * 2, SUBSCRIBE_RETRY_MS[1]);
      }
    }
    return null;
  }

  /** A listener that throws must not stop the sweep or reach the bus. */
  private notify(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.options.log.error('instance listener failed', { error: errorMessage(error) });
    }
  }

  private remember(instanceId: string, reason: GoneReason): void {
    this.gone.delete(instanceId);
    this.gone.set(instanceId, reason);
    if (this.gone.size > MAX_REMEMBERED_GONE) {
      this.gone.delete(this.gone.keys().next().value!);
    }
  }
}
