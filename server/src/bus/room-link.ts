/**
 * One loaded room's connection to the bus: subscribed before the room's state is read from
 * storage (so nothing published in between is missed), messages buffered until the room exists,
 * then other instances' stored changes applied with the 'bus' origin (relayed to this instance's
 * peers, neither stored nor published again: room/change-origin.ts). A message that fails is
 * logged and counted and never affects another document.
 */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Room } from '../room/room.js';
import type { BusEnvelope, DocumentBus } from './adapter.js';

export class RoomBusLink {
  private room: Room | null = null;
  private buffered: BusEnvelope[] | null = [];
  private unsubscribe: (() => Promise<void>) | null = null;

  private constructor(
    private readonly bus: DocumentBus,
    private readonly docName: string,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {}

  /** Subscribes for `docName`; resolves once the subscription is live. */
  static async open(
    bus: DocumentBus,
    docName: string,
    log: Logger,
    metrics: Metrics,
  ): Promise<RoomBusLink> {
    const link = new RoomBusLink(bus, docName, log, metrics);
    link.unsubscribe = await bus.subscribe(docName, (envelope) => link.receive(envelope));
    return link;
  }

  /** The room is loaded: apply what arrived meanwhile (applying twice is harmless), then live. */
  attach(room: Room): void {
    this.room = room;
    const buffered = this.buffered ?? [];
    this.buffered = null;
    for (const envelope of buffered) this.receive(envelope);
  }

  /** A change this instance stored: the other instances' doorbell. */
  publish(update: Uint8Array): void {
    this.bus.publish(this.docName, { kind: 'update', update });
  }

  async close(): Promise<void> {
    this.room = null;
    this.buffered = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    await unsubscribe?.().catch((error: unknown) => {
      this.log.warn('bus unsubscribe failed', { doc: this.docName, error: errorMessage(error) });
    });
  }

  private receive(envelope: BusEnvelope): void {
    if (this.buffered) {
      this.buffered.push(envelope);
      return;
    }
    const room = this.room;
    if (!room || envelope.message.kind !== 'update') return; // presence crosses with scale-out
    this.metrics.busMessagesReceived++;
    try {
      if (room.apply(envelope.message.update, { kind: 'bus' }) === 'refused') {
        this.metrics.busMessagesRefused++;
        this.log.warn('bus update refused', { doc: this.docName, from: envelope.instanceId });
      }
    } catch (error) {
      this.metrics.busMessagesRefused++;
      this.log.error('bus message failed', { doc: this.docName, error: errorMessage(error) });
    }
  }
}
