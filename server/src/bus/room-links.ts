/**
 * Every open room's bus link (bus/room-link.ts), and the two catch-ups that concern all of them:
 *
 * - The periodic head check: every `catchUpIntervalMs`, one storage query reads the head seq of
 *   every open document, and each room behind its head catches up. This heals what no gap can
 *   show: a lost last message (the document goes idle right after it), and any message missed
 *   with a store whose seqs are not gapless. It is also the retry of a failed catch-up.
 * - A bus reconnect (DocumentBus.onReconnect): whatever was published during the outage was
 *   missed, so every open room catches up. Restarting or flushing Redis costs latency, never
 *   data.
 */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { DocumentBus } from './adapter.js';
import { catchUpReader, type CatchUpReader } from './catch-up.js';
import { RoomBusLink, type CatchUpReason } from './room-link.js';

export interface RoomBusLinksOptions {
  bus: DocumentBus;
  storage: StorageAdapter;
  log: Logger;
  metrics: Metrics;
  /** Period of the head check (QuireServerOptions.busCatchUpIntervalMs). */
  catchUpIntervalMs: number;
}

export class RoomBusLinks {
  private readonly links = new Set<RoomBusLink>();
  private readonly reader: CatchUpReader;
  private readonly timer: NodeJS.Timeout;
  private readonly stopReconnects: () => void;
  private checking = false;
  private checkFailing = false;

  constructor(private readonly options: RoomBusLinksOptions) {
    this.reader = catchUpReader(options.storage);
    this.timer = setInterval(() => void this.checkHeads(), options.catchUpIntervalMs);
    this.timer.unref();
    const remove = options.bus.onReconnect?.(() => this.catchUpAll('reconnect'));
    this.stopReconnects = remove ? () => void remove() : () => {};
  }

  /** A link for a room about to load: subscribing, and waited for at most SUBSCRIBE_WAIT_MS
   * (retrying-subscription.ts: the bus being down never keeps a document from opening). Never
   * rejects. */
  async open(docName: string): Promise<RoomBusLink> {
    const link = new RoomBusLink(docName, {
      bus: this.options.bus,
      reader: this.reader,
      gapless: this.options.storage.gaplessSeqs === true,
      log: this.options.log,
      metrics: this.options.metrics,
      onClose: (l) => this.links.delete(l),
    });
    this.links.add(link);
    await link.ready();
    return link;
  }

  /** Catches every open room up from storage. */
  catchUpAll(reason: CatchUpReason): void {
    for (const link of this.links) void link.catchUp(reason);
  }

  /** One head query for every open room; the rooms behind catch up. Never rejects; a failure
   * is logged (once per run of failures) and the next period tries again. */
  async checkHeads(): Promise<void> {
    if (this.checking || this.links.size === 0) return;
    this.checking = true;
    const { log } = this.options;
    try {
      const links = [...this.links];
      const heads = await this.reader.heads([...new Set(links.map((l) => l.docName))]);
      for (const link of links) {
        const head = heads.get(link.docName);
        if (head !== undefined && link.behind(head)) void link.catchUp('check');
      }
      if (this.checkFailing) log.info('bus head check works again');
      this.checkFailing = false;
    } catch (error) {
      if (!this.checkFailing) {
        log.warn('bus head check failed; retrying', { error: errorMessage(error) });
      }
      this.checkFailing = true;
      this.options.metrics.busCatchUpFailures++;
    } finally {
      this.checking = false;
    }
  }

  /** Stops the periodic check and the reconnect listener (shutdown); links close with their
   * rooms. */
  stop(): void {
    clearInterval(this.timer);
    this.stopReconnects();
  }
}
