/**
 * PresenceLink without sockets, on fake timers: two rooms of one document on two instances of an
 * in-process bus, fake peers on each. A burst of changes costs one bus message per batch window
 * and only the latest state of each client crosses; a room that opens gets everything the other
 * has; echoes, malformed messages, impossible states and floods from the bus are refused without
 * touching the room's own presence; and the removal paths (leave, unload, an instance gone, an
 * instance that did not re-announce after an outage) reach the other side's peers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeAwarenessUpdate, encodeAwarenessUpdate, type AwarenessEntry } from '@quire/shared';
import {
  LocalBusHub,
  MemoryStorage,
  silentLogger,
  type BusEnvelope,
  type BusMessage,
  type DocumentBus,
} from '../../src/index.js';
import { Metrics } from '../../src/metrics.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { Room } from '../../src/room/room.js';
import { MAX_REMOTE_STATES_PER_ROOM, PresenceLink } from '../../src/bus/presence-link.js';
import { PresenceBatchClock } from '../../src/bus/presence-batch.js';
import { encodePresence } from '../../src/bus/presence-wire.js';
import { FakePeer, NO_COMPACTION } from '../room/fixtures.js';

const BATCH_MS = 40;

interface Side {
  room: Room;
  link: PresenceLink;
  metrics: Metrics;
  /** Presence messages this side published, decoded. */
  published: BusMessage[];
  peer(id: number): FakePeer;
}

/** What a peer was told about each client ID, latest first wins (null: removed). */
const viewOf = (peer: FakePeer): Map<number, string> => {
  const view = new Map<number, string>();
  for (const frame of peer.of('awareness')) {
    for (const e of decodeAwarenessUpdate(frame.update, 100_000)) view.set(e.clientID, e.stateJSON);
  }
  return view;
};

const state = (name: string, head = 0) => JSON.stringify({ user: { name }, cursor: { head } });
const announce = (clientID: number, clock: number, json: string) =>
  encodeAwarenessUpdate([{ clientID, clock, stateJSON: json }]);

