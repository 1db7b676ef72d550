/**
 * One write to Redis per turn for everything the RedisBus publishes in it.
 *
 * ioredis writes each command to its socket as it is issued, so a group commit that stores the
 * changes of twenty documents at once publishes them with twenty write syscalls. On loopback a
 * write also runs the kernel's delivery to Redis in the writer's time: in a three-instance
 * scale-out profile the publisher's `writeBuffer` was 4 % of each instance's busy time, half of
 * what publishing cost. Corking the socket on the first publish of a turn and uncorking it in
 * the next tick (after the turn's microtasks, where the group commit's publishes run) hands
 * Node's stream every command of the turn at once, which it writes with one `writev`.
 *
 * Nothing is delayed past the current turn, commands stay in order (one socket, one queue), and
 * ioredis's accounting of each command (its promise, its reply) is untouched: only when bytes
 * reach the socket changes. While the connection is down ioredis keeps commands in its offline
 * queue instead of writing them, and the stream it will use is a new one: corking it then would
 * hold nothing, so only a ready connection's stream is corked.
 */
import type { Redis } from 'ioredis';

export class TurnWriteBatch {
  /** The stream corked this turn, uncorked in the next tick. */
  private corked: { uncork(): void } | null = null;

  constructor(private readonly client: Redis) {}

  /** Call before each command of the turn is issued. */
  hold(): void {
    if (this.corked || this.client.status !== 'ready') return;
    const stream = this.client.stream;
    if (!stream || !stream.writable) return;
    stream.cork();
    this.corked = stream;
    process.nextTick(() => this.release());
  }

  /** Writes what the turn queued (also on close, so nothing stays corked). */
  release(): void {
    const stream = this.corked;
    this.corked = null;
    stream?.uncork();
  }
}
