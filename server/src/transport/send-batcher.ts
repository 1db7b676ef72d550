/**
 * Coalesces every frame sent to one socket during one event-loop turn into a single write.
 *
 * ws writes each frame as its own writev() syscall, and on a busy relay that syscall (plus, on
 * loopback, the receiver's TCP work the kernel does in the sender's context) is most of the cost
 * of a delivery. A keystroke reaches a reader as two frames (the update and the cursor awareness)
 * that arrive in the same turn, and under load many more pile up per turn. So the first frame of a
 * turn for a socket corks its net.Socket, and one setImmediate uncorks every socket corked in that
 * turn, after all input read in the turn was handled: Node then hands the kernel one writev per
 * socket per turn. No timer per connection, and no delay beyond the current turn.
 */
import { releaseSharedFrame } from './ws-frame.js';

/** The part of net.Socket the batcher uses. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class SendBatcher {
  private readonly corked = new Set<Corkable>();
  private scheduled = false;

  /** Call right before writing a frame to `socket`: that frame, and any other frame for the same
   * socket in this turn, is written when the turn ends. */
  hold(socket: Corkable): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes everything held so far. */
  readonly flush = (): void => {
    this.scheduled = false;
    const sockets = [...this.corked];
    this.corked.clear();
    releaseSharedFrame(); // the turn's broadcasts are done: no reason to keep the last frame
    // Uncorking a socket that was destroyed meanwhile is a no-op.
    for (const socket of sockets) socket.uncork();
  };
}

/** One batcher for the process: a turn is per process, whichever server a socket belongs to. */
export const sendBatcher = new SendBatcher();
