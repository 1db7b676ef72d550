/**
 * Small hand-written stand-ins for the persistence unit tests: an fsync the test settles itself,
 * a group-commit participant that records what it was told, and a logger that keeps its lines.
 */
import { vi } from 'vitest';
import type { Logger, LogFields } from '../../src/log.js';
import type { CommitParticipant } from '../../src/persistence/group-commit.js';

/** A promise the test resolves or rejects when it chooses. */
export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An fsync whose every call waits until the test settles it (`calls[i]`). */
export function heldSync() {
  const calls: Deferred[] = [];
  const sync = vi.fn(() => {
    const d = deferred();
    calls.push(d);
    return d.promise;
  });
  return { sync, calls };
}

/** A participant that has something committable while `ready` is true. */
export class FakeParticipant implements CommitParticipant {
  ready = true;
  prepared = 0;
  durable = 0;
  failed = 0;

  prepare(): (() => void) | null {
    this.prepared++;
    if (!this.ready) return null;
    return () => this.durable++;
  }

  syncFailed(): void {
    this.failed++;
  }
}

export interface RecordingLogger extends Logger {
  lines: { level: string; message: string; fields?: LogFields }[];
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Lets every promise continuation already queued run, without moving the fake clock: the
 * fake timers' async tick starts from a real macrotask. */
export async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}
