/**
 * Presence across instances for one server: a PresenceLink per loaded room, and the instance
 * heartbeat that says when another instance is gone (its clients' states leave every room at
 * once) or back after a stall (every room asks for its presence again). After a bus outage every
 * room announces everything it has, and drops, once the other instances had `timeoutMs` to do
 * the same, the states of those that did not (they closed the room meanwhile: their removal was
 * published into the outage and lost).
 */
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Room } from '../room/room.js';
import type { DocumentBus } from './adapter.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';
import { PresenceBatchClock } from './presence-batch.js';
import { PresenceLink } from './presence-link.js';

export interface BusPresenceOptions {
  bus: DocumentBus;
  log: Logger;
  metrics: Metrics;
  /** busPresenceBatchMs */
  batchMs: number;
  /** busHeartbeatIntervalMs */
  heartbeatIntervalMs: number;
  /** busHeartbeatTimeoutMs */
  heartbeatTimeoutMs: number;
}

export class BusPresence {
  private readonly links = new Set<PresenceLink>();
  private readonly heartbeat: InstanceHeartbeat;
  /** One clock for every room's presence batch: their messages leave in one turn. */
  private readonly batch: PresenceBatchClock;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopListening: () => void = () => {};

  constructor(private readonly options: BusPresenceOptions) {
    this.batch = new PresenceBatchClock(options.batchMs, options.log);
    this.heartbeat = new InstanceHeartbeat({
      bus: options.bus,
      intervalMs: options.heartbeatIntervalMs,
      timeoutMs: options.heartbeatTimeoutMs,
      log: options.log,
      onGone: (instanceId) => {
        options.metrics.busInstancesGone++;
        for (const link of this.links) link.removeInstance(instanceId);
      },
      onBack: () => {
        for (const link of this.links) link.query();
      },
    });
  }

  start(): void {
    this.heartbeat.start();
    this.stopListening = this.options.bus.onReconnect?.(() => this.reconnected()) ?? (() => {});
  }

  /** The presence link of a room that just loaded; it asks the others for their presence. */
  open(room: Room): PresenceLink {
    const link = new PresenceLink(room, {
      bus: this.options.bus,
      log: this.options.log,
      metrics: this.options.metrics,
      batch: this.batch,
      heard: (instanceId) => this.heartbeat.heard(instanceId),
      now: Date.now,
      onClose: (closed) => this.links.delete(closed),
    });
    this.links.add(link);
    link.query();
    return link;
  }

  /** Says goodbye; call after the rooms closed (their links published their last removals). */
  async close(): Promise<void> {
    this.stopListening();
    this.batch.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.heartbeat.stop();
  }

  private reconnected(): void {
    const since = Date.now();
    for (const link of this.links) link.announceEverything();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const link of this.links) link.dropSilentSince(since);
    }, this.options.heartbeatTimeoutMs);
    timer.unref();
    this.timers.add(timer);
  }
}
