/**
 * Which document updates from a connection reach its room: every sync step 2 and update passes
 * the poison-update guard (auth/update-guard.ts) first. A malformed one closes the connection; a
 * gapped one is a race answered with a sync request (sync-gap.ts); a viewer's write is refused
 * with "permission denied", while its harmless sync answer is accepted silently.
 */
import * as Y from 'yjs';
import { CloseCode, encodePermissionDenied, encodeSyncStep1 } from '@quire/shared';
import type { CreationQuota } from './creation-quota.js';
import type { UpdateGuard } from './update-guard.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { SyncGapRequests } from './sync-gap.js';

/** What admission needs from the connection the update came from. */
export interface UpdateSender {
  readonly id: number;
  readonly docName: string;
  readonly readOnly: boolean;
  /** Who pays for documents it creates (creation-quota.ts); null = exempt. */
  readonly quotaKey: string | null;
  /** Its messages the room has handled, for the persisted ack (room/peer.ts). */
  updatesHandled: number;
  /** Its gap-request state, created on first use (most connections never need one). */
  gapRequests(): SyncGapRequests;
  /** The same, or null when it never needed one. */
  readonly existingGapRequests: SyncGapRequests | null;
  send(frame: Uint8Array): void;
  /** Writes even while the connection is being held back as a slow reader. */
  sendNow(frame: Uint8Array): void;
  close(code: number, reason: string): void;
}

export interface AdmissionContext {
  updateGuard: UpdateGuard;
  creationQuota: CreationQuota;
  log: Logger;
  metrics: Metrics;
}

/** An update with no structs and no deletions (`[0, 0]`). */
const EMPTY_UPDATE_BYTES = 2;

/** Whether the room should apply `update` from `sender`. */
export function admitUpdate(
  sender: UpdateSender,
  doc: Y.Doc,
  update: Uint8Array,
  isSyncStep2: boolean,
  ctx: AdmissionContext,
): boolean {
  const verdict = ctx.updateGuard.check(doc, update, sender.readOnly);
  if (!verdict.ok && 'missing' in verdict) {
    askForWhatIsMissing(sender, doc, isSyncStep2, verdict.reason, ctx);
    return false;
  }
  if (!verdict.ok) {
    ctx.log.warn('update refused', {
      conn: sender.id,
      doc: sender.docName,
      reason: verdict.reason,
    });
    sender.close(verdict.code, verdict.reason);
    return false;
  }
  if (sender.readOnly) {
    // Decided here, without the room's Y.snapshot() (a walk of the whole document per message):
    // nothing new is the viewer's normal sync answer; anything else is refused.
    if (!verdict.nothingNew) sender.send(encodePermissionDenied('read-only'));
    return false;
  }
  // The first content creates the document: charged to the writer's quota. An empty update
  // (`[0, 0]`, a client's answer to our sync step 1 for an empty document) creates nothing.
  if (doc.store.clients.size === 0 && update.length > EMPTY_UPDATE_BYTES) {
    if (!ctx.creationQuota.tryCharge(sender.quotaKey)) {
      ctx.log.warn('new-document quota used up', { conn: sender.id, doc: sender.docName });
      sender.close(CloseCode.TryAgainLater, 'too many new documents; retry later');
      return false;
    }
  }
  // The answer covers every update held back before it: counted now, as it is applied.
  if (isSyncStep2 && sender.existingGapRequests) {
    sender.updatesHandled += sender.existingGapRequests.answered();
  }
  return true;
}

/** See sync-gap.ts. From a viewer, a gapped update is a write like any other: refused. */
function askForWhatIsMissing(
  sender: UpdateSender,
  doc: Y.Doc,
  isSyncStep2: boolean,
  reason: string,
  ctx: AdmissionContext,
): void {
  if (sender.readOnly) {
    sender.send(encodePermissionDenied('read-only'));
    return;
  }
  const context = { conn: sender.id, doc: sender.docName, reason };
  ctx.metrics.syncGapUpdates++;
  const decision = sender.gapRequests().onGap(isSyncStep2);
  if (decision === 'wait') return;
  if (decision === 'give-up') {
    ctx.log.warn('update refused: gaps remain after repeated sync rounds', context);
    sender.close(CloseCode.BadMessage, 'updates keep missing dependencies');
    return;
  }
  ctx.metrics.syncGapRequests++;
  ctx.log.debug('update arrived before what it depends on: asking for it', context);
  // Sent even to a reader that is being held back: without it the client would never send what
  // is missing. One small frame per round.
  sender.sendNow(encodeSyncStep1(Y.encodeStateVector(doc)));
}
