/**
 * A flooding editor: a real Y.Doc that sends a burst of one-character transactions, each its own
 * Yjs update and its own WebSocket message, as fast as the load generator can produce them (a
 * script, a stuck key repeat, a buggy plugin). Its characters are all FLOOD_CHAR, a character
 * the typists never type, so a replica's count of it tells how much of the burst it holds.
 */
import * as Y from 'yjs';
import { BenchClient, REMOTE, type BenchClientOptions } from './bench-client.js';
import { TEXT_NAME } from './traces.js';

/** Not in the typists' alphabet (typist.ts). */
export const FLOOD_CHAR = '#';
/** Updates sent per event-loop turn. Sending all of them in one turn would freeze the load
 * generator for hundreds of milliseconds, and every reader's arrival stamps with it; between
 * slices the generator reads its sockets, so the flooder still sends as fast as it can while
 * the latencies measured stay the server's. */
const SLICE = 500;

export class Flooder {
  readonly doc = new Y.Doc();
  readonly client: BenchClient;
  /** Updates handed to the socket so far. */
  sent = 0;
  private readonly text = this.doc.getText(TEXT_NAME);
  private cursor = 0;

  constructor(options: Omit<BenchClientOptions, 'doc' | 'awarenessState'>) {
    this.client = new BenchClient({
      ...options,
      // No latency stamps: the flood is the load; the other users' keystrokes are what is timed.
      latency: undefined,
      doc: this.doc,
      awarenessState: { user: { name: 'flooder', color: '#cc3333' } },
    });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      this.sent++;
      this.client.sendUpdate(update);
    });
  }

  get clientID(): number {
    return this.doc.clientID;
  }

  /** Sends `count` one-character updates at the flooder's cursor; resolves when all were handed
   * to the socket (or the socket closed). What the server applied is for the readers to tell. */
  async burst(count: number): Promise<void> {
    for (let done = 0; done < count && this.client.isOpen;) {
      const end = Math.min(count, done + SLICE);
      for (; done < end; done++) {
        this.text.insert(Math.min(this.cursor, this.text.length), FLOOD_CHAR);
        this.cursor++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
