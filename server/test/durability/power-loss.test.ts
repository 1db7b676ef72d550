/**
 * Threat model F2 (docs/threat-model.md), first half: power loss. PowerLossStorage keeps only what
 * was fsynced plus a prefix of the rest; at random instants while three clients type, the store a
 * power loss would leave behind must load and hold everything the clients had been told was saved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { StorageAdapter } from '../../src/index.js';
import { ackingClient, covers, type AckingClient } from '../helpers/ack-client.js';
import { waitFor, waitSynced } from '../helpers/clients.js';
import { PowerLossStorage } from '../helpers/power-loss-storage.js';
import { startServer } from '../helpers/server.js';

/** Rebuilds a document the way the server loads it; throws if storage holds invalid bytes. */
async function loadDoc(storage: StorageAdapter, name: string): Promise<Y.Doc> {
  const stored = await storage.load(name);
  const doc = new Y.Doc();
  doc.transact(() => {
    if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored?.updates ?? []) Y.applyUpdate(doc, update);
  });
  return doc;
}

describe('power loss', () => {
  const clients: AckingClient[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  it('keeps every acknowledged edit, whatever unsynced writes the power loss takes', async () => {
    const storage = new PowerLossStorage();
    // A low compaction threshold, so power losses also hit compactions.
    const running = await startServer({ storage, compactAfterUpdates: 15 });
    for (let i = 0; i < 3; i++) clients.push(ackingClient(running.wsUrl, 'power'));
    await Promise.all(clients.map((c) => waitSynced(c)));

    const crashes: { survivor: Promise<StorageAdapter>; acked: Map<number, number>[] }[] = [];
    const crash = (keepUnsynced?: number) =>
      crashes.push({
        survivor: storage.survivor(keepUnsynced),
        acked: clients.flatMap((c) => c.acks.slice(-1)),
      });
    for (let round = 0; round < 60; round++) {
      for (const [n, c] of clients.entries()) {
        c.text.insert(round % 2 ? 0 : c.text.length, `[${n}.${round}]`);
        if (round % 7 === 3) c.text.delete(0, 1);
      }
      // Paces the writers on purpose, so the crashes below fall between writes at random points.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 6));
      if (round % 4 === 0) {
        crash(0); // the worst case: every unsynced write is gone
        crash(); // a random prefix of them survived
      }
    }
    await waitFor(() => clients.every((c) => c.saved()), 10_000, 'all saved');
    crash(0);
    expect(storage.unsyncedWrites).toBe(0);

    for (const { survivor, acked } of crashes) {
      const doc = await loadDoc(await survivor, 'power');
      expect(doc.store.pendingStructs).toBeNull();
      const durable = Y.decodeStateVector(Y.encodeStateVector(doc));
      for (const sv of acked) expect(covers(durable, sv)).toBe(true);
    }
    // The last crash came after everything was saved: nothing at all is lost.
    const last = await loadDoc(await crashes.at(-1)!.survivor, 'power');
    expect(last.getText('text').toString()).toBe(clients[0]!.text.toString());
    await running.close();
  });
});
