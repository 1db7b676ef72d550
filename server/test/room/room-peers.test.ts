/**
 * Room and its peers, without sockets: what a joiner is sent, persisted acks after the group
 * commit's fsync, and presence when a peer leaves. Fake timers drive the commit window.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { decodeAwarenessUpdate, encodeAwarenessUpdate } from '@quire/shared';
import { silentLogger } from '../../src/log.js';
import { GROUP_COMMIT_WINDOW_MS } from '../../src/persistence/group-commit.js';
import { settle } from '../persistence/fakes.js';
import { edit, roomFixture, type FakePeer } from './fixtures.js';

/** Runs the pending group commit (the window, then the fsync). */
async function commitRound(): Promise<void> {
  await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
  await settle();
}

const presenceOf = (peer: FakePeer) =>
  peer.of('awareness').map((frame) => decodeAwarenessUpdate(frame.update, 100));

const announce = (clientID: number, state: unknown) =>
  encodeAwarenessUpdate([{ clientID, clock: 1, stateJSON: JSON.stringify(state) }]);

describe('Room peers', () => {
  let client: Y.Doc;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new Y.Doc();
  });
  afterEach(() => {
    client.destroy();
    vi.useRealTimers();
  });

  const typed = (text: string) => edit(client, (d) => d.getText('t').insert(0, text));

  it("a joiner gets the room's state vector, then everyone present", async () => {
    const f = await roomFixture({ log: silentLogger });
    const a = f.peer(1);
    f.room.apply(typed('hello'), { kind: 'connection', peer: a });
    f.room.handle(a, { kind: 'awareness', update: announce(11, { user: { name: 'Ada' } }) });
    const b = f.peer(2);
    expect(b.frames.map((frame) => frame.kind)).toEqual(['sync-step1', 'awareness']);
    expect(b.of('sync-step1')[0]!.stateVector).toEqual(Y.encodeStateVector(f.room.doc));
    expect(presenceOf(b)[0]).toMatchObject([
      { clientID: 11, stateJSON: '{"user":{"name":"Ada"}}' },
    ]);
  });

  it('after the fsync, each opted-in peer gets a persisted ack counting its own handled messages', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b, plain] = [f.peer(1, true), f.peer(2, true), f.peer(3)];
    await commitRound(); // the round the load and the joins asked for
    const release = f.storage.hold('sync');
    f.room.handle(a, { kind: 'sync-update', update: typed('one ') });
    f.room.handle(a, { kind: 'sync-update', update: typed('two ') });
    await commitRound();
    expect(f.storage.count('sync *')).toBe(2);
    const acksBefore = a.of('persisted-ack').length;
    release(); // the fsync ends: only now may an ack cover the two updates
    await settle();
    const lastAck = (peer: FakePeer) => peer.of('persisted-ack').at(-1);
    expect(a.of('persisted-ack')).toHaveLength(acksBefore + 1);
    expect(lastAck(a)).toEqual({
      kind: 'persisted-ack',
      stateVector: Y.encodeStateVector(f.room.doc),
      durableUpdates: 2,
    });
    expect(lastAck(b)?.durableUpdates).toBe(0);
    expect(lastAck(b)?.stateVector).toEqual(Y.encodeStateVector(f.room.doc));
    expect(plain.of('persisted-ack')).toEqual([]);
  });

  it('a joining opted-in peer is told the last durable state at once, counting none of its messages', async () => {
    const f = await roomFixture({ log: silentLogger });
    const a = f.peer(1, true);
    f.room.handle(a, { kind: 'sync-update', update: typed('saved') });
    await commitRound();
    const late = f.peer(2, true);
    expect(late.of('persisted-ack')).toEqual([
      { kind: 'persisted-ack', stateVector: Y.encodeStateVector(f.room.doc), durableUpdates: 0 },
    ]);
  });

  it('a joining opted-in peer in a room whose durable state is unknown asks for a round and gets it', async () => {
    const f = await roomFixture({ log: silentLogger });
    const plain = f.peer(1);
    f.room.handle(plain, { kind: 'sync-update', update: typed('nobody listened') });
    await commitRound(); // no opted-in peer: the durable state vector stays unknown
    expect(f.room.log.ack.durableStateVector).toBeNull();
    const late = f.peer(2, true);
    expect(late.of('persisted-ack')).toEqual([]);
    await commitRound();
    expect(late.of('persisted-ack')).toHaveLength(1);
    expect(late.of('persisted-ack')[0]!.stateVector).toEqual(Y.encodeStateVector(f.room.doc));
  });

  it('an update that changes nothing still gets counted by the next ack', async () => {
    const f = await roomFixture({ log: silentLogger });
    const a = f.peer(1, true);
    const update = typed('once');
    f.room.handle(a, { kind: 'sync-update', update });
    await commitRound();
    f.room.handle(a, { kind: 'sync-step2', update }); // a reconnect resending what is stored
    expect(a.updatesHandled).toBe(2);
    await commitRound();
    expect(f.storage.count('append doc')).toBe(1);
    expect(a.of('persisted-ack').at(-1)?.durableUpdates).toBe(2);
  });

  it('durable() tells a peer that joined after the capture that none of its messages are covered', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, plain] = [f.peer(1, true), f.peer(2)];
    a.updatesHandled = 5;
    const captured = f.room.capture();
    const late = f.peer(3, true);
    late.updatesHandled = 9;
    const stateVector = Y.encodeStateVector(f.room.doc);
    f.room.durable(stateVector, captured);
    expect(a.of('persisted-ack').at(-1)).toEqual({
      kind: 'persisted-ack',
      stateVector,
      durableUpdates: 5,
    });
    expect(late.of('persisted-ack').at(-1)?.durableUpdates).toBe(0);
    expect(plain.of('persisted-ack')).toEqual([]);
    expect(f.room.wanted()).toBe(true);
  });

  it('a peer that leaves has its presence removed for everyone else, and the last to leave empties the room', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b, c] = [f.peer(1), f.peer(2), f.peer(3)];
    f.room.handle(a, { kind: 'awareness', update: announce(11, { user: { name: 'Ada' } }) });
    expect(presenceOf(b).at(-1)).toMatchObject([{ clientID: 11 }]);
    const framesOfA = a.frames.length;
    f.room.leave(a);
    for (const other of [b, c]) {
      expect(presenceOf(other).at(-1)).toMatchObject([{ clientID: 11, stateJSON: 'null' }]);
    }
    expect(a.frames).toHaveLength(framesOfA);
    f.room.leave(a); // twice: nothing more
    expect(presenceOf(b)).toHaveLength(2);
    f.room.leave(b);
    expect(f.emptied).toBe(0);
    f.room.leave(c);
    expect(f.emptied).toBe(1);
    expect(f.room.wanted()).toBe(false);
  });
});
