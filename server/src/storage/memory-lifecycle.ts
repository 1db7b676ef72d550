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
  /** Where a tombstone left by a rename points (MemoryStorage's rename). */
  private readonly renamed = new Map<string, string>();

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
    this.renamed.delete(name);
    return true;
  }

  async unmarkDeleted(name: string): Promise<boolean> {
    this.docs.assertOpen();
    this.renamed.delete(name);
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

  /** Sets (with the name it was renamed to) or lifts a tombstone whatever is stored
   * (MemoryStorage's rename). */
  setMark(name: string, at: number | null, renamedTo?: string): void {
    this.renamed.delete(name);
    if (at === null) {
      this.deleted.delete(name);
      return;
    }
    this.deleted.set(name, at);
    if (renamedTo !== undefined) this.renamed.set(name, renamedTo);
  }

  /** The names the tombstoned `names` were renamed to (catalog.ts renamedTo). */
  renamedTargets(names: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    for (const name of names) {
      const to = this.renamed.get(name);
      if (to !== undefined && this.deleted.has(name)) found.set(name, to);
    }
    return found;
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
      this.renamed.delete(name);
    }
    return names;
  }
}
