/**
 * Room, without sockets: where a change goes (storage, peers, the bus) by its origin, in which
 * order, and what a refused update leaves behind. Fake timers; the storage is a MemoryStorage a
 * test can hold.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import { silentLogger } from '../../src/log.js';
import { recordingLogger, settle } from '../persistence/fakes.js';
import { edit, roomFixture } from './fixtures.js';

const EMPTY_STATE_VECTOR = Uint8Array.of(0);

describe('Room routing', () => {
  let client: Y.Doc;
  beforeEach(() => {
    vi.useFakeTimers();
    client = new Y.Doc();
  });
  afterEach(() => {
    client.destroy();
    vi.useRealTimers();
  });

  const typed = (text: string, at = 0) => edit(client, (d) => d.getText('t').insert(at, text));

  it("a client's change is written to storage before any other peer receives it", async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b] = [f.peer(1), f.peer(2)];
    const release = f.storage.hold('append');
    const update = typed('hello');
    f.room.handle(a, { kind: 'sync-update', update });
    await settle();
    expect(f.storage.count('append doc')).toBe(1);
    expect(b.of('sync-update')).toEqual([]);
    release();
    await settle();
    expect(b.of('sync-update').map((frame) => frame.update)).toEqual([update]);
    const { events } = f.storage;
    expect(events.indexOf('appended doc')).toBeLessThan(events.indexOf('peer 2 got sync-update'));
  });

  it("a client's change is relayed to every other peer, never back to its sender", async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b, c] = [f.peer(1), f.peer(2), f.peer(3)];
    f.room.handle(a, { kind: 'sync-step2', update: typed('hello') });
    await settle();
    expect(a.of('sync-update')).toEqual([]);
    expect(b.of('sync-update')).toHaveLength(1);
    expect(c.of('sync-update')).toHaveLength(1);
    expect(a.updatesHandled).toBe(1);
  });

  it("a client's change is published to other instances after it is stored, when the room has a publish hook", async () => {
    const f = await roomFixture({ log: silentLogger, publish: true });
    const a = f.peer(1);
    const update = typed('hello');
    f.room.handle(a, { kind: 'sync-update', update });
    await settle();
    expect(f.published).toEqual([update]);
    const { events } = f.storage;
    expect(events.indexOf('appended doc')).toBeLessThan(events.indexOf('published'));
  });

  it('a change from the bus is relayed to every peer and neither stored nor published again', async () => {
    const f = await roomFixture({ log: silentLogger, publish: true });
    const [a, b] = [f.peer(1), f.peer(2)];
    const update = typed('from another instance');
    expect(f.room.apply(update, { kind: 'bus' })).toBe('changed');
    await settle();
    expect(a.of('sync-update').map((frame) => frame.update)).toEqual([update]);
    expect(b.of('sync-update')).toHaveLength(1);
    expect(f.storage.count('append doc')).toBe(0);
    expect(f.published).toEqual([]);
    expect(f.room.doc.getText('t').toString()).toBe('from another instance');
  });

  it('a sync step 1 reply waits for the writes queued before it, and carries what they wrote', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b] = [f.peer(1), f.peer(2)];
    const release = f.storage.hold('append');
    f.room.handle(a, { kind: 'sync-update', update: typed('hello') });
    f.room.handle(b, { kind: 'sync-step1', stateVector: EMPTY_STATE_VECTOR });
    await settle();
    expect(b.of('sync-step2')).toEqual([]);
    release();
    await settle();
    const [reply] = b.of('sync-step2');
    const replica = new Y.Doc();
    Y.applyUpdate(replica, reply!.update);
    expect(replica.getText('t').toString()).toBe('hello');
    const { events } = f.storage;
    expect(events.indexOf('appended doc')).toBeLessThan(events.indexOf('peer 2 got sync-step2'));
  });

  it('a queued task that throws is logged and counted, and the next task still runs', async () => {
    const log = recordingLogger();
    const f = await roomFixture({ log, failNextPublish: true });
    const [a, b] = [f.peer(1), f.peer(2)];
    f.room.handle(a, { kind: 'sync-update', update: typed('first ') });
    await settle();
    expect(f.chainFailures).toBe(1);
    expect(log.lines.filter((l) => l.level === 'error')).toMatchObject([
      { message: 'a queued write or send failed; the document goes on', fields: { doc: 'doc' } },
    ]);
    const next = typed('next', 6);
    f.room.handle(a, { kind: 'sync-update', update: next });
    f.room.handle(b, { kind: 'sync-step1', stateVector: EMPTY_STATE_VECTOR });
    await settle();
    expect(b.of('sync-update')).toHaveLength(2); // relayed before the throw, and the next one
    expect(b.of('sync-step2')).toHaveLength(1);
    expect(f.chainFailures).toBe(1);
  });

  it('a peer whose send throws is closed with 1011, and the others still get the frame', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b, c] = [f.peer(1), f.peer(2), f.peer(3)];
    b.failNextSend = true;
    const update = typed('hello');
    f.room.handle(a, { kind: 'sync-update', update });
    await settle();
    expect(b.closed?.code).toBe(1011);
    expect(c.of('sync-update').map((frame) => frame.update)).toEqual([update]);
    expect(f.chainFailures).toBe(0);
  });

  it('an update with a missing dependency is refused and leaves no pending state behind', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b] = [f.peer(1), f.peer(2)];
    const first = typed('first ');
    const second = typed('second', 6); // builds on `first`, which the room has not seen
    expect(f.room.apply(second, { kind: 'connection', peer: a })).toBe('refused');
    expect(f.room.doc.store.pendingStructs).toBeNull();
    expect(f.room.doc.store.pendingDs).toBeNull();
    // Had the room kept `second` pending, `first` would now complete it.
    expect(f.room.apply(first, { kind: 'connection', peer: a })).toBe('changed');
    expect(f.room.doc.getText('t').toString()).toBe('first ');
    await settle();
    expect(f.storage.count('append doc')).toBe(1);
    expect(b.of('sync-update').map((frame) => frame.update)).toEqual([first]);
  });

  it('a client that sends an update the room cannot apply is closed with 4400, and nothing is stored or relayed', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b] = [f.peer(1), f.peer(2)];
    typed('first ');
    f.room.handle(a, { kind: 'sync-update', update: typed('second', 6) });
    expect(a.closed).toEqual({ code: CloseCode.BadMessage, reason: 'malformed update' });
    expect(a.updatesHandled).toBe(1);
    const c = f.peer(3);
    f.room.handle(c, { kind: 'sync-update', update: Uint8Array.of(0xff, 0xff, 0xff, 0x01, 0x07) });
    expect(c.closed?.code).toBe(CloseCode.BadMessage);
    await settle();
    expect(f.storage.count('append doc')).toBe(0);
    expect(b.of('sync-update')).toEqual([]);
    expect(f.room.doc.getText('t').toString()).toBe('');
  });

  // Yjs follows an apply that touches formatted text in a nested Y.XmlText (a rich-text editor's
  // paragraph) with a formatting cleanup transaction of its own that changes nothing; the room
  // once took that empty transaction's verdict and dropped the edit.
  it('an edit of bold text in a nested Y.XmlText counts as a change, though Yjs follows it with an empty cleanup transaction', async () => {
    const f = await roomFixture({ log: silentLogger });
    const [a, b] = [f.peer(1), f.peer(2)];
    const text = new Y.XmlText();
    const updates = [
      edit(client, () => {
        const paragraph = new Y.XmlElement('paragraph');
        paragraph.insert(0, [text]);
        client.get('xml', Y.XmlFragment).insert(0, [paragraph]);
      }),
      edit(client, () => text.insert(0, 'bold', { bold: true })),
      edit(client, () => text.insert(4, ' and more')),
    ];
    for (const update of updates) {
      expect(f.room.apply(update, { kind: 'connection', peer: a })).toBe('changed');
    }
    await settle();
    expect(f.storage.count('append doc')).toBe(3);
    const expected = client.get('xml', Y.XmlFragment).toString();
    expect(expected).toBe('<paragraph><bold>bold and more</bold></paragraph>');
    const replica = new Y.Doc();
    for (const frame of b.of('sync-update')) Y.applyUpdate(replica, frame.update);
    expect(replica.get('xml', Y.XmlFragment).toString()).toBe(expected);
    expect((await f.stored()).get('xml', Y.XmlFragment).toString()).toBe(expected);
  });
});
