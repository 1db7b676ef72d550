/**
 * What the bus catch-up tests share: a test bus over the in-process LocalBus that loses or
 * delays the published messages a test picks, refuses subscriptions while "down", and hands subscribers
 * envelopes of any shape (garbage); and a handle on one MemoryStorage for each of several
 * servers (each server closes its store on shutdown; the handle's close leaves it open).
 */
import type {
  BusEnvelope,
  BusHandler,
  BusMessage,
  DocumentBus,
  LocalBus,
  MemoryStorage,
  StorageAdapter,
} from '../../src/index.js';

export class TestBus implements DocumentBus {
  readonly instanceId: string;
  /** Published messages for which this returns true never leave this instance. */
  drop: (docName: string, message: BusMessage) => boolean = () => false;
  /** Published messages are sent after this many ms (0: at once), so later ones can overtake
   * them, as messages of different publishers can on a real bus. */
  delay: (docName: string, message: BusMessage) => number = () => 0;
  /** While true, `subscribe` rejects, as a bus whose server is down does. */
  down = false;
  /** Messages this instance published, dropped or not. */
  readonly published: { docName: string; message: BusMessage }[] = [];
  private readonly handlers = new Map<string, Set<BusHandler>>();

  constructor(private readonly inner: LocalBus) {
    this.instanceId = inner.instanceId;
  }

  publish(docName: string, message: BusMessage): void {
    this.published.push({ docName, message });
    if (this.drop(docName, message)) return;
    const ms = this.delay(docName, message);
    if (ms <= 0) this.inner.publish(docName, message);
    else setTimeout(() => this.inner.publish(docName, message), ms).unref();
  }

  async subscribe(docName: string, handler: BusHandler): Promise<() => Promise<void>> {
    if (this.down) throw new Error('bus is down (test)');
    let set = this.handlers.get(docName);
    if (!set) this.handlers.set(docName, (set = new Set()));
    set.add(handler);
    const unsubscribe = await this.inner.subscribe(docName, handler);
    return async () => {
      set.delete(handler);
      await unsubscribe();
    };
  }

  /** Hands `envelope`, whatever its shape, to this instance's subscribers of `docName`. */
  inject(docName: string, envelope: unknown): void {
    for (const handler of this.handlers.get(docName) ?? []) handler(envelope as BusEnvelope);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Seqs of the update messages published for `docName`. */
export function publishedSeqs(bus: TestBus, docName: string): number[] {
  return bus.published
    .filter((p) => p.docName === docName && p.message.kind === 'update')
    .map((p) => (p.message as { seq?: number }).seq ?? -1);
}

/** One store for several servers: every method, catch-up reads included, and a close that
 * leaves the store open for the others. */
export function sharedStore(storage: MemoryStorage): StorageAdapter {
  return {
    gaplessSeqs: storage.gaplessSeqs,
    load: (name) => storage.load(name),
    append: (name, update) => storage.append(name, update),
    compact: (name, snapshot, cover) => storage.compact(name, snapshot, cover),
    readLogAfter: (name, afterSeq) => storage.readLogAfter(name, afterSeq),
    headSeqs: (names) => storage.headSeqs(names),
    sync: () => storage.sync(),
    list: (options) => storage.list(options),
    delete: (name) => storage.delete(name),
    close: async () => {},
  };
}
