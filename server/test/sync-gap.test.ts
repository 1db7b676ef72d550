/**
 * An update that arrives before what it depends on (a keystroke that overtakes the offline edits
 * it builds on, while a client reconnects) is a race, not an attack: the server asks for what is
 * missing with its sync step 1, takes the client's answer, and never closes the connection. Only a
 * client whose answers keep leaving gaps, round after round, is closed (4400).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  CloseCode,
  decodeServerFrame,
  encodeSyncStep2,
  encodeSyncUpdate,
  type ServerFrame,
} from '@quire/shared';
import { MemoryStorage } from '../src/index.js';
import { MAX_SYNC_GAP_ROUNDS } from '../src/limits.js';
import { SyncGapRequests } from '../src/guards/sync-gap.js';
import { startServer, type RunningServer } from './helpers/server.js';
import {
  rawSocket,
  stockClient,
  waitFor,
  waitSynced,
  type StockClient,
} from './helpers/clients.js';
import { outcome, textUpdate } from './security/attack.js';

const frames = (messages: Uint8Array[]): ServerFrame[] => messages.map((m) => decodeServerFrame(m));
const syncRequests = (messages: Uint8Array[]) =>
  frames(messages).filter((f) => f.kind === 'sync-step1').length;

describe('updates that arrive before what they depend on', () => {
  let running: RunningServer;
  let storage: MemoryStorage;
  const clients: StockClient[] = [];

  beforeEach(async () => {
    storage = new MemoryStorage();
    running = await startServer({ storage });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await running.close();
  });

  const watch = async (doc: string) => {
    const c = stockClient(running.wsUrl, doc);
    clients.push(c);
    await waitSynced(c);
    return c;
  };

  it('are answered with a sync request, and the answer that fills the gap is applied, relayed and stored', async () => {
    const watcher = await watch('race');
    const offline = textUpdate('typed offline. ', { clientID: 701 });
    const keystroke = textUpdate('x', { clientID: 701, base: [offline], index: 15 });
    const socket = await rawSocket(`${running.wsUrl}/race`);
    socket.ws.send(encodeSyncUpdate(keystroke)); // overtakes the edits it builds on
    await waitFor(() => syncRequests(socket.messages) === 2, 5_000, 'a sync request for the gap');
    expect(watcher.text.toString()).toBe(''); // nothing of the gapped update was applied
    // The client's answer: everything the server lacks, the held-back keystroke included.
    socket.ws.send(encodeSyncStep2(Y.mergeUpdates([offline, keystroke])));
    await waitFor(() => watcher.text.toString() === 'typed offline. x', 5_000, 'relayed');
    const stored = new Y.Doc();
    const record = await storage.load('race');
    for (const u of [record!.snapshot, ...record!.updates].filter(Boolean)) {
      Y.applyUpdate(stored, u as Uint8Array);
    }
    expect(stored.getText('text').toString()).toBe('typed offline. x');
    expect((await outcome(socket, 200)).code).toBe(-1); // never closed
  });

  it('count as handled once the answer is applied, so the persisted ack covers every message sent (a held-back delete included)', async () => {
    const offline = textUpdate('abc', { clientID: 705 });
    const replica = new Y.Doc();
    Y.applyUpdate(replica, offline);
    replica.clientID = 705; // after the apply: Yjs warns when updates arrive under its own ID
    const beforeDelete = Y.encodeStateVector(replica);
    replica.getText('text').delete(0, 1); // delete-only: the state vector does not move
    const deletion = Y.encodeStateAsUpdate(replica, beforeDelete);
    const socket = await rawSocket(`${running.wsUrl}/acked?quire=1`);
    socket.ws.send(encodeSyncUpdate(deletion)); // deletes content the server lacks: held back
    await waitFor(() => syncRequests(socket.messages) === 2, 5_000, 'a sync request for the gap');
    socket.ws.send(encodeSyncStep2(Y.encodeStateAsUpdate(replica)));
    const acks = () =>
      frames(socket.messages).flatMap((f) =>
        f.kind === 'persisted-ack' ? [f.durableUpdates] : [],
      );
    await waitFor(() => acks().includes(2), 5_000, `an ack counting both messages (${acks()})`);
    const watcher = await watch('acked');
    expect(watcher.text.toString()).toBe('bc');
  });

  it('keep at most one request outstanding per connection until the client answers', async () => {
    const offline = textUpdate('a', { clientID: 702 });
    let base = [offline];
    const gapped: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) {
      const next = textUpdate(String(i), { clientID: 702, base, index: 1 + i });
      gapped.push(next);
      base = [...base, next];
    }
    const socket = await rawSocket(`${running.wsUrl}/bounded`);
    for (const update of gapped) socket.ws.send(encodeSyncUpdate(update));
    await waitFor(() => syncRequests(socket.messages) >= 2, 5_000, 'the first request');
    expect((await outcome(socket, 300)).code).toBe(-1);
    expect(syncRequests(socket.messages)).toBe(2); // the greeting and one request, not ten
  });

  it('close a client whose answers keep leaving gaps after repeated rounds (4400, a bad client)', async () => {
    const missing = textUpdate('never sent', { clientID: 703 });
    const gapped = textUpdate('!', { clientID: 703, base: [missing], index: 10 });
    const socket = await rawSocket(`${running.wsUrl}/bad-client`);
    socket.ws.send(encodeSyncUpdate(gapped));
    // Answer every request with a sync step 2 that still lacks the dependency.
    let answered = 1; // the greeting needs no answer here
    const answer = setInterval(() => {
      const requests = syncRequests(socket.messages);
      for (; answered < requests; answered++) socket.ws.send(encodeSyncStep2(gapped));
    }, 5);
    try {
      const result = await outcome(socket, 5_000);
      expect(result.code).toBe(CloseCode.BadMessage);
      expect(syncRequests(result.messages)).toBe(1 + MAX_SYNC_GAP_ROUNDS);
    } finally {
      clearInterval(answer);
    }
    const watcher = await watch('bad-client');
    expect(watcher.text.toString()).toBe('');
  });

  it('from a viewer are refused as writes (permission denied), never applied and never a close', async () => {
    const secret = 'sync-gap-secret-0123456789-abcdefghij';
    await running.close();
    running = await startServer({ storage: new MemoryStorage(), secret });
    const { signToken } = await import('../src/index.js');
    const token = await signToken({ secret, doc: 'viewed', mode: 'ro' });
    const offline = textUpdate('a', { clientID: 704 });
    const gapped = textUpdate('b', { clientID: 704, base: [offline], index: 1 });
    const socket = await rawSocket(`${running.wsUrl}/viewed?token=${token}`);
    socket.ws.send(encodeSyncUpdate(gapped));
    await waitFor(
      () => frames(socket.messages).some((f) => f.kind === 'permission-denied'),
      5_000,
      `permission denied (got ${frames(socket.messages)
        .map((f) => f.kind)
        .join(', ')})`,
    );
    expect((await outcome(socket, 200)).code).toBe(-1);
    expect(syncRequests(socket.messages)).toBe(1);
  });
});

describe('SyncGapRequests', () => {
  it('requests once, waits while a request is outstanding, and gives up after the rounds of one window', () => {
    const gaps = new SyncGapRequests(3, 1_000);
    expect(gaps.onGap(false, 0)).toBe('request');
    expect(gaps.onGap(false, 1)).toBe('wait');
    expect(gaps.answered()).toBe(2); // both held-back updates are covered by the answer
    expect(gaps.onGap(false, 2)).toBe('request');
    // A gapped sync step 2 cannot be the answer: it starts the next round at once.
    expect(gaps.onGap(true, 3)).toBe('request');
    expect(gaps.onGap(true, 4)).toBe('give-up');
  });

  it('starts counting again in a new window', () => {
    const gaps = new SyncGapRequests(2, 1_000);
    expect(gaps.onGap(true, 0)).toBe('request');
    expect(gaps.onGap(true, 10)).toBe('request');
    expect(gaps.onGap(true, 1_500)).toBe('request');
    expect(gaps.onGap(true, 1_510)).toBe('request');
    expect(gaps.onGap(true, 1_520)).toBe('give-up');
  });
});
