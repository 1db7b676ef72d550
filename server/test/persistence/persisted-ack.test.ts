/**
 * PersistedAck over a real GroupCommit (fake timers, hand-settled fsync) and a real Y.Doc: what
 * it captures right before an fsync, and what it reports after.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { GROUP_COMMIT_WINDOW_MS, GroupCommit } from '../../src/persistence/group-commit.js';
import { PersistedAck, type DurabilityListener } from '../../src/persistence/persisted-ack.js';
import { silentLogger } from '../../src/log.js';
import { heldSync, settle } from './fakes.js';

// Spied, not replaced: the tests check when the ack encodes a state vector at all.
vi.mock('yjs', async (importOriginal) => {
  const actual = await importOriginal<typeof Y>();
  return { ...actual, encodeStateVector: vi.fn(actual.encodeStateVector) };
});

/** A listener standing in for the room: `handled` plays the peers' message count. */
class FakeListener implements DurabilityListener<number> {
  want = true;
  handled = 0;
  captures = 0;
  reports: { stateVector: Uint8Array; captured: number }[] = [];
  wanted(): boolean {
    return this.want;
  }
  capture(): number {
    this.captures++;
    return this.handled;
  }
  durable(stateVector: Uint8Array, captured: number): void {
    this.reports.push({ stateVector, captured });
  }
}

describe('PersistedAck', () => {
  let doc: Y.Doc;
  let repairing: boolean;
  let syncFailures: number;
  let fsync: ReturnType<typeof heldSync>;
  let ack: PersistedAck;
  let listener: FakeListener;

  /** Runs the pending round and lets its fsync succeed. */
  async function commitRound(): Promise<void> {
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    for (const call of fsync.calls) call.resolve();
    await settle();
  }

  beforeEach(async () => {
    vi.useFakeTimers();
    doc = new Y.Doc();
    repairing = false;
    syncFailures = 0;
    fsync = heldSync();
    const commit = new GroupCommit(fsync.sync, silentLogger);
    ack = new PersistedAck(doc, commit, {
      needsRepair: () => repairing,
      onSyncFailed: () => syncFailures++,
    });
    listener = new FakeListener();
    ack.listen(listener);
  });
  afterEach(() => {
    doc.destroy();
    vi.useRealTimers();
    vi.mocked(Y.encodeStateVector).mockClear();
  });

  it('asks for one fsync after the load, whose report tells the first clients where they stand', async () => {
    doc.getText('t').insert(0, 'loaded');
    expect(ack.durableStateVector).toBeNull();
    await commitRound();
    expect(fsync.sync).toHaveBeenCalledTimes(1);
    expect(listener.reports).toHaveLength(1);
    expect(ack.durableStateVector).toEqual(Y.encodeStateVector(doc));
  });

  it('captures right before the fsync and reports only after it succeeded, never what came during it', async () => {
    await commitRound();
    doc.getText('t').insert(0, 'written');
    listener.handled = 3;
    ack.writeStarted();
    ack.writeEnded(true);
    const written = Y.encodeStateVector(doc);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    expect(listener.captures).toBe(2);
    expect(listener.reports).toHaveLength(1); // the fsync is still running
    listener.handled = 4;
    doc.getText('t').insert(0, 'during the fsync ');
    fsync.calls[1]!.resolve();
    await settle();
    expect(listener.reports[1]).toEqual({ stateVector: written, captured: 3 });
    expect(ack.durableStateVector).toEqual(written);
  });

  it('captures nothing while a write is in flight; the write ending asks for the round that does', async () => {
    await commitRound();
    const before = ack.durableStateVector;
    ack.writeStarted();
    doc.getText('t').insert(0, 'in flight');
    ack.requestRound(); // e.g. a joiner wants to know meanwhile
    await commitRound();
    expect(listener.captures).toBe(1);
    expect(fsync.sync).toHaveBeenCalledTimes(1); // nothing committable: no fsync either
    expect(ack.durableStateVector).toBe(before);

    ack.writeEnded(true);
    await commitRound();
    expect(listener.captures).toBe(2);
    expect(ack.durableStateVector).toEqual(Y.encodeStateVector(doc));
  });

  it('captures nothing while a failed write awaits repair', async () => {
    await commitRound();
    const before = ack.durableStateVector;
    repairing = true;
    doc.getText('t').insert(0, 'not on disk');
    ack.requestRound();
    await commitRound();
    expect(listener.captures).toBe(1);
    expect(listener.reports).toHaveLength(1);
    expect(ack.durableStateVector).toBe(before);

    repairing = false;
    ack.requestRound();
    await commitRound();
    expect(ack.durableStateVector).toEqual(Y.encodeStateVector(doc));
  });

  it('when nobody wants the report, the fsync still runs but no state vector is encoded and the durable vector becomes unknown', async () => {
    await commitRound();
    expect(ack.durableStateVector).not.toBeNull();
    expect(Y.encodeStateVector).toHaveBeenCalledWith(doc); // the spy sees the ack's own calls
    listener.want = false;
    vi.mocked(Y.encodeStateVector).mockClear();
    ack.writeStarted();
    ack.writeEnded(true);
    await commitRound();
    expect(fsync.sync).toHaveBeenCalledTimes(2);
    expect(Y.encodeStateVector).not.toHaveBeenCalled();
    expect(listener.captures).toBe(1);
    expect(ack.durableStateVector).toBeNull();
  });

  it('requestRound reports the current state after the next fsync even though nothing was written', async () => {
    await commitRound();
    listener.handled = 7; // e.g. a sync step 2 that changed nothing
    ack.requestRound();
    await commitRound();
    expect(listener.reports.at(-1)?.captured).toBe(7);
  });

  it('a failed fsync reports nothing and asks for the writes to be redone', async () => {
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    fsync.calls[0]!.reject(new Error('EIO'));
    await settle();
    expect(listener.reports).toEqual([]);
    expect(syncFailures).toBe(1);
    expect(ack.durableStateVector).toBeNull();
  });

  it('after the document is destroyed its last writes still get their fsync, but nothing is captured or reported', async () => {
    await commitRound();
    ack.writeStarted();
    ack.writeEnded(true);
    doc.destroy();
    await commitRound();
    expect(fsync.sync).toHaveBeenCalledTimes(2);
    expect(listener.captures).toBe(1);
    expect(listener.reports).toHaveLength(1);
  });

  it('requestRound after the document is destroyed asks for nothing', async () => {
    await commitRound();
    doc.destroy();
    ack.requestRound();
    await commitRound();
    expect(fsync.sync).toHaveBeenCalledTimes(1);
  });
});
