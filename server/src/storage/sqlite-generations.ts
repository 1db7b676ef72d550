/**
 * SqliteStorage's snapshot generations, on the store's own connection: what a load returns, the
 * tail a reconnecting reader lacks, and the compaction that makes a new generation.
 *
 * A document's rows in the snapshots table (sqlite-schema.ts) are its generations: the newest is
 * current, the one below it the previous one, kept with the log after it so that a current
 * snapshot failing its checksum can be replaced on load by the previous snapshot plus that log,
 * which together hold the same document. A compaction is one transaction: a crash at any instant
 * leaves either the old or the new generation, never a mix.
 */
import type Database from 'better-sqlite3';
import { crc32, intact } from './checksum.js';
import type { CompactionCover, LogTail, StoredDocument } from './adapter.js';
import { wholeDocumentTail } from './log-tail.js';

/** One generation's snapshot: `data` NULL is the empty document, `crc` NULL predates checksums. */
interface SnapshotRow {
  through: number;
  crc: number | null;
  data: Buffer | null;
}

/** A document that was never compacted: no snapshot, the whole log. */
const NO_SNAPSHOT: SnapshotRow = { through: 0, crc: null, data: null };

interface UpdateRow {
  seq: number;
  data: Buffer;
  crc: number | null;
}

export class SqliteGenerations {
  private readonly statements;
  private readonly loadTx: (name: string) => StoredDocument | null;
  private readonly readLogAfterTx: (name: string, afterSeq: number) => LogTail | null;
  private readonly compactTx: (
    name: string,
    snapshot: Uint8Array,
    cover: CompactionCover,
    now: number,
  ) => boolean;

  constructor(db: Database.Database) {
    this.statements = {
      exists: db.prepare<[string], { name: string }>('SELECT name FROM documents WHERE name = ?'),
      current: db.prepare<[string], SnapshotRow>(
        'SELECT through, crc, data FROM snapshots WHERE doc = ? ORDER BY through DESC LIMIT 1',
      ),
      // The generation below `through`: the previous one when `through` is the current one's.
      below: db.prepare<[string, number], SnapshotRow>(
        `SELECT through, crc, data FROM snapshots WHERE doc = ? AND through < ?
         ORDER BY through DESC LIMIT 1`,
      ),
      compactedThrough: db.prepare<[string], { through: number }>(
        'SELECT COALESCE(MAX(through), 0) AS through FROM snapshots WHERE doc = ?',
      ),
      hasSnapshot: db.prepare<[string], { doc: string }>(
        'SELECT doc FROM snapshots WHERE doc = ? LIMIT 1',
      ),
      log: db.prepare<[string, number], UpdateRow>(
        'SELECT seq, data, crc FROM updates WHERE doc = ? AND seq > ? ORDER BY seq',
      ),
      // A compaction changes no content, so it leaves updated_at alone ('recent' order).
      create: db.prepare<[string, number]>(
        `INSERT INTO documents (name, updated_at) VALUES (?, ?)
         ON CONFLICT (name) DO NOTHING`,
      ),
      // A compaction at the current generation's seq (a heal of a damaged snapshot) replaces it.
      putSnapshot: db.prepare<[string, number, number, Uint8Array]>(
        `INSERT INTO snapshots (doc, through, crc, data) VALUES (?, ?, ?, ?)
         ON CONFLICT (doc, through) DO UPDATE SET crc = excluded.crc, data = excluded.data`,
      ),
      // A first compaction keeps "no snapshot and the whole log" as its previous generation.
      putEmptyBase: db.prepare<[string]>(
        `INSERT INTO snapshots (doc, through, crc, data) VALUES (?, 0, NULL, NULL)
         ON CONFLICT (doc, through) DO NOTHING`,
      ),
      dropOlderSnapshots: db.prepare<[string, number]>(
        'DELETE FROM snapshots WHERE doc = ? AND through < ?',
      ),
      dropLogThrough: db.prepare<[string, number]>(
        'DELETE FROM updates WHERE doc = ? AND seq <= ?',
      ),
      dropAll: db.prepare<[string]>('DELETE FROM snapshots WHERE doc = ?'),
    };
    // Read transactions: another connection's compaction cannot land between the reads.
    this.loadTx = db.transaction((name: string) => this.loadDocument(name));
    this.readLogAfterTx = db.transaction((name: string, afterSeq: number) =>
      this.tailAfter(name, afterSeq),
    );
    this.compactTx = db.transaction(
      (name: string, snapshot: Uint8Array, cover: CompactionCover, now: number) =>
        this.rotate(name, snapshot, cover, now),
    );
  }

