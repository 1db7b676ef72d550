/**
 * What the room unit tests run on: a MemoryStorage whose writes, fsyncs, loads and compactions a
 * test can hold or fail, a fake Peer that decodes what it is sent, and a room built the way the
 * registry builds one (a DocumentStore over that storage). Every step lands in one shared event
 * list, so a test can assert the order in which storage and peers saw things.
 */
import * as Y from 'yjs';
import { decodeServerFrame, type ServerFrame } from '@quire/shared';
import { MemoryStorage, type CompactionCover, type StoredDocument } from '../../src/index.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { Metrics } from '../../src/metrics.js';
import { Room, type RoomContext } from '../../src/room/room.js';
import type { Peer } from '../../src/room/peer.js';
import type { Logger } from '../../src/log.js';
import { deferred, type Deferred } from '../persistence/fakes.js';

/** The storage operations a test can hold or fail. */
type Operation = 'load' | 'append' | 'sync' | 'compact';

export class ScriptedStorage extends MemoryStorage {
  readonly events: string[] = [];
  /** Operations that reject while listed here. */
  readonly failing = new Set<Operation>();
  private readonly gates = new Map<Operation, Deferred>();

  /** Holds every call of `op` until the returned function is called. */
  hold(op: Operation): () => void {
    const gate = deferred();
    this.gates.set(op, gate);
    return () => {
      this.gates.delete(op);
      gate.resolve();
    };
  }

  /** Lets every held call go on (test cleanup: a failed test may not have released them). */
  releaseAll(): void {
    for (const gate of this.gates.values()) gate.resolve();
    this.gates.clear();
  }

  count(event: string): number {
    return this.events.filter((e) => e === event).length;
  }

  override async load(name: string): Promise<StoredDocument | null> {
    await this.enter('load', name);
    return super.load(name);
  }

  override async append(name: string, update: Uint8Array): Promise<number> {
    await this.enter('append', name);
    const seq = await super.append(name, update);
    this.events.push(`appended ${name}`);
    return seq;
  }

  override async compact(name: string, snapshot: Uint8Array, cover: CompactionCover) {
    await this.enter('compact', name);
    return super.compact(name, snapshot, cover);
  }

  override async sync(): Promise<void> {
    await this.enter('sync', '*');
    this.events.push('synced');
  }

  private async enter(op: Operation, name: string): Promise<void> {
    this.events.push(`${op} ${name}`);
    await this.gates.get(op)?.promise;
    if (this.failing.has(op)) throw new Error(`${op} failed (injected)`);
  }
}

/** A connection as the room sees it; records the frames it is sent, decoded. */
export class FakePeer implements Peer {
  readonly readOnly = false;
  readonly quotaKey = null;
  readonly awarenessIds = new Set<number>();
  updatesHandled = 0;
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  /** Makes the next `send` throw (a socket that broke mid-write). */
  failNextSend = false;

  constructor(
    readonly id: number,
    readonly extensions = false,
    private readonly events: string[] = [],
  ) {}

  send(frame: Uint8Array): void {
    if (this.failNextSend) {
      this.failNextSend = false;
      throw new Error('send failed (injected)');
    }
    const decoded = decodeServerFrame(frame);
    this.frames.push(decoded);
    this.events.push(`peer ${this.id} got ${decoded.kind}`);
  }

  caughtUp(): void {}

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }

  /** The frames of one kind, in arrival order. */
  of<K extends ServerFrame['kind']>(kind: K): Extract<ServerFrame, { kind: K }>[] {
    return this.frames.filter((f): f is Extract<ServerFrame, { kind: K }> => f.kind === kind);
  }
}

/** Compaction far away unless a test asks for it. */
export const NO_COMPACTION = { compactAfterUpdates: 1_000, compactAfterBytes: 1 << 30 };

export interface RoomFixture {
  room: Room;
  store: DocumentStore;
  storage: ScriptedStorage;
  metrics: Metrics;
  published: Uint8Array[];
  emptied: number;
  chainFailures: number;
  peer(id: number, extensions?: boolean): FakePeer;
  /** The stored document, rebuilt from the storage's rows. */
  stored(): Promise<Y.Doc>;
}

/** `publish`: give the room a publish hook (as with a bus), recording what it publishes. */
export async function roomFixture(options: {
  log: Logger;
  publish?: boolean;
  /** The publish hook throws once (a failing task in the write chain). */
  failNextPublish?: boolean;
  name?: string;
}): Promise<RoomFixture> {
  const storage = new ScriptedStorage();
  const metrics = new Metrics();
  const store = new DocumentStore(storage, NO_COMPACTION, options.log, metrics);
  const name = options.name ?? 'doc';
  const { doc, log, storedState } = await store.load(name);
  const fixture: RoomFixture = {
    room: null as unknown as Room,
    store,
    storage,
    metrics,
    published: [],
    emptied: 0,
    chainFailures: 0,
    peer: (id, extensions = false) => {
      const p = new FakePeer(id, extensions, storage.events);
      fixture.room.join(p);
      return p;
    },
    stored: async () => rebuild(await storage.load(name)),
  };
  const ctx: RoomContext = {
    store,
    log: options.log,
    maxAwarenessStateBytes: 10_000,
    onEmpty: () => fixture.emptied++,
    onChainFailure: () => fixture.chainFailures++,
    ...(options.publish || options.failNextPublish
      ? {
          publish: (_room: Room, update: Uint8Array) => {
            if (options.failNextPublish) {
              options.failNextPublish = false;
              throw new Error('publish failed');
            }
            storage.events.push('published');
            fixture.published.push(update);
          },
        }
      : {}),
  };
  fixture.room = new Room(name, doc, log, ctx, storedState);
  return fixture;
}

export function rebuild(stored: StoredDocument | null): Y.Doc {
  const doc = new Y.Doc();
  if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  return doc;
}

/** A client-side edit, as the update it produces. */
export function edit(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}
