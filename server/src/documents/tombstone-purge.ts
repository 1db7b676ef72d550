/**
 * The periodic purge of deleted documents: whatever was deleted longer ago than the retention
 * period (deletedRetentionMs) is removed from storage, content and tombstone together
 * (DocumentService.purgeExpired). It runs shortly after start, so a server restarted more often
 * than the interval still purges, and then every interval. With several instances on one store
 * each purges; the store's purge is atomic per document, so they never conflict.
 */
import { errorMessage, type Logger } from '../log.js';
import type { DocumentService } from './document-service.js';

/** How often the purge runs. Retention is counted in days; an hour late is nothing. */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** The first run after start. */
export const FIRST_PURGE_DELAY_MS = 10_000;

/** Starts the purge; returns the function that stops it. */
export function startTombstonePurge(
  documents: DocumentService,
  log: Logger,
  intervalMs = PURGE_INTERVAL_MS,
  firstDelayMs = FIRST_PURGE_DELAY_MS,
): () => void {
  if (!documents.lifecycle) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const purged = await documents.purgeExpired();
      if (purged.length > 0) log.info('deleted documents purged', { count: purged.length });
    } catch (error) {
      log.error('purging deleted documents failed', { error: errorMessage(error) });
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void run(), firstDelayMs);
  const every = setInterval(() => void run(), intervalMs);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
