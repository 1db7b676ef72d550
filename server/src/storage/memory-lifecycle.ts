/** MemoryStorage's create-once and tombstones (lifecycle.ts): one process, so every method is
 * atomic by running without an await. */
import type { DocumentLifecycle } from './lifecycle.js';

export interface MemoryDocuments {
  has(name: string): boolean;
  append(name: string, update: Uint8Array): void;
  remove(name: string): void;
  assertOpen(): void;
}

export class MemoryLifecycle implements DocumentLifecycle {
  private readonly deleted = new Map<string, number>();

  constructor(private readonly docs: MemoryDocuments) {}

  async create(name: string, initialUpdate: Uint8Array): Promise<boolean> {
    this.docs.assertOpen();
    if (this.docs.has(name)) return false;
    this.docs.append(name, initialUpdate);
    return true;
  }

  async markDeleted(name: string, at: number): Promise<boolean> {
    this.docs.assertOpen();
    if (!this.docs.has(name) || this.deleted.has(name)) return false;
    this.deleted.set(name, at);
    return true;
  }

  async unmarkDeleted(name: string): Promise<boolean> {
    this.docs.assertOpen();
    return this.deleted.delete(name);
  }

  async deletedAt(names: readonly string[]): Promise<Map<string, number>> {
    this.docs.assertOpen();
    const found = new Map<string, number>();
    for (const name of names) {
      const at = this.deleted.get(name);
      if (at !== undefined) found.set(name, at);
    }
    return found;
  }

  /** Whether `name` carries a tombstone (MemoryStorage's rename). */
  isMarked(name: string): boolean {
    return this.deleted.has(name);
  }

  /** Sets or lifts a tombstone whatever is stored (MemoryStorage's rename). */
  setMark(name: string, at: number | null): void {
    if (at === null) this.deleted.delete(name);
    else this.deleted.set(name, at);
  }

  async purgeDeleted(before: number, limit: number): Promise<string[]> {
    this.docs.assertOpen();
    const names = [...this.deleted]
      .filter(([, at]) => at < before)
      .sort((a, b) => a[1] - b[1])
      .slice(0, limit)
      .map(([name]) => name);
    for (const name of names) {
      this.docs.remove(name);
      this.deleted.delete(name);
    }
    return names;
  }
}
