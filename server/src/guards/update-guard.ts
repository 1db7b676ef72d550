/**
 * Poison-update defence, run before an update touches a room's Y.Doc:
 * - it must decode as a Yjs V1 update (a stack overflow from 10^5-deep content is caught here);
 * - every struct and every reference (left/right origin, parent) must be in the document or
 *   earlier in the same update, and every deleted range must be known — otherwise Yjs would keep
 *   the update as "pending" state that is neither visible nor safe to persist or relay. Such an
 *   update is not refused as malformed: it is a gap the client can fill (`missing`);
 * - the work it can cause is bounded: overlapping delete ranges (each re-walks the document) and
 *   thousands of concurrent inserts at one spot (quadratic conflict resolution) are refused;
 * - the document must stay under the size limit (4413).
 * Decoding is linear in the message size, which ws already caps (maxPayload). Only V1 is
 * accepted (the y-websocket protocol), so V2's run-length "bombs" (yjs#687) never reach Yjs.
 * After the apply, `takePending` is the safety net for anything this check cannot see.
 */
import * as Y from 'yjs';
import { CloseCode } from '@quire/shared';
import { MAX_CONCURRENT_SIBLINGS_PER_UPDATE } from '../limits.js';

export type UpdateVerdict =
  | {
      ok: true;
      /** Only for viewers: the update holds nothing the document lacks (the normal answer to
       * our sync step 1), so it is accepted silently; otherwise it is a write to refuse. */
      nothingNew?: boolean;
    }
  | { ok: false; code: number; reason: string }
  /** The update builds on, or deletes, content the document does not have yet. Normal while a
   * client reconnects (a keystroke sent before the sync exchange delivered the edits it depends
   * on), so not an error: the update is not applied, and the connection asks the client for
   * everything the server lacks (see sync-gap.ts). */
  | { ok: false; missing: true; reason: string };

const OK: UpdateVerdict = { ok: true };
const bad = (reason: string): UpdateVerdict => ({ ok: false, code: CloseCode.BadMessage, reason });
const gap = (reason: string): UpdateVerdict => ({ ok: false, missing: true, reason });

type Struct = Y.Item | Y.GC | Y.Skip;
/** The decoded delete set (yjs does not export its DeleteSet type). */
type DeleteSet = ReturnType<typeof Y.decodeUpdate>['ds'];

export class UpdateGuard {
  /** Upper-bound estimate of each document's encoded size, recomputed exactly when it nears the
   * limit. Keyed by the doc, so an unloaded room's entry goes with it. */
  private readonly sizes = new WeakMap<Y.Doc, number>();

  constructor(private readonly maxDocumentBytes: number) {}

  /** Whether `update` may be applied to `doc`. Viewers' updates are checked too (the room then
   * compares them with the document), but they cannot grow it. */
  check(doc: Y.Doc, update: Uint8Array, readOnly: boolean): UpdateVerdict {
    let decoded: { structs: Struct[]; ds: DeleteSet };
    try {
      decoded = Y.decodeUpdate(update) as { structs: Struct[]; ds: DeleteSet };
    } catch {
      return bad('malformed update');
    }
    const verdict = checkDependencies(doc, decoded.structs, decoded.ds);
    if (!verdict.ok) return verdict;
    if (readOnly)
      return { ok: true, nothingNew: holdsNothingNew(doc, decoded.structs, decoded.ds) };
    return this.checkSize(doc, update.length);
  }

  private checkSize(doc: Y.Doc, addedBytes: number): UpdateVerdict {
    let estimate = this.sizes.get(doc) ?? Y.encodeStateAsUpdate(doc).length;
    if (estimate + addedBytes > this.maxDocumentBytes) {
      estimate = Y.encodeStateAsUpdate(doc).length; // the estimate only grows; measure exactly
      if (estimate + addedBytes > this.maxDocumentBytes) {
        this.sizes.set(doc, estimate);
        return { ok: false, code: CloseCode.TooLarge, reason: 'document size limit reached' };
      }
    }
    this.sizes.set(doc, estimate + addedBytes);
    return OK;
  }
}

