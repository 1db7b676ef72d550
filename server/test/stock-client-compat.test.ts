/**
 * Compatibility with the unmodified y-websocket WebsocketProvider (the reference Yjs client):
 * concurrent random edits converge, offline edits merge on reconnect, awareness comes and goes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startServer, type RunningServer } from './helpers/server.js';
import { stockClient, waitFor, waitSynced, type StockClient } from './helpers/clients.js';
import { MemoryStorage } from '../src/index.js';
import { seededRandom } from './helpers/random.js';

function randomEdit(client: StockClient, random: () => number): void {
  const text = client.text;
  if (text.length > 0 && random() < 0.3) {
    const index = Math.floor(random() * text.length);
    text.delete(index, Math.min(1 + Math.floor(random() * 3), text.length - index));
  } else {
    const index = Math.floor(random() * (text.length + 1));
    text.insert(
      index,
      String.fromCharCode(97 + Math.floor(random() * 26)).repeat(1 + Math.floor(random() * 3)),
    );
  }
}

const allEqual = (clients: StockClient[]) => {
  const first = clients[0]!.text.toString();
  return clients.every((c) => c.text.toString() === first);
};

describe('stock y-websocket client compatibility', () => {
  let running: RunningServer;
  const clients: StockClient[] = [];

  beforeEach(async () => {
    running = await startServer({ storage: new MemoryStorage() });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await running.close();
  });

  const join = (doc = 'compat') => {
    const c = stockClient(running.wsUrl, doc);
    clients.push(c);
    return c;
  };

  it('four clients making random concurrent edits converge to identical text', async () => {
    const group = [join(), join(), join(), join()];
    await Promise.all(group.map((c) => waitSynced(c)));
    const random = seededRandom(42);
    for (let round = 0; round < 200; round++) {
      randomEdit(group[round % group.length]!, random);
      // Paces the edits on purpose, so relayed updates interleave with local ones.
      if (round % 25 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => allEqual(group), 10_000, 'convergence');
    expect(group[0]!.text.length).toBeGreaterThan(0);
    const states = group.map((c) => Y.encodeStateVector(c.doc));
    for (const sv of states) expect(sv).toEqual(states[0]);
  });

  it('a client that edits offline merges its edits when it reconnects', async () => {
    const [a, b, c] = [join(), join(), join()];
    await Promise.all([a, b, c].map((x) => waitSynced(x)));
    a.text.insert(0, 'shared start. ');
    await waitFor(() => allEqual([a, b, c]));

    c.provider.disconnect();
    await waitFor(() => !c.provider.wsconnected);
    c.text.insert(c.text.length, 'offline from c. ');
    a.text.insert(0, 'online from a. ');
    b.text.insert(b.text.length, 'online from b. ');
    await waitFor(() => a.text.toString() === b.text.toString());
    expect(a.text.toString()).not.toContain('offline from c');

    c.provider.connect();
    await waitFor(() => allEqual([a, b, c]), 10_000, 'offline merge');
    for (const part of ['shared start', 'offline from c', 'online from a', 'online from b']) {
      expect(a.text.toString()).toContain(part);
    }
  });

  it('awareness reaches the other clients and disappears when a client leaves', async () => {
    const [a, b, c] = [join(), join(), join()];
    await Promise.all([a, b, c].map((x) => waitSynced(x)));
    a.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#ff0000' });
    const seesAda = (x: StockClient) =>
      (
        x.provider.awareness.getStates().get(a.doc.clientID) as
          { user?: { name: string } } | undefined
      )?.user?.name === 'Ada';
    await waitFor(() => seesAda(b) && seesAda(c), 5_000, 'awareness to arrive');

    // An abrupt close (no goodbye message): the server must announce the removal itself.
    (a.provider.ws as unknown as { terminate(): void } | null)?.terminate();
    a.provider.shouldConnect = false;
    await waitFor(
      () =>
        !b.provider.awareness.getStates().has(a.doc.clientID) &&
        !c.provider.awareness.getStates().has(a.doc.clientID),
      5_000,
      'awareness removal',
    );
  });

  it('a client joining later receives the current awareness states', async () => {
    const a = join();
    const witness = join();
    await Promise.all([waitSynced(a), waitSynced(witness)]);
    a.provider.awareness.setLocalStateField('user', { name: 'Early' });
    const seesEarly = (x: StockClient) =>
      (
        x.provider.awareness.getStates().get(a.doc.clientID) as
          { user?: { name: string } } | undefined
      )?.user?.name === 'Early';
    // Relayed to the witness means the server holds it.
    await waitFor(() => seesEarly(witness), 5_000, 'the state to reach the server');
    const late = join();
    await waitFor(() => seesEarly(late), 5_000, 'initial awareness');
  });

  it('documents are isolated from each other', async () => {
    const a = join('doc-one');
    const b = join('doc-two');
    await Promise.all([waitSynced(a), waitSynced(b)]);
    a.text.insert(0, 'only in one');
    const a2 = join('doc-one');
    await waitFor(() => a2.text.toString() === 'only in one');
    expect(b.text.toString()).toBe('');
  });
});
