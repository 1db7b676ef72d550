/**
 * The bus as a doorbell with seqs, in one process: two Quire instances on one MemoryStorage
 * (gapless per-document seqs, as in PostgreSQL) and a test bus that loses the messages a test
 * picks. Whatever the bus loses, the instance that missed it catches up from storage: a dropped
 * middle message (gap repair), a lost last message (periodic head check), an instance behind a
 * compaction (snapshot), a room opened while the bus was down (catch-up once subscribed), and a
 * repair write after a storage outage. What it already has is ignored, and garbage on one
 * document's channel stalls nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  LocalBusHub,
  MemoryStorage,
  type QuireServerOptions,
  type StorageAdapter,
} from '../../src/index.js';
import { startServer, type RunningServer } from '../helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from '../helpers/clients.js';
import { FaultyStorage } from '../helpers/faulty-storage.js';
import { GAP_GRACE_MS } from '../../src/bus/room-link.js';
import { publishedSeqs, sharedStore, TestBus } from './catch-up-support.js';

/** Long enough that no periodic check runs during a test that is about something else. */
const NO_CHECK_MS = 600_000;

describe('bus catch-up from storage', () => {
  const clients: StockClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  const pair = async (
    options: Partial<QuireServerOptions> = {},
    storeA = (s: MemoryStorage) => sharedStore(s),
    storeB = (s: MemoryStorage) => sharedStore(s),
  ) => {
    const storage = new MemoryStorage();
    const hub = new LocalBusHub();
    const busA = new TestBus(hub.connect('a'));
    const busB = new TestBus(hub.connect('b'));
    const base = { busCatchUpIntervalMs: NO_CHECK_MS, ...options };
    const a = await startServer({ ...base, storage: storeA(storage), bus: busA });
    const b = await startServer({ ...base, storage: storeB(storage), bus: busB });
    return { storage, a, b, busA, busB };
  };

  const join = async (server: RunningServer, doc: string) => {
    const client = stockClient(server.wsUrl, doc);
    clients.push(client);
    await waitSynced(client);
    return client;
  };

  /** Types `text` at the end, one update per call. */
  const type = (client: StockClient, text: string) => client.text.insert(client.text.length, text);

  it('repairs a dropped middle message from storage once a later seq shows the gap', async () => {
    const { a, b, busA } = await pair();
    const onA = await join(a, 'gap');
    const onB = await join(b, 'gap');
    busA.drop = (_doc, m) => m.kind === 'update' && m.seq === 2;
    type(onA, 'one ');
    await waitFor(() => onB.text.toString() === 'one ', 5_000, 'the first edit on b');
    type(onA, 'two ');
    await waitFor(() => publishedSeqs(busA, 'gap').length === 2, 5_000, 'seq 2 published');
    type(onA, 'three');
    await waitFor(() => onB.text.toString() === 'one two three', 5_000, 'b repaired');
    expect(publishedSeqs(busA, 'gap')).toEqual([1, 2, 3]);
    expect(b.server.metrics.busGapRepairs).toBe(1);
    expect(b.server.metrics.busCatchUps).toBe(1);
  });

  it('heals a lost last message with the periodic head check', async () => {
    const { a, b, busA } = await pair({ busCatchUpIntervalMs: 100 });
    const onA = await join(a, 'idle');
    const onB = await join(b, 'idle');
    type(onA, 'seen ');
    await waitFor(() => onB.text.toString() === 'seen ', 5_000, 'the first edit on b');
    busA.drop = () => true; // the last message of the burst is lost, and nothing follows it
    type(onA, 'lost');
    await waitFor(() => onB.text.toString() === 'seen lost', 5_000, 'b healed by the check');
    expect(b.server.metrics.busGapRepairs).toBe(0);
    expect(b.server.metrics.busCatchUps).toBeGreaterThanOrEqual(1);
  });

  it('an instance behind a compaction catches up from the snapshot', async () => {
    const { storage, a, b, busA } = await pair({ compactAfterUpdates: 3 });
    const onA = await join(a, 'compacted');
    const onB = await join(b, 'compacted');
    type(onA, '0');
    await waitFor(() => onB.text.toString() === '0', 5_000, 'the first edit on b');
    busA.drop = () => true;
    for (let i = 1; i < 8; i++) type(onA, String(i));
    // b holds seq 1; the store has compacted past it, so the log alone cannot catch it up.
    await waitFor(
      async () => (await storage.load('compacted'))!.compactedThrough > 1,
      5_000,
      'a compaction on a',
    );
    expect((await storage.readLogAfter('compacted', 1))?.snapshot).not.toBeNull();
    busA.drop = () => false;
    type(onA, '8'); // its seq shows b the gap
    await waitFor(() => onB.text.toString() === '012345678', 5_000, 'b caught up');
    expect(b.server.metrics.busGapRepairs).toBe(1);
  });

  it('ignores a message whose seq it already has, also one buffered while the room loaded', async () => {
    const { a, b, busB } = await pair();
    const onA = await join(a, 'dup');
    type(onA, 'stored');
    await waitFor(() => a.server.metrics.updatesPersisted === 1, 5_000, 'the first write');
    const onB = await join(b, 'dup');
    expect(onB.text.toString()).toBe('stored');
    // Seq 1 is what b loaded: a message claiming it, whatever it carries, is not applied.
    const other = new Y.Doc();
    other.getText('text').insert(0, 'not applied ');
    const received = b.server.metrics.busMessagesReceived;
    busB.inject('dup', {
      instanceId: 'a',
      docName: 'dup',
      message: { kind: 'update', update: Y.encodeStateAsUpdate(other), seq: 1 },
    });
    type(onA, ' and more');
    await waitFor(() => onB.text.toString() === 'stored and more', 5_000, 'the next edit');
    expect(b.server.metrics.busMessagesReceived).toBe(received + 2);
    expect(b.server.metrics.busCatchUps).toBe(0);
  });

  it('counts garbage on a channel and poison updates, and keeps this and other documents flowing', async () => {
    const { a, b, busB } = await pair();
    const onA = await join(a, 'target');
    const onB = await join(b, 'target');
    const otherA = await join(a, 'other');
    const otherB = await join(b, 'other');
    const garbage: unknown[] = [
      null,
      { instanceId: 'x', docName: 'target' },
      { instanceId: 'x', docName: 'target', message: { kind: 'update', update: 'text' } },
      { instanceId: 'x', docName: 'target', message: { kind: 'nope', update: new Uint8Array(1) } },
      { instanceId: 'x', message: { kind: 'update', update: new Uint8Array(1), seq: -3 } },
      { instanceId: 'x', message: { kind: 'update', update: new Uint8Array(1), seq: 1.5 } },
    ];
    for (const envelope of garbage) busB.inject('target', envelope);
    // Well-formed, but bytes Yjs refuses (no seq: it cannot open a gap either).
    const poison = { kind: 'update', update: Uint8Array.of(255, 255, 255, 255) };
    busB.inject('target', { instanceId: 'x', docName: 'target', message: poison });
    expect(b.server.metrics.busMessagesMalformed).toBe(garbage.length);
    expect(b.server.metrics.busMessagesRefused).toBe(1);
    type(onA, 'still flowing');
    type(otherA, 'elsewhere too');
    await waitFor(() => onB.text.toString() === 'still flowing', 5_000, 'the same document');
    await waitFor(() => otherB.text.toString() === 'elsewhere too', 5_000, 'another document');
  });

  it('forgets a seq that storage shows was never stored, so it does not open a gap forever', async () => {
    const { a, b, busB } = await pair();
    const onA = await join(a, 'forged');
    const onB = await join(b, 'forged');
    // Well-formed, changes nothing, and claims a seq far beyond anything stored.
    const empty = Y.encodeStateAsUpdate(new Y.Doc());
    busB.inject('forged', {
      instanceId: 'x',
      docName: 'forged',
      message: { kind: 'update', update: empty, seq: 2 ** 40 },
    });
    await waitFor(() => b.server.metrics.busGapRepairs === 1, 5_000, 'the gap it opened');
    await waitFor(() => b.server.metrics.busCatchUps === 1, 5_000, 'its catch-up');
    for (const word of ['one ', 'two ', 'three']) {
      type(onA, word);
      await waitFor(() => onB.text.toString().endsWith(word), 5_000, word);
    }
    // Nothing to wait for when nothing happens: a still-open gap would be repaired again after
    // each grace period, so three of them pass before the count is read.
    await new Promise((resolve) => setTimeout(resolve, 3 * GAP_GRACE_MS));
    expect(b.server.metrics.busGapRepairs).toBe(1);
  });

  it('opens a room while the bus is down, and catches it up once the subscription is live', async () => {
    const { a, b, busA, busB } = await pair();
    const onA = await join(a, 'outage');
    type(onA, 'before ');
    await waitFor(() => a.server.metrics.updatesPersisted === 1, 5_000, 'the first write');
    busB.down = true;
    busA.drop = () => true; // b is not subscribed: whatever a publishes meanwhile misses it
    const onB = await join(b, 'outage');
    expect(onB.text.toString()).toBe('before ');
    expect(b.server.metrics.busSubscribeFailures).toBeGreaterThanOrEqual(1);
    type(onA, 'during ');
    await waitFor(() => a.server.metrics.updatesPersisted === 2, 5_000, 'the second write');
    busB.down = false;
    busA.drop = () => false;
    await waitFor(() => onB.text.toString() === 'before during ', 5_000, 'b caught up');
    type(onA, 'after');
    await waitFor(() => onB.text.toString() === 'before during after', 5_000, 'b live');
    expect(b.server.metrics.loadFailures).toBe(0);
  });

  it('publishes no update that failed to store, and publishes the repair write once storage is back', async () => {
    let faulty!: FaultyStorage;
    const { a, b, busA } = await pair({}, (s) => (faulty = new FaultyStorage(sharedStore(s))));
    const writer = await join(a, 'repair');
    const watcher = await join(a, 'repair');
    const onB = await join(b, 'repair');
    type(writer, 'saved ');
    await waitFor(() => onB.text.toString() === 'saved ', 5_000, 'the first edit on b');
    faulty.writeFault = 'EIO';
    type(writer, 'unsaved');
    // a relayed it to its own peer, after the failed write: the write is settled.
    await waitFor(() => watcher.text.toString() === 'saved unsaved', 5_000, 'the relay on a');
    await waitFor(() => faulty.calls.failedWrites >= 1, 5_000, 'the failed write');
    expect(publishedSeqs(busA, 'repair')).toEqual([1]);
    expect(onB.text.toString()).toBe('saved ');
    faulty.writeFault = null;
    await waitFor(() => onB.text.toString() === 'saved unsaved', 10_000, 'the repair on b');
    expect(publishedSeqs(busA, 'repair')).toEqual([1, 2]);
  });

  it('a catch-up that fails is counted and retried by the head check, and other documents go on', async () => {
    let failing = false;
    const flaky = (s: MemoryStorage): StorageAdapter => {
      const store = sharedStore(s);
      const fail = () => Promise.reject(new Error('storage unreachable (test)'));
      return {
        ...store,
        readLogAfter: (name, after) => (failing ? fail() : store.readLogAfter!(name, after)),
      };
    };
    const { a, b, busA } = await pair({ busCatchUpIntervalMs: 100 }, sharedStore, flaky);
    const onA = await join(a, 'flaky');
    const onB = await join(b, 'flaky');
    const otherA = await join(a, 'steady');
    const otherB = await join(b, 'steady');
    failing = true;
    busA.drop = (doc) => doc === 'flaky';
    type(onA, 'missed');
    type(otherA, 'delivered');
    await waitFor(() => otherB.text.toString() === 'delivered', 5_000, 'the other document');
    // The head check sees b behind every period; each catch-up read fails.
    await waitFor(() => b.server.metrics.busCatchUpFailures >= 2, 5_000, 'failed catch-ups');
    expect(onB.text.toString()).toBe('');
    failing = false;
    await waitFor(() => onB.text.toString() === 'missed', 5_000, 'the retry');
  });
});
