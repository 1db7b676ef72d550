/**
 * Instances sharing a store each hold their own rooms: a DELETE on one closes only that
 * instance's sessions. This sweep makes the others follow within an interval: one storage query
 * for the tombstones of every loaded room (DocumentService.evictDeletedRooms), whose sessions
 * are then closed with 4410 and whose rooms are dropped unsaved. Their reconnects get 410 at the
 * upgrade, which reads the shared tombstones.
 */
import { errorMessage, type Logger } from '../log.js';
import type { DocumentService } from './document-service.js';

/** A few seconds: a deleted document's editors on other instances are closed within this. */
export const DELETED_ROOM_SWEEP_INTERVAL_MS = 2_000;

/** Starts the sweep; returns the function that stops it. */
export function startDeletedRoomSweep(
  documents: DocumentService,
  log: Logger,
  intervalMs = DELETED_ROOM_SWEEP_INTERVAL_MS,
): () => void {
  if (!documents.lifecycle) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    documents
      .evictDeletedRooms()
      .catch((error: unknown) => {
        log.warn('checking open documents for deletions failed', { error: errorMessage(error) });
      })
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
