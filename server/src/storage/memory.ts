/** An in-process StorageAdapter for tests and ephemeral mode: nothing survives the process. */
import type { DocumentInfo, StorageAdapter, StoredDocument } from './adapter.js';

interface MemoryEntry {
  snapshot: Uint8Array | null;
  log: { seq: number; data: Uint8Array }[];
  updatedAt: number;
}

export class MemoryStorage implements StorageAdapter {
  private readonly docs = new Map<string, MemoryEntry>();
  private nextSeq = 1;
  private closed = false;

  async load(name: string): Promise<StoredDocument | null> {
    this.assertOpen();
    const entry = this.docs.get(name);
    if (!entry) return null;
    return {
      snapshot: entry.snapshot ? entry.snapshot.slice() : null,
      updates: entry.log.map((u) => u.data.slice()),
      lastSeq: entry.log.at(-1)?.seq ?? 0,
    };
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    this.assertOpen();
    const entry = this.entry(name);
    const seq = this.nextSeq++;
    entry.log.push({ seq, data: update.slice() });
    entry.updatedAt = Date.now();
    return seq;
  }

  async compact(name: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    this.assertOpen();
    const entry = this.entry(name);
    entry.snapshot = snapshot.slice();
    entry.log = entry.log.filter((u) => u.seq > throughSeq);
    entry.updatedAt = Date.now();
  }

  async sync(): Promise<void> {
    this.assertOpen();
  }

  async list(): Promise<DocumentInfo[]> {
    this.assertOpen();
    return [...this.docs].map(([name, e]) => ({
      name,
      updatedAt: e.updatedAt,
      size: (e.snapshot?.length ?? 0) + e.log.reduce((sum, u) => sum + u.data.length, 0),
    }));
  }

  async delete(name: string): Promise<void> {
    this.assertOpen();
    this.docs.delete(name);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private entry(name: string): MemoryEntry {
    let entry = this.docs.get(name);
    if (!entry) {
      entry = { snapshot: null, log: [], updatedAt: Date.now() };
      this.docs.set(name, entry);
    }
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }
}
