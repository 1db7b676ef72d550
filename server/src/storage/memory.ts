/** An in-process StorageAdapter for tests and ephemeral mode: nothing survives the process.
 * Seqs are per document and gapless (1, 2, 3… for each), as in PostgreSQL, so instances sharing
 * one MemoryStorage in a process can detect a missed bus message the same way. */
import {
  parseListCursor,
  type CompactionCover,
  type DocumentInfo,
  type ListOptions,
  type LogTail,
  type StorageAdapter,
  type StoredDocument,
} from './adapter.js';
import type { DocumentCatalog, RenameResult } from './catalog.js';
import { MemoryLifecycle } from './memory-lifecycle.js';
import { MemoryVersions } from './memory-versions.js';
import { MemoryOutbox } from './memory-outbox.js';

interface MemoryEntry {
  snapshot: Uint8Array | null;
  compactedThrough: number;
  log: { seq: number; data: Uint8Array }[];
  /** The newest seq assigned to this document (compacted or not). */
  headSeq: number;
  updatedAt: number;
  title: string | null;
}

export class MemoryStorage implements StorageAdapter {
  readonly gaplessSeqs = true;
  private readonly docs = new Map<string, MemoryEntry>();
  private closed = false;
  /** Create-once and tombstones (memory-lifecycle.ts). */
  readonly lifecycle = new MemoryLifecycle({
    has: (name) => this.docs.has(name),
    append: (name, update) => void this.append(name, update),
    remove: (name) => void this.delete(name),
    assertOpen: () => this.assertOpen(),
  });
  readonly versions = new MemoryVersions(() => this.assertOpen());
  /** Webhook deliveries (memory-outbox.ts). */
  readonly outbox = new MemoryOutbox(() => this.assertOpen());
  /** Titles and rename (catalog.ts); atomic by running without an await. */
  readonly catalog: DocumentCatalog = {
    setTitle: async (name, title) => {
      this.assertOpen();
      const entry = this.docs.get(name);
      if (entry) entry.title = title;
    },
    rename: async (from, to, at) => this.rename(from, to, at),
    renamedTo: async (names) => {
      this.assertOpen();
      return this.lifecycle.renamedTargets(names);
    },
  };

  async load(name: string): Promise<StoredDocument | null> {
    this.assertOpen();
    const entry = this.docs.get(name);
    if (!entry) return null;
    return {
      snapshot: entry.snapshot ? entry.snapshot.slice() : null,
      updates: entry.log.map((u) => u.data.slice()),
      lastSeq: entry.log.at(-1)?.seq ?? 0,
      compactedThrough: entry.compactedThrough,
    };
  }

  async append(name: string, update: Uint8Array): Promise<number> {
    this.assertOpen();
    const entry = this.entry(name);
    const seq = ++entry.headSeq;
    entry.log.push({ seq, data: update.slice() });
    entry.updatedAt = Date.now();
    return seq;
  }

  async compact(name: string, snapshot: Uint8Array, cover: CompactionCover): Promise<boolean> {
    this.assertOpen();
    const entry = this.entry(name);
    if (entry.compactedThrough !== cover.baseSeq) return false;
    entry.snapshot = snapshot.slice();
    // Held to the newest seq, as in PostgreSQL: later appends must stay after what it covers.
    entry.compactedThrough = Math.max(
      entry.compactedThrough,
      Math.min(cover.throughSeq, entry.headSeq),
    );
    entry.log = entry.log.filter((u) => u.seq > cover.throughSeq);
    // The content did not change, so neither does updatedAt: 'recent' listings keep their order.
    return true;
  }

  async readLogAfter(name: string, afterSeq: number): Promise<LogTail | null> {
    this.assertOpen();
    const entry = this.docs.get(name);
    if (!entry) return null;
    // Compacted past afterSeq: what it lacks is partly in the snapshot only.
    const folded = afterSeq < entry.compactedThrough;
    return {
      snapshot: folded && entry.snapshot ? entry.snapshot.slice() : null,
      updates: entry.log.filter((u) => u.seq > afterSeq).map((u) => u.data.slice()),
      headSeq: Math.max(afterSeq, entry.headSeq),
    };
  }

  async headSeqs(names: readonly string[]): Promise<Map<string, number>> {
    this.assertOpen();
    const heads = new Map<string, number>();
    for (const name of names) {
      const entry = this.docs.get(name);
      if (entry) heads.set(name, entry.headSeq);
    }
    return heads;
  }

  async sync(): Promise<void> {
    this.assertOpen();
  }

  async list(options: ListOptions = {}): Promise<DocumentInfo[]> {
    this.assertOpen();
    const order = options.order ?? 'name';
    const prefix = options.prefix ?? '';
    const after = options.cursor === undefined ? null : parseListCursor(options.cursor, order);
    if (options.cursor !== undefined && after === null) return [];
    const search = options.search ? asciiLower(options.search) : '';
    const all = [...this.docs]
      .filter(([name]) => name.startsWith(prefix))
      .filter(
        ([name, e]) =>
          asciiLower(name).includes(search) || asciiLower(e.title ?? '').includes(search),
      )
      .map(([name, e]) => ({
        name,
        updatedAt: e.updatedAt,
        size: (e.snapshot?.length ?? 0) + e.log.reduce((sum, u) => sum + u.data.length, 0),
        title: e.title,
      }))
      .sort(order === 'recent' ? byRecent : byName);
    const start =
      after === null
        ? 0
        : all.findIndex((d) => (order === 'recent' ? byRecent(d, after) : byName(d, after)) > 0);
    const rest = start < 0 ? [] : all.slice(start);
    return options.limit === undefined ? rest : rest.slice(0, options.limit);
  }

  async delete(name: string): Promise<void> {
    this.assertOpen();
    this.docs.delete(name);
    this.versions.deleteDocument(name);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private rename(from: string, to: string, at: number): RenameResult {
    this.assertOpen();
    const entry = this.docs.get(from);
    if (!entry || this.lifecycle.isMarked(from)) return 'not-found';
    if (this.docs.has(to)) return 'exists';
    this.docs.delete(from);
    this.docs.set(to, entry);
    this.versions.renameDocument(from, to);
    // A tombstone on `to` without content was left by a rename away from it: lifted.
    this.lifecycle.setMark(to, null);
    this.lifecycle.setMark(from, at, to);
    return 'renamed';
  }

  private entry(name: string): MemoryEntry {
    let entry = this.docs.get(name);
    if (!entry) {
      entry = {
        snapshot: null,
        compactedThrough: 0,
        log: [],
        headSeq: 0,
        updatedAt: Date.now(),
        title: null,
      };
      this.docs.set(name, entry);
    }
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage is closed');
  }
}

/** Case folding of A–Z only, as SQLite's lower() and PostgreSQL's under the "C" collation. */
const asciiLower = (text: string) => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

type Position = { name: string; updatedAt: number };
/** UTF-8 byte order, as SQLite's BINARY collation compares names. */
const byName = (a: Position, b: Position) =>
  Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
const byRecent = (a: Position, b: Position) => b.updatedAt - a.updatedAt || byName(a, b);
