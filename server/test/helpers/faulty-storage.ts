/**
 * A StorageAdapter wrapper for tests that injects the faults real disks produce: ENOSPC and EIO
 * on writes, EIO on fsync, EIO/EACCES on load (for all documents or named ones), and slow writes.
 * Faults are switched on and off at any time; a failing call leaves the wrapped store untouched,
 * just as SQLite rolls back a transaction that hit a full disk.
 */
import type {
  CompactionCover,
  DocumentInfo,
  ListOptions,
  StorageAdapter,
  StoredDocument,
} from '../../src/index.js';

export type FaultCode = 'ENOSPC' | 'EIO' | 'EACCES';

const MESSAGES: Record<FaultCode, string> = {
  ENOSPC: 'no space left on device',
  EIO: 'i/o error',
  EACCES: 'permission denied',
};

/** An error shaped like the one node:fs throws. */
export function fsError(code: FaultCode, syscall: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `${code}: ${MESSAGES[code]} (injected), ${syscall}`,
  );
  error.code = code;
  error.syscall = syscall;
  return error;
}

export class FaultyStorage implements StorageAdapter {
  /** Fails append and compact. */
  writeFault: FaultCode | null = null;
  /** Fails sync (fsync). */
  syncFault: FaultCode | null = null;
  /** Fails load, for every document or only the named ones. */
  loadFault: { code: FaultCode; names?: string[] } | null = null;
  /** Each append/compact waits this long before reaching the store (a slow disk). */
  writeDelayMs = 0;
  /** While set, every sync waits for it: lets a test look at the state between write and fsync. */
  syncGate: Promise<void> | null = null;
  readonly calls = { load: 0, append: 0, compact: 0, sync: 0, failedWrites: 0, failedSyncs: 0 };

  constructor(readonly inner: StorageAdapter) {}

  async load(name: string): Promise<StoredDocument | null> {
    this.calls.load++;
    const fault = this.loadFault;
    if (fault && (!fault.names || fault.names.includes(name))) throw fsError(fault.code, 'read');
    return this.inner.load(name);
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    this.calls.append++;
    const copy = update.slice();
    await this.beforeWrite();
    return this.inner.append(name, copy);
  }

  async compact(name: string, snapshot: Uint8Array, cover: CompactionCover): Promise<boolean> {
    this.calls.compact++;
    const copy = snapshot.slice();
    await this.beforeWrite();
    return this.inner.compact(name, copy, cover);
  }

  async sync(): Promise<void> {
    this.calls.sync++;
    if (this.syncGate) await this.syncGate;
    if (this.syncFault) {
      this.calls.failedSyncs++;
      throw fsError(this.syncFault, 'fsync');
    }
    return this.inner.sync();
  }

  /** Holds every sync until the returned function is called. */
  holdSyncs(): () => void {
    let release!: () => void;
    this.syncGate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.syncGate = null;
      release();
    };
  }

  list(options?: ListOptions): Promise<DocumentInfo[]> {
    return this.inner.list(options);
  }

  delete(name: string): Promise<void> {
    return this.inner.delete(name);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async beforeWrite(): Promise<void> {
    if (this.writeDelayMs > 0) await new Promise((r) => setTimeout(r, this.writeDelayMs));
    // Checked after the delay: a disk fills up while a write is queued, too.
    if (this.writeFault) {
      this.calls.failedWrites++;
      throw fsError(this.writeFault, 'write');
    }
  }
}
