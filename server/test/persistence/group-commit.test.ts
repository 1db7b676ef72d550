/** GroupCommit on fake timers with a hand-settled fsync: windows, rounds, failures, shutdown. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GROUP_COMMIT_WINDOW_MS, GroupCommit } from '../../src/persistence/group-commit.js';
import { silentLogger } from '../../src/log.js';
import { FakeParticipant, heldSync, recordingLogger, settle } from './fakes.js';

describe('GroupCommit', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a round only once the commit window after the first request has passed', async () => {
    const { sync } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    commit.request(new FakeParticipant());
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS - 1);
    expect(sync).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it('a request later in the window does not push the round back', async () => {
    const { sync } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    commit.request(new FakeParticipant());
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS - 1);
    commit.request(new FakeParticipant());
    await vi.advanceTimersByTimeAsync(1);
    expect(sync).toHaveBeenCalledTimes(1);
  });

  it('covers every participant that requested within the window with one fsync', async () => {
    const { sync, calls } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const participants = [new FakeParticipant(), new FakeParticipant(), new FakeParticipant()];
    for (const p of participants) commit.request(p);
    commit.request(participants[0]!); // a second write of the same document
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(participants.map((p) => p.prepared)).toEqual([1, 1, 1]);
    expect(participants.map((p) => p.durable)).toEqual([0, 0, 0]); // not before the fsync ends
    calls[0]!.resolve();
    await settle();
    expect(participants.map((p) => p.durable)).toEqual([1, 1, 1]);
    expect(commit.stats()).toMatchObject({ fsyncs: 1, documentsPerFsync: 3, writesPerFsync: 4 });
  });

  it('skips a participant with nothing committable, and runs no fsync when nobody has anything', async () => {
    const { sync, calls } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const busy = new FakeParticipant();
    busy.ready = false;
    commit.request(busy);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    expect(busy.prepared).toBe(1);
    expect(sync).not.toHaveBeenCalled();

    const ready = new FakeParticipant();
    commit.request(busy);
    commit.request(ready);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    calls[0]!.resolve();
    await settle();
    expect(ready.durable).toBe(1);
    expect(busy.durable).toBe(0);
    expect(commit.stats().documentsPerFsync).toBe(1);
  });

  it('a request made during an fsync waits for the next round', async () => {
    const { sync, calls } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const first = new FakeParticipant();
    const late = new FakeParticipant();
    commit.request(first);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    commit.request(late);
    await vi.advanceTimersByTimeAsync(10 * GROUP_COMMIT_WINDOW_MS); // a slow fsync
    expect(late.prepared).toBe(0);
    expect(sync).toHaveBeenCalledTimes(1);

    calls[0]!.resolve();
    await settle();
    expect(first.durable).toBe(1);
    expect(late.durable).toBe(0);
    // Its window has long passed: the next round starts right away.
    await vi.advanceTimersByTimeAsync(0);
    expect(late.prepared).toBe(1);
    expect(sync).toHaveBeenCalledTimes(2);
    calls[1]!.resolve();
    await settle();
    expect(late.durable).toBe(1);
    expect(first.durable).toBe(1);
  });

  it('a failed fsync tells every participant of its span to rewrite, including those that requested during it', async () => {
    const { sync, calls } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const covered = new FakeParticipant();
    const skipped = new FakeParticipant();
    skipped.ready = false; // a write in flight: its bytes may sit in the same lost pages
    const during = new FakeParticipant();
    const untouched = new FakeParticipant();
    commit.request(covered);
    commit.request(skipped);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    commit.request(during);
    calls[0]!.reject(new Error('EIO'));
    await settle();
    expect([covered.failed, skipped.failed, during.failed, untouched.failed]).toEqual([1, 1, 1, 0]);
    expect(covered.durable).toBe(0);
    expect(commit.isFailing).toBe(true);
    expect(commit.stats()).toMatchObject({ fsyncs: 0, fsyncFailures: 1 });
  });

  it('stays failing until an fsync succeeds again, logging the failure once and the recovery', async () => {
    const { sync, calls } = heldSync();
    const log = recordingLogger();
    const commit = new GroupCommit(sync, log);
    const p = new FakeParticipant();
    for (let round = 0; round < 2; round++) {
      commit.request(p);
      await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
      calls[round]!.reject(new Error('EIO'));
      await settle();
      expect(commit.isFailing).toBe(true);
    }
    commit.request(p);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    expect(commit.isFailing).toBe(true); // not while the fsync is still running
    calls[2]!.resolve();
    await settle();
    expect(commit.isFailing).toBe(false);
    expect(p.durable).toBe(1);
    expect(log.lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      'error fsync failed',
      'info fsync succeeded again',
    ]);
  });

  it('flush runs the waiting round at once and resolves when every request so far is durable', async () => {
    const { sync, calls } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const first = new FakeParticipant();
    const second = new FakeParticipant();
    commit.request(first);
    await vi.advanceTimersByTimeAsync(GROUP_COMMIT_WINDOW_MS);
    commit.request(second); // waits behind the running fsync
    let flushed = false;
    const flushing = commit.flush().then(() => (flushed = true));
    calls[0]!.resolve();
    await settle();
    expect(sync).toHaveBeenCalledTimes(2); // the next round, without waiting for a window
    expect(flushed).toBe(false);
    calls[1]!.resolve();
    await flushing;
    expect([first.durable, second.durable]).toEqual([1, 1]);
  });

  it('flush with nothing waiting resolves without an fsync', async () => {
    const { sync } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    await commit.flush();
    expect(sync).not.toHaveBeenCalled();
  });

  it('close cancels the waiting round and ignores later requests', async () => {
    const { sync } = heldSync();
    const commit = new GroupCommit(sync, silentLogger);
    const p = new FakeParticipant();
    commit.request(p);
    commit.close();
    commit.request(p);
    await vi.advanceTimersByTimeAsync(10 * GROUP_COMMIT_WINDOW_MS);
    expect(sync).not.toHaveBeenCalled();
    expect(p.prepared).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
