/**
 * A document's bus subscription that never fails its room: an attempt that fails or hangs is
 * logged once, counted, and retried with backoff in the background until it is live or closed.
 * A load waits for it only a bounded time (`ready`), so the bus being down never keeps a
 * document from opening (bus/room-link.ts catches the room up once the subscription is live).
 */
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { BusHandler, DocumentBus } from './adapter.js';

/** How long a load waits for the subscription before it serves the room locally. */
export const SUBSCRIBE_WAIT_MS = 1_000;
/** Backoff between attempts after a failure: from the first delay, doubling, to the last. */
const SUBSCRIBE_RETRY_MS = [250, 10_000] as const;

export class RetryingSubscription {
  private live = false;
  private closed = false;
  private unsubscribe: (() => Promise<void>) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private wakeRetry: () => void = () => {};
  private readonly firstAttempt: Promise<void>;
  private settleFirstAttempt: () => void = () => {};

  /** Starts subscribing at once. `onLive` runs when an attempt succeeds (not after close). */
  constructor(
    private readonly bus: DocumentBus,
    private readonly docName: string,
    handler: BusHandler,
    private readonly deps: { log: Logger; metrics: Metrics; onLive(): void },
  ) {
    this.firstAttempt = new Promise((resolve) => (this.settleFirstAttempt = resolve));
    void this.subscribeUntilLive(handler);
  }

  /** Whether messages published now reach the handler. */
  get subscribed(): boolean {
    return this.live;
  }

  /** Resolves once the subscription is live, or its first attempt failed, or after
   * SUBSCRIBE_WAIT_MS. Never rejects. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SUBSCRIBE_WAIT_MS);
      timer.unref();
    });
    await Promise.race([this.firstAttempt, waited]);
    clearTimeout(timer);
  }

  /** Ends the subscription, or the attempts. Never rejects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settleFirstAttempt();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wakeRetry();
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    await unsubscribe?.().catch((error: unknown) => {
      this.deps.log.warn('bus unsubscribe failed', {
        doc: this.docName,
        error: errorMessage(error),
      });
    });
  }

  private async subscribeUntilLive(handler: BusHandler): Promise<void> {
    const { log, metrics } = this.deps;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        const unsubscribe = await this.bus.subscribe(this.docName, handler);
        if (this.closed) {
          await unsubscribe().catch(() => {});
          return;
        }
        this.unsubscribe = unsubscribe;
        this.live = true;
        this.settleFirstAttempt();
        if (attempt > 1) {
          log.info('bus subscription live', { doc: this.docName, attempts: attempt });
        }
        this.deps.onLive();
        return;
      } catch (error) {
        if (this.closed) return;
        metrics.busSubscribeFailures++;
        // Once per document: an outage would otherwise log every retry of every open one.
        if (attempt === 1) {
          log.warn('bus subscribe failed: serving the document locally, retrying', {
            doc: this.docName,
            error: errorMessage(error),
          });
        }
        this.settleFirstAttempt();
        const [first, last] = SUBSCRIBE_RETRY_MS;
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, Math.min(first * 2 ** (attempt - 1), last));
          this.retryTimer.unref();
        });
        this.retryTimer = null;
      }
    }
  }
}
