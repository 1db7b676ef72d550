/** MemoryStorage's versions: an in-process VersionStore (nothing survives the process). */
import type {
  NewVersion,
  StoredVersion,
  VersionInfo,
  VersionListOptions,
  VersionStore,
} from '../history/version-store.js';

export class MemoryVersions implements VersionStore {
  private readonly byDoc = new Map<string, StoredVersion[]>();
  private nextId = 1;

  constructor(private readonly assertOpen: () => void = () => {}) {}

  async add(version: NewVersion): Promise<number> {
    this.assertOpen();
    const id = this.nextId++;
    const stored: StoredVersion = {
      id,
      doc: version.doc,
      createdAt: version.createdAt,
      kind: version.kind,
      authors: [...version.authors],
      state: version.state.slice(),
      stateHash: version.stateHash,
    };
    if (version.label !== undefined) stored.label = version.label;
    const list = this.byDoc.get(version.doc) ?? [];
    list.push(stored);
    this.byDoc.set(version.doc, list);
    return id;
  }

  async list(doc: string, options: VersionListOptions = {}): Promise<VersionInfo[]> {
    this.assertOpen();
    let all = this.sorted(doc);
    if (options.before !== undefined) {
      const at = all.findIndex((v) => v.id === options.before);
      all = at < 0 ? [] : all.slice(at + 1);
    }
    if (options.limit !== undefined) all = all.slice(0, options.limit);
    return all.map(info);
  }

  async get(doc: string, id: number): Promise<StoredVersion | null> {
    this.assertOpen();
    const found = this.byDoc.get(doc)?.find((v) => v.id === id);
    return found
      ? { ...info(found), doc, state: found.state.slice(), stateHash: found.stateHash }
      : null;
  }

  async latest(doc: string): Promise<{ id: number; stateHash: string } | null> {
    this.assertOpen();
    const newest = this.sorted(doc)[0];
    return newest ? { id: newest.id, stateHash: newest.stateHash } : null;
  }

  async remove(doc: string, ids: readonly number[]): Promise<number> {
    this.assertOpen();
    const list = this.byDoc.get(doc);
    if (!list) return 0;
    const drop = new Set(ids);
    const kept = list.filter((v) => !drop.has(v.id));
    if (kept.length === 0) this.byDoc.delete(doc);
    else this.byDoc.set(doc, kept);
    return list.length - kept.length;
  }

  async documents(options: { after?: string; limit: number }): Promise<string[]> {
    this.assertOpen();
    const after = options.after;
    return [...this.byDoc.keys()]
      .filter((name) => after === undefined || byCodePoint(name, after) > 0)
      .sort(byCodePoint)
      .slice(0, options.limit);
  }

  /** Every version of `from` moves to `to` (MemoryStorage's rename). */
  renameDocument(from: string, to: string): void {
    const list = this.byDoc.get(from);
    this.byDoc.delete(from);
    if (list)
      this.byDoc.set(
        to,
        list.map((v) => ({ ...v, doc: to })),
      );
  }

  /** Every version of `doc` goes (MemoryStorage.delete). */
  deleteDocument(doc: string): void {
    this.byDoc.delete(doc);
  }

  private sorted(doc: string): StoredVersion[] {
    return [...(this.byDoc.get(doc) ?? [])].sort(
      (a, b) => b.createdAt - a.createdAt || b.id - a.id,
    );
  }
}

function info(v: StoredVersion): VersionInfo {
  const result: VersionInfo = {
    id: v.id,
    createdAt: v.createdAt,
    kind: v.kind,
    authors: [...v.authors],
  };
  if (v.label !== undefined) result.label = v.label;
  return result;
}

/** UTF-8 byte order (code point order), as the SQL stores compare names. */
const byCodePoint = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
