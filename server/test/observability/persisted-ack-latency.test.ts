/**
 * quire_persisted_ack_seconds as PersistedAck measures it (a real GroupCommit, an fsync the test
 * settles): from the oldest write an fsync covers to that fsync's success, counted across a
 * failed fsync (those writes were not durable yet), and nothing for a round without writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { GroupCommit } from '../../src/persistence/group-commit.js';
import { PersistedAck } from '../../src/persistence/persisted-ack.js';
import { silentLogger } from '../../src/log.js';
import { waitFor } from '../helpers/poll.js';
import { heldSync } from '../persistence/fakes.js';

/** Lets the promise callbacks of a settled fsync run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('persisted-ack latency', () => {
  const docs: Y.Doc[] = [];
  afterEach(() => {
    for (const doc of docs.splice(0)) doc.destroy();
  });

  it('spans from the first write to the fsync that made it durable, across a failed one', async () => {
    const doc = new Y.Doc();
    docs.push(doc);
    const fsync = heldSync();
    const observed: number[] = [];
    let failures = 0;
    const ack = new PersistedAck(doc, new GroupCommit(fsync.sync, silentLogger), {
      needsRepair: () => false,
      onSyncFailed: () => failures++,
      durableAfter: (seconds) => observed.push(seconds),
    });
    // The load's own round covers no write: nothing to time.
    await waitFor(() => fsync.calls.length === 1, 2_000, 'the load round');
    fsync.calls[0]!.resolve();
    await settle();
    expect(observed).toEqual([]);

    ack.writeStarted();
    const firstWrite = performance.now();
    ack.writeEnded(true);
    await waitFor(() => fsync.calls.length === 2, 2_000, 'the first write round');
    fsync.calls[1]!.reject(new Error('EIO'));
    await settle();
    expect(failures).toBe(1);
    expect(observed).toEqual([]);

    // The rewrite after the failure: the time still counts from the first write.
    ack.writeStarted();
    ack.writeEnded(true);
    await waitFor(() => fsync.calls.length === 3, 2_000, 'the rewrite round');
    const beforeSuccess = performance.now();
    fsync.calls[2]!.resolve();
    await settle();
    expect(observed).toHaveLength(1);
    expect(observed[0]! * 1000).toBeGreaterThanOrEqual(beforeSuccess - firstWrite);

    // The next write is timed from its own start.
    ack.writeStarted();
    const secondWrite = performance.now();
    ack.writeEnded(true);
    await waitFor(() => fsync.calls.length === 4, 2_000, 'the next round');
    fsync.calls[3]!.resolve();
    await settle();
    expect(observed).toHaveLength(2);
    expect(observed[1]! * 1000).toBeLessThanOrEqual(performance.now() - secondWrite + 1);
  });
});
