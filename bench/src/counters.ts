/**
 * What the load generator saw on the wire during a measurement window, summed over all its
 * sockets: frames and bytes each way (bytes include WebSocket frame headers), and the logical
 * deliveries (one document update or one awareness change reaching one recipient other than its
 * author) that the CPU cost is divided by.
 */
export class Counters {
  framesIn = 0;
  bytesIn = 0;
  framesOut = 0;
  bytesOut = 0;
  updateDeliveries = 0;
  awarenessDeliveries = 0;

  reset(): void {
    this.framesIn = 0;
    this.bytesIn = 0;
    this.framesOut = 0;
    this.bytesOut = 0;
    this.updateDeliveries = 0;
    this.awarenessDeliveries = 0;
  }

  clone(): Counters {
    return Object.assign(new Counters(), this);
  }

  get deliveries(): number {
    return this.updateDeliveries + this.awarenessDeliveries;
  }
}

/** Writer-to-reader latency: the writer stamps each update's first struct id when it sends it,
 * every reader looks the id up when the update arrives. One process, one clock. */
export class LatencyRecorder {
  private readonly sentAt = new Map<string, number>();
  readonly samples: number[] = [];
  /** When the update behind `samples[i]` was sent: a scenario with phases (a baseline, then a
   * flood) splits the samples by when the keystroke was typed, not by when it arrived. */
  readonly sampleSentAt: number[] = [];
  recording = false;

  sent(id: string, at: number): void {
    if (this.recording) this.sentAt.set(id, at);
  }

  received(id: string, at: number): void {
    const sent = this.sentAt.get(id);
    if (sent === undefined) return;
    this.samples.push(at - sent);
    this.sampleSentAt.push(sent);
  }

  /** The samples of updates sent in [from, to). */
  samplesSentBetween(from: number, to: number): number[] {
    return this.samples.filter((_, i) => {
      const sent = this.sampleSentAt[i] ?? NaN;
      return sent >= from && sent < to;
    });
  }
}
