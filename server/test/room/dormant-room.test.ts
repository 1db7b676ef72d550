/**
 * Dormant rooms (persistence/document-content.ts): a document loaded from a snapshot alone keeps
 * its stored bytes instead of a Y.Doc while nobody edits it. The handshake, unchanged answers and
 * the persisted ack come from the bytes; the first change builds the Y.Doc, and from then on the
 * room behaves as before: stored, then relayed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { silentLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { DORMANT_BYTE_PASSES } from '../../src/persistence/document-content.js';
import { DocumentStore } from '../../src/persistence/document-store.js';
import { Room } from '../../src/room/room.js';
import { settle } from '../persistence/fakes.js';
import { edit, FakePeer, NO_COMPACTION, rebuild, ScriptedStorage } from './fixtures.js';

const NAME = 'dormant';
const EMPTY_UPDATE = new Uint8Array([0, 0]);
const EMPTY_STATE_VECTOR = new Uint8Array([0]);

describe('a dormant room', () => {
  let storage: ScriptedStorage;
  let store: DocumentStore;
  let author: Y.Doc;
  /** The author's state after its first insert: a replica that has part of the document. */
  let early: Uint8Array;
  let room: Room;

  beforeEach(async () => {
    vi.useFakeTimers();
    storage = new ScriptedStorage();
    store = new DocumentStore(storage, NO_COMPACTION, silentLogger, new Metrics());
    // A document with history: typed, partly deleted, typed again, stored as one snapshot.
    author = new Y.Doc();
    const text = author.getText('t');
    text.insert(0, 'hello brave new world');
    early = Y.encodeStateAsUpdate(author);
    text.delete(6, 6);
    text.insert(0, '> ');
    const seq = await storage.append(NAME, Y.encodeStateAsUpdate(author));
    await storage.compact(NAME, Y.encodeStateAsUpdate(author), { throughSeq: seq, baseSeq: 0 });
    const { doc, log, storedState } = await store.load(NAME, undefined, { dormant: true });
    room = new Room(
      NAME,
      doc,
      log,
      { store, log: silentLogger, maxAwarenessStateBytes: 10_000, onEmpty: () => {} },
      storedState,
    );
  });
  afterEach(async () => {
    storage.releaseAll();
    room.destroy();
    await store.flushCommits();
    store.close();
    author.destroy();
    vi.useRealTimers();
  });

  const dormant = () => room.log.content.dormant;

  it('answers the handshake from the stored bytes without building its Y.Doc', async () => {
    expect(dormant()).toBe(true);
    const peer = new FakePeer(1);
    room.join(peer);
    expect(peer.of('sync-step1')[0]!.stateVector).toEqual(Y.encodeStateVector(author));

    // A new tab gets everything; a replica that has part of the document gets the rest.
    const replica = new Y.Doc();
    room.handle(peer, { kind: 'sync-step1', stateVector: EMPTY_STATE_VECTOR });
    const partial = new Y.Doc();
    Y.applyUpdate(partial, early);
    room.handle(peer, { kind: 'sync-step1', stateVector: Y.encodeStateVector(partial) });
    await settle();
    const [full, diff] = peer.of('sync-step2');
    Y.applyUpdate(replica, full!.update);
    Y.applyUpdate(partial, diff!.update);
    expect(replica.getText('t').toString()).toBe('> hello new world');
    expect(partial.getText('t').toString()).toBe('> hello new world');

    expect(room.absorbUnchanged(peer, EMPTY_UPDATE)).toBe(true);
    expect(peer.updatesHandled).toBe(1);
    expect(dormant()).toBe(true);
    for (const d of [replica, partial]) d.destroy();
  });

  it("absorbs a reconnecting tab's delete set, and builds the Y.Doc for real content", async () => {
    const tab = new Y.Doc();
    Y.applyUpdate(tab, Y.encodeStateAsUpdate(author));
    const [reader, writer] = [new FakePeer(1), new FakePeer(2)];
    room.join(reader);
    room.join(writer);
    // What a stock client answers our sync step 1 with: nothing new, but its whole delete set.
    const answer = Y.encodeStateAsUpdate(tab, Y.encodeStateVector(author));
    expect(answer.length).toBeGreaterThan(EMPTY_UPDATE.length);
    expect(room.absorbUnchanged(writer, answer)).toBe(true);
    expect(dormant()).toBe(true);

    const typed = edit(tab, (d) => d.getText('t').insert(17, '!'));
    expect(room.absorbUnchanged(writer, typed)).toBe(false);
    room.handle(writer, { kind: 'sync-update', update: typed });
    expect(dormant()).toBe(false);
    expect(room.doc.getText('t').toString()).toBe('> hello new world!');
    await settle();
    expect(storage.count(`appended ${NAME}`)).toBe(2);
    expect(reader.of('sync-update')).toHaveLength(1);
    expect((await rebuildStored()).getText('t').toString()).toBe('> hello new world!');
    tab.destroy();
  });

  it('does not absorb a deletion the stored document lacks', () => {
    const tab = new Y.Doc();
    Y.applyUpdate(tab, Y.encodeStateAsUpdate(author));
    const deletion = edit(tab, (d) => d.getText('t').delete(0, 2));
    expect(room.absorbUnchanged(new FakePeer(1), deletion)).toBe(false);
    expect(room.absorbUnchanged(new FakePeer(1), new Uint8Array([1, 2, 3]))).toBe(false);
    expect(dormant()).toBe(true);
    tab.destroy();
  });

  it('acknowledges the stored state vector to an opted-in peer while dormant', async () => {
    const peer = new FakePeer(1, true);
    room.join(peer);
    await store.flushCommits();
    await settle();
    const acks = peer.of('persisted-ack');
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.at(-1)!.stateVector).toEqual(Y.encodeStateVector(author));
    expect(dormant()).toBe(true);
  });

  it('is built once it has been asked more than its byte passes allow', async () => {
    const peer = new FakePeer(1);
    room.join(peer);
    const partial = new Y.Doc();
    Y.applyUpdate(partial, early);
    const stateVector = Y.encodeStateVector(partial);
    for (let i = 0; i < DORMANT_BYTE_PASSES; i++)
      room.handle(peer, { kind: 'sync-step1', stateVector });
    expect(dormant()).toBe(true);
    room.handle(peer, { kind: 'sync-step1', stateVector });
    expect(dormant()).toBe(false);
    await settle();
    const replies = peer.of('sync-step2');
    expect(replies).toHaveLength(DORMANT_BYTE_PASSES + 1);
    Y.applyUpdate(partial, replies.at(-1)!.update);
    expect(partial.getText('t').toString()).toBe('> hello new world');
    partial.destroy();
  });

  it('builds the Y.Doc on first read, with everything stored in it', () => {
    expect(room.doc.getText('t').toString()).toBe('> hello new world');
    expect(dormant()).toBe(false);
    expect(Y.encodeStateVector(room.doc)).toEqual(Y.encodeStateVector(author));
  });

  async function rebuildStored(): Promise<Y.Doc> {
    return rebuild(await storage.load(NAME));
  }
});
