/**
 * A typist: a real Y.Doc whose local edits (one character per keystroke, at its own cursor) are
 * sent as the Yjs updates the doc produces, each followed by a cursor awareness change, like an
 * editor with presence. Remote edits are applied to the same doc.
 */
import * as Y from 'yjs';
import { BenchClient, REMOTE, type BenchClientOptions } from './bench-client.js';
import { TEXT_NAME } from './traces.js';
import { firstStructId } from './wire.js';

const ALPHABET = 'etaoin shrdlu cmfwyp vbgkqjxz';

export class Typist {
  readonly doc = new Y.Doc();
  readonly client: BenchClient;
  readonly text: Y.Text;
  updatesSent = 0;
  private cursor = 0;
  private readonly user: { name: string; color: string };

  /** `textName`: the Y.Text typed into (the demo editor's is 'codemirror'). */
  constructor(
    options: Omit<BenchClientOptions, 'doc' | 'awarenessState'>,
    index: number,
    textName = TEXT_NAME,
  ) {
    this.text = this.doc.getText(textName);
    this.user = { name: `typist-${index}`, color: '#3366cc' };
    this.client = new BenchClient({ ...options, doc: this.doc, awarenessState: this.presence() });
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      const id = firstStructId(update);
      if (id !== null) options.latency?.sent(id, performance.now());
      this.updatesSent++;
      this.client.sendUpdate(update);
    });
  }

  /** One keystroke: a character at the cursor, then the moved cursor. */
  type(): void {
    const length = this.text.length;
    if (this.cursor > length) this.cursor = length;
    const char = ALPHABET[Math.floor(Math.random() * ALPHABET.length)] ?? 'e';
    this.text.insert(this.cursor, char);
    this.cursor++;
    this.client.sendAwareness(this.presence());
  }

  /** A paste: `content` inserted at the cursor as one update. */
  paste(content: string): void {
    this.text.insert(Math.min(this.cursor, this.text.length), content);
    this.cursor += content.length;
  }

  private presence(): unknown {
    return { user: this.user, cursor: { anchor: this.cursor, head: this.cursor } };
  }
}

/** Resolution of the typing clock; keystrokes due within one tick are sent together. */
const TICK_MS = 5;

/** Makes every typist type at `keysPerSecond` on average, each interval jittered ±50% so the
 * typists do not type in lockstep; returns the function that stops them. */
export function startTyping(typists: readonly Typist[], keysPerSecond: number): () => void {
  const meanInterval = 1000 / keysPerSecond;
  const now = performance.now();
  const due = typists.map(() => now + Math.random() * meanInterval);
  const timer = setInterval(() => {
    const t = performance.now();
    typists.forEach((typist, i) => {
      if ((due[i] ?? Infinity) > t) return;
      typist.type();
      due[i] = t + meanInterval * (0.5 + Math.random());
    });
  }, TICK_MS);
  return () => clearInterval(timer);
}