  /** The stored document, or null if none is stored under that name. */
  load(name: string): StoredDocument | null {
    return this.loadTx(name);
  }

  /** What a reader that has everything through `afterSeq` lacks. */
  readLogAfter(name: string, afterSeq: number): LogTail | null {
    return this.readLogAfterTx(name, afterSeq);
  }

  /** Makes `snapshot` the current generation, unless another writer compacted since the read
   * `cover.baseSeq` came from: then nothing changes (its snapshot may lack what that one dropped
   * from the log) and the result is false. */
  compact(name: string, snapshot: Uint8Array, cover: CompactionCover, now: number): boolean {
    return this.compactTx(name, snapshot, cover, now);
  }

  /** Deletes every generation of `name` (inside the caller's transaction). */
  deleteAll(name: string): void {
    this.statements.dropAll.run(name);
  }

  private loadDocument(name: string): StoredDocument | null {
    if (!this.statements.exists.get(name)) return null;
    const row = this.statements.current.get(name) ?? NO_SNAPSHOT;
    const current = this.generation(name, row.data, row.through);
    if (intact(row.data, row.crc)) return current;
    // The previous snapshot is read only when it is needed.
    const prev = this.statements.below.get(name, row.through);
    if (!prev || !intact(prev.data, prev.crc)) {
      throw new Error('stored snapshot failed its checksum and no intact previous one exists');
    }
    const previous = this.generation(name, prev.data, prev.through);
    // Whichever generation is returned, a compaction must name the current one.
    previous.compactedThrough = row.through;
    previous.damaged = [...(previous.damaged ?? []), 'snapshot checksum mismatch: previous used'];
    return previous;
  }

  /** One generation: a snapshot and every intact logged update after the seq it covers. */
  private generation(name: string, snapshot: Buffer | null, through: number): StoredDocument {
    const rows = this.statements.log.all(name, through);
    const good = rows.filter((u) => intact(u.data, u.crc));
    const result: StoredDocument = {
      snapshot: snapshot ? new Uint8Array(snapshot) : null,
      updates: good.map((u) => new Uint8Array(u.data)),
      lastSeq: rows.at(-1)?.seq ?? 0,
      compactedThrough: through,
    };
    if (good.length < rows.length) result.damaged = damagedSeqs(rows);
    return result;
  }

  private tailAfter(name: string, afterSeq: number): LogTail | null {
    if (!this.statements.exists.get(name)) return null;
    const compactedThrough = this.statements.compactedThrough.get(name)?.through ?? 0;
    if (afterSeq < compactedThrough) {
      // Part of what the reader lacks is in the snapshot only: the whole current generation
      // (with load's fallback to the previous one when the snapshot is damaged).
      const stored = this.loadDocument(name);
      return stored && wholeDocumentTail(stored, afterSeq);
    }
    const rows = this.statements.log.all(name, afterSeq);
    const tail: LogTail = {
      snapshot: null,
      updates: rows.filter((u) => intact(u.data, u.crc)).map((u) => new Uint8Array(u.data)),
      headSeq: Math.max(afterSeq, rows.at(-1)?.seq ?? 0),
    };
    if (tail.updates.length < rows.length) tail.damaged = damagedSeqs(rows);
    return tail;
  }

  private rotate(name: string, snapshot: Uint8Array, cover: CompactionCover, now: number): boolean {
    const s = this.statements;
    const current = s.compactedThrough.get(name)?.through ?? 0;
    if (current !== cover.baseSeq) return false;
    // A snapshot never moves the document's seq back (a document with an empty log after its
    // snapshot reads as lastSeq 0).
    const through = Math.max(cover.throughSeq, current);
    s.create.run(name, now);
    if (!s.hasSnapshot.get(name)) s.putEmptyBase.run(name);
    s.putSnapshot.run(name, through, crc32(snapshot), snapshot);
    // Two generations stay: this one and the one below it, with the log after that one.
    const previous = s.below.get(name, through);
    if (previous) {
      s.dropOlderSnapshots.run(name, previous.through);
      s.dropLogThrough.run(name, previous.through);
    }
    return true;
  }
}

const damagedSeqs = (rows: readonly UpdateRow[]): string[] =>
  rows
    .filter((u) => !intact(u.data, u.crc))
    .map((u) => `update ${u.seq} checksum mismatch: left out`);