function checkDependencies(doc: Y.Doc, structs: Struct[], ds: DeleteSet): UpdateVerdict {
  // Pass 1: per client, the update must continue the document without a gap, and each client's
  // structs must come as one block (Yjs keeps only the last block of a repeated client).
  const known = new Map<number, number>();
  const finished = new Set<number>();
  let current: number | null = null;
  for (const struct of structs) {
    const { client, clock } = struct.id;
    if (client !== current) {
      if (finished.has(client)) return bad('update repeats a client block');
      if (current !== null) finished.add(current);
      current = client;
    }
    if (clock + struct.length > Number.MAX_SAFE_INTEGER) return bad('update clock out of range');
    if (struct instanceof Y.Skip) continue;
    const next = known.get(client) ?? Y.getState(doc.store, client);
    if (clock > next) return gap('update has missing dependencies');
    known.set(client, Math.max(next, clock + struct.length));
  }
  const has = (id: Y.ID | null): boolean =>
    id === null || id.clock < (known.get(id.client) ?? Y.getState(doc.store, id.client));

  // Pass 2: references, and how many items share one insertion point.
  const siblings = new Map<string, number>();
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const parent = struct.parent instanceof Y.ID ? struct.parent : null;
    if (!has(struct.origin) || !has(struct.rightOrigin) || !has(parent)) {
      return gap('update has missing dependencies');
    }
    const key = `${idKey(struct.origin)}|${idKey(struct.rightOrigin)}|${parentKey(struct)}`;
    const count = (siblings.get(key) ?? 0) + 1;
    if (count > MAX_CONCURRENT_SIBLINGS_PER_UPDATE) return bad('too many concurrent inserts');
    siblings.set(key, count);
  }

  // Delete set: every range known, no overlaps (each range walks the structs it covers).
  for (const [client, ranges] of ds.clients) {
    const end = known.get(client) ?? Y.getState(doc.store, client);
    const sorted = [...ranges].sort((a, b) => a.clock - b.clock);
    let previousEnd = 0;
    for (const { clock, len } of sorted) {
      if (clock + len > end) return gap('update deletes unknown content');
      if (clock < previousEnd) return bad('update has overlapping deletions');
      previousEnd = clock + len;
    }
  }
  return OK;
}

/** Whether applying the update would change nothing: every struct is known and every deleted
 * range is already deleted. Cost: the structs in the update's delete ranges, stopping at the
 * first live one — unlike Y.snapshot(), which walks the whole document on every call. Runs
 * after checkDependencies, so every range lies within the document's known clocks. */
function holdsNothingNew(doc: Y.Doc, structs: Struct[], ds: DeleteSet): boolean {
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > Y.getState(doc.store, struct.id.client)) return false;
  }
  for (const [client, ranges] of ds.clients) {
    const clientStructs = doc.store.clients.get(client);
    for (const { clock, len } of ranges) {
      if (len === 0) continue;
      if (!clientStructs) return false;
      for (let i = Y.findIndexSS(clientStructs, clock); i < clientStructs.length; i++) {
        const struct = clientStructs[i]!;
        if (struct.id.clock >= clock + len) break;
        if (!struct.deleted) return false;
      }
    }
  }
  return true;
}

const idKey = (id: Y.ID | null) => (id === null ? '-' : `${id.client}:${id.clock}`);

function parentKey(item: Y.Item): string {
  const parent = item.parent as unknown;
  if (parent instanceof Y.ID) return `#${idKey(parent)}`;
  if (typeof parent === 'string') return `$${parent}:${item.parentSub ?? ''}`;
  return `~${item.parentSub ?? ''}`;
}

/** Safety net after an apply: when Yjs still kept part of an update as pending (e.g. a dependency
 * cycle the check above cannot see), drops that pending state so it is never persisted, relayed
 * or completed by a later update. Returns whether there was any. */
export function discardPending(doc: Y.Doc): boolean {
  const store = doc.store;
  if (store.pendingStructs === null && store.pendingDs === null) return false;
  store.pendingStructs = null;
  store.pendingDs = null;
  return true;
}