describe('PresenceLink', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const side = async (bus: DocumentBus, heard: (id: string) => boolean = () => true) => {
    const metrics = new Metrics();
    const store = new DocumentStore(new MemoryStorage(), NO_COMPACTION, silentLogger, metrics);
    const { doc, log } = await store.load('doc');
    const published: BusMessage[] = [];
    const counting: DocumentBus = {
      instanceId: bus.instanceId,
      publish: (name, message) => {
        published.push(message);
        bus.publish(name, message);
      },
      subscribe: (name, handler) => bus.subscribe(name, handler),
      close: () => bus.close(),
    };
    let link: PresenceLink | null = null;
    const room = new Room('doc', doc, log, {
      store,
      log: silentLogger,
      maxAwarenessStateBytes: 10_000,
      onEmpty: () => {},
      onLocalPresence: (_room, entries) => link?.local(entries),
    });
    link = new PresenceLink(room, {
      bus: counting,
      log: silentLogger,
      metrics,
      batch: new PresenceBatchClock(BATCH_MS, silentLogger),
      heard,
      now: Date.now,
      onClose: () => {},
    });
    const opened = link;
    await bus.subscribe('doc', (envelope) => opened.receive(envelope));
    let nextId = 1;
    const s: Side = {
      room,
      link,
      metrics,
      published,
      peer: (id = nextId++) => {
        const peer = new FakePeer(id);
        room.join(peer);
        return peer;
      },
    };
    return s;
  };

  const pair = async () => {
    const hub = new LocalBusHub();
    return { a: await side(hub.connect('a')), b: await side(hub.connect('b')), hub };
  };

  it('batches a burst of changes into one bus message per window, with only the latest state of each client', async () => {
    const { a, b } = await pair();
    const ada = a.peer(1);
    const viewer = b.peer(2);
    for (let clock = 1; clock <= 50; clock++) {
      a.room.handle(ada, { kind: 'awareness', update: announce(11, clock, state('Ada', clock)) });
    }
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(a.published).toHaveLength(1);
    const entries = decodeAwarenessUpdate(a.published[0]!.update.subarray(1), 10);
    expect(entries.map((e) => e.stateJSON)).toEqual([state('Ada', 50)]);
    expect(viewOf(viewer).get(11)).toBe(state('Ada', 50));
    // Three more windows with changes: three more messages.
    for (let window = 0; window < 3; window++) {
      for (let i = 0; i < 10; i++) {
        const clock = 100 + window * 10 + i;
        a.room.handle(ada, { kind: 'awareness', update: announce(11, clock, state('Ada', clock)) });
      }
      await vi.advanceTimersByTimeAsync(BATCH_MS);
    }
    expect(a.published).toHaveLength(4);
    expect(viewOf(viewer).get(11)).toBe(state('Ada', 129));
    expect(b.metrics.busPresenceReceived).toBe(4);
  });

  it('answers a room that opens with everything, which its joiners then see', async () => {
    const hub = new LocalBusHub();
    const a = await side(hub.connect('a'));
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS); // published before anyone listened: lost
    const b = await side(hub.connect('b'));
    b.link.query();
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(a.published.map((m) => m.update[0])).toEqual([1, 2]); // changes, then everything
    const joiner = b.peer(5);
    expect(viewOf(joiner).get(11)).toBe(state('Ada'));
    // An awareness query here is answered with everyone too.
    b.room.handle(joiner, { kind: 'query-awareness' });
    expect(viewOf(joiner).get(11)).toBe(state('Ada'));
  });

  it("never lets a local connection take another instance's client ID (stock clients echo it)", async () => {
    const { a, b } = await pair();
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    const echoer = b.peer(2);
    const watcher = b.peer(3);
    b.room.handle(echoer, { kind: 'awareness', update: announce(22, 1, state('Eve')) });
    // The echo of Ada's state, and an attempt to replace it, from a connection on b.
    b.room.handle(echoer, { kind: 'awareness', update: announce(11, 999, state('Mallory')) });
    b.room.handle(echoer, { kind: 'awareness', update: announce(11, 1000, 'null') });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(viewOf(watcher).get(11)).toBe(state('Ada'));
    expect(viewOf(ada).get(22)).toBe(state('Eve'));
    expect(viewOf(ada).has(11)).toBe(false); // nothing about Ada came back to a
  });

  it('refuses malformed messages and impossible states from the bus, counted, and keeps going', async () => {
    const { a, b } = await pair();
    const viewer = b.peer(2);
    const from = (update: Uint8Array): BusEnvelope => ({
      instanceId: 'a',
      docName: 'doc',
      message: { kind: 'awareness', update },
    });
    b.link.receive(from(Uint8Array.of()));
    b.link.receive(from(Uint8Array.of(9, 1, 2)));
    b.link.receive(from(Uint8Array.of(1, 200, 200))); // claims entries it does not hold
    b.link.receive(from(Uint8Array.of(3, 0))); // a query with trailing bytes
    expect(b.metrics.busPresenceRefused).toBe(4);
    const entries: AwarenessEntry[] = [
      { clientID: 1, clock: 1, stateJSON: '{not json' },
      { clientID: 2, clock: 1, stateJSON: JSON.stringify({ pad: 'x'.repeat(20_000) }) },
      {
        clientID: 3,
        clock: 1,
        stateJSON: JSON.stringify({ user: { name: 'Ok', color: 'red;x' } }),
      },
    ];
    b.link.receive(from(encodePresence({ kind: 'changes', entries })));
    expect(b.metrics.busPresenceStatesRefused).toBe(2);
    const view = viewOf(viewer);
    expect([...view.keys()]).toEqual([3]);
    expect(JSON.parse(view.get(3)!).user.color).not.toBe('red;x'); // cleaned like a local state
    // The room's own presence still flows.
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(viewOf(viewer).get(11)).toBe(state('Ada'));
  });

  it('keeps at most MAX_REMOTE_STATES_PER_ROOM states from other instances', async () => {
    const { b } = await pair();
    const viewer = b.peer(2);
    const flood = (instanceId: string, first: number, count: number) =>
      b.link.receive({
        instanceId,
        docName: 'doc',
        message: {
          kind: 'awareness',
          update: encodePresence({
            kind: 'changes',
            entries: Array.from({ length: count }, (_, i) => ({
              clientID: first + i,
              clock: 1,
              stateJSON: '{}',
            })),
          }),
        },
      });
    flood('x', 1, MAX_REMOTE_STATES_PER_ROOM - 10);
    flood('y', 100_000, 50);
    expect(viewOf(viewer).size).toBe(MAX_REMOTE_STATES_PER_ROOM);
    expect(b.metrics.busPresenceStatesRefused).toBe(40);
    // An instance at the cap may still change the states it has.
    flood('y', 100_000, 1);
    expect(b.metrics.busPresenceStatesRefused).toBe(40);
  });

  it('removes what an instance had when its peer leaves, when the room unloads, and when the instance is gone', async () => {
    const { a, b } = await pair();
    const [ada, bea, cy] = [a.peer(1), a.peer(2), a.peer(3)];
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    a.room.handle(bea, { kind: 'awareness', update: announce(12, 1, state('Bea')) });
    a.room.handle(cy, { kind: 'awareness', update: announce(13, 1, state('Cy')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    const viewer = b.peer(9);
    expect([...viewOf(viewer).keys()].sort()).toEqual([11, 12, 13]);
    a.room.leave(ada);
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(viewOf(viewer).get(11)).toBe('null');
    a.room.leave(bea);
    a.room.leave(cy);
    a.link.close(); // unload: published at once ("everything": nothing), not after the window
    await vi.advanceTimersByTimeAsync(0);
    // changes; everything (b asked after those first changes; Ada's leave went into it); the
    // unload's everything.
    expect(a.published.map((m) => m.update[0])).toEqual([1, 2, 2]);
    expect(viewOf(viewer).get(12)).toBe('null');
    expect(viewOf(viewer).get(13)).toBe('null');
    // A fresh state from another instance, which then dies.
    b.link.receive({
      instanceId: 'c',
      docName: 'doc',
      message: {
        kind: 'awareness',
        update: encodePresence({
          kind: 'changes',
          entries: [{ clientID: 31, clock: 5, stateJSON: state('Cleo') }],
        }),
      },
    });
    expect(viewOf(viewer).get(31)).toBe(state('Cleo'));
    b.link.removeInstance('c');
    expect(viewOf(viewer).get(31)).toBe('null');
  });

  it('leaves nothing of its peers on the others when dropped with them still attached (a deleted document)', async () => {
    const { a, b } = await pair();
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    const viewer = b.peer(9);
    expect(viewOf(viewer).get(11)).toBe(state('Ada'));
    a.link.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(viewOf(viewer).get(11)).toBe('null');
  });

  it('after an outage, drops the states of an instance that did not announce everything again', async () => {
    const { a, b } = await pair();
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    const viewer = b.peer(9);
    const since = Date.now() + 1;
    await vi.advanceTimersByTimeAsync(1);
    b.link.dropSilentSince(since); // a said nothing since: its room closed during the outage
    expect(viewOf(viewer).get(11)).toBe('null');
    // …whereas one that announced everything again keeps its states.
    a.link.announceEverything();
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(viewOf(viewer).get(11)).toBe(state('Ada'));
    b.link.dropSilentSince(since);
    expect(viewOf(viewer).get(11)).toBe(state('Ada'));
  });

  it('asks for everything, once, when changes come from an instance it holds nothing of', async () => {
    const hub = new LocalBusHub();
    const a = await side(hub.connect('a'));
    const [ada, bea] = [a.peer(1), a.peer(2)];
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS); // before b listened: Ada is unknown there
    const b = await side(hub.connect('b')); // its query is lost (say, subscribed too late)
    a.room.handle(bea, { kind: 'awareness', update: announce(12, 1, state('Bea')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS); // Bea's arrival makes b ask
    await vi.advanceTimersByTimeAsync(BATCH_MS); // a answers with everything
    const viewer = b.peer(9);
    expect(viewOf(viewer).get(11)).toBe(state('Ada'));
    expect(b.published.map((m) => m.update[0])).toEqual([3]);
    a.room.handle(bea, { kind: 'awareness', update: announce(12, 2, state('Bea', 1)) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(b.published).toHaveLength(1); // asked once
  });

  it('ignores presence from an instance that said goodbye', async () => {
    const hub = new LocalBusHub();
    const a = await side(hub.connect('a'));
    const b = await side(hub.connect('b'), (id) => id !== 'a');
    const ada = a.peer(1);
    a.room.handle(ada, { kind: 'awareness', update: announce(11, 1, state('Ada')) });
    await vi.advanceTimersByTimeAsync(BATCH_MS);
    expect(viewOf(b.peer(9)).has(11)).toBe(false);
    expect(b.metrics.busPresenceReceived).toBe(0);
  });
});
