/** One direction of a proxied TCP connection (see fault-proxy.ts): reads from `src`, holds each
 * chunk for the added latency, meters it through a token bucket for the bandwidth cap, and writes
 * it to `dst`. It stops reading whenever it stops forwarding, so backpressure reaches the sender
 * as it would on a real slow or stalled link instead of piling up in this process. */
import type net from 'node:net';

export interface LinkSettings {
  /** Added one-way delay for every chunk. */
  latencyMs: number;
  /** Throughput cap; null = as fast as the loopback goes. */
  bytesPerSecond: number | null;
  /** Neither forward nor read: the sender's window fills. */
  stalled: boolean;
}

/** Bytes held here before reading stops (so a capped link pushes back on the sender early). */
const MAX_QUEUED_BYTES = 64 * 1024;
/** Smallest write under a cap, so a slow link still sends whole-ish segments, not 1-byte ones. */
const MIN_METERED_WRITE = 512;
/** Time the receiver gets to read a partial chunk before the RST that follows it. */
const PART_READ_GRACE_MS = 20;

export class Pipe {
  private readonly queue: { chunk: Buffer; due: number }[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private waitingForDrain = false;
  private frozen = false;
  private srcEnded = false;
  private endSent = false;
  private tokens = 0;
  private refilledAt = Date.now();
  private partWaiters: ((forwardedPart: boolean) => void)[] = [];

  constructor(
    private readonly src: net.Socket,
    private readonly dst: net.Socket,
    private readonly settings: () => LinkSettings,
    private readonly onForwarded: (bytes: number) => void,
  ) {
    src.on('data', (chunk: Buffer) => this.receive(chunk));
    src.on('end', () => this.endWhenDrained());
    this.pump();
  }

  /** Ends `dst` once everything queued is forwarded (the sender sent its FIN). */
  endWhenDrained(): void {
    this.srcEnded = true;
    this.pump();
  }

  /** Stops this direction for good: nothing more is read or written, no FIN is passed on. */
  freeze(): void {
    this.frozen = true;
    this.clearTimer();
    if (!this.src.destroyed) this.src.pause();
    for (const resolve of this.partWaiters.splice(0)) resolve(false);
  }

  /** Forwards the first half of the next chunk (queued or arriving), then freezes. Resolves true
   * once that part is in the kernel, false if this direction froze first. */
  forwardPartOfNextChunk(): Promise<boolean> {
    return new Promise((resolve) => {
      this.partWaiters.push(resolve);
      this.pump();
    });
  }

  pump(): void {
    if (this.frozen || this.dst.destroyed) return;
    if (this.partWaiters.length > 0) {
      this.forwardPart();
      return;
    }
    const settings = this.settings();
    if (settings.stalled) {
      this.clearTimer();
      this.src.pause();
      return;
    }
    while (this.queue.length > 0 && !this.waitingForDrain) {
      const head = this.queue[0]!;
      const now = Date.now();
      if (head.due > now) {
        this.schedule(head.due - now);
        break;
      }
      let size = head.chunk.length;
      if (settings.bytesPerSecond !== null) {
        this.refill(settings.bytesPerSecond, now);
        const needed = Math.min(size, MIN_METERED_WRITE);
        if (this.tokens < needed) {
          this.schedule(((needed - this.tokens) / settings.bytesPerSecond) * 1000);
          break;
        }
        size = Math.min(size, Math.floor(this.tokens));
        this.tokens -= size;
      } else {
        this.refilledAt = now;
        this.tokens = 0;
      }
      const piece = size === head.chunk.length ? head.chunk : head.chunk.subarray(0, size);
      if (size === head.chunk.length) this.queue.shift();
      else head.chunk = head.chunk.subarray(size);
      this.queuedBytes -= size;
      this.onForwarded(size);
      if (!this.dst.write(piece)) {
        this.waitingForDrain = true;
        this.dst.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
      }
    }
    if (this.queue.length === 0 && this.srcEnded && !this.endSent) {
      this.endSent = true;
      this.dst.end();
    }
    if (this.queuedBytes < MAX_QUEUED_BYTES && !this.src.destroyed) this.src.resume();
  }

  private receive(chunk: Buffer): void {
    if (this.frozen) return;
    this.queue.push({ chunk, due: Date.now() + this.settings().latencyMs });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes >= MAX_QUEUED_BYTES) this.src.pause();
    this.pump();
  }

  private forwardPart(): void {
    const head = this.queue[0];
    if (!head) {
      // Nothing in flight yet: keep reading so the next chunk arrives, forward nothing meanwhile.
      this.src.resume();
      return;
    }
    const waiters = this.partWaiters.splice(0);
    const part = head.chunk.subarray(0, Math.floor(head.chunk.length / 2));
    this.freeze();
    if (part.length === 0) {
      for (const resolve of waiters) resolve(false);
      return;
    }
    this.onForwarded(part.length);
    // The receiver must read the part before the RST arrives: Linux drops unread data on a reset.
    this.dst.write(part, () => {
      setTimeout(() => {
        for (const resolve of waiters) resolve(true);
      }, PART_READ_GRACE_MS);
    });
  }

  private refill(bytesPerSecond: number, now: number): void {
    // A burst of 50 ms worth keeps the cap smooth without starving small frames.
    const burst = Math.max(MIN_METERED_WRITE * 2, bytesPerSecond / 20);
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * bytesPerSecond);
    this.refilledAt = now;
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
