/**
 * Stores that can tell when they are unreachable (PostgresStorage, over the network) and how the
 * persistence layer reacts. SQLite has no such state: its failures are per write (disk full, I/O
 * errors) and are handled per document (save-retry.ts).
 *
 * While such a store is unreachable, its calls fail at once: documents stay in memory, edits are
 * still relayed to the peers of this instance, nothing is acknowledged as saved (each failed
 * write marks its document for repair), and readiness names the reason. One log line says the
 * store is gone, one says it is back (not one per write). When it is back, every document that
 * could not be saved is repaired at once (its full state appended), and acks resume.
 */
import type { StorageAdapter } from '../storage/adapter.js';
import type { Logger } from '../log.js';

export interface StoreAvailability {
  /** Why the store cannot be reached now, or null when it can. */
  unavailableReason(): string | null;
  /** `listener` hears each change: the reason when the store becomes unreachable, null when it
   * is back. Returns the remover. */
  onAvailabilityChange(listener: (reason: string | null) => void): () => void;
}

/** The adapter's availability, when it reports one. */
export function availabilityOf(adapter: StorageAdapter): StoreAvailability | null {
  const candidate = adapter as Partial<StoreAvailability>;
  return typeof candidate.unavailableReason === 'function' &&
    typeof candidate.onAvailabilityChange === 'function'
    ? (candidate as StoreAvailability)
    : null;
}

/** Logs the two transitions and calls `onBack` when the store is reachable again. Returns the
 * remover. */
export function watchAvailability(
  availability: StoreAvailability,
  log: Logger,
  unsavedCount: () => number,
  onBack: () => void,
): () => void {
  return availability.onAvailabilityChange((reason) => {
    if (reason !== null) {
      log.error(
        'storage unreachable: documents stay in memory and editing goes on, but nothing is acknowledged as saved until it is back',
        { reason },
      );
      return;
    }
    log.info('storage reachable again: saving resumes', { unsavedDocuments: unsavedCount() });
    onBack();
  });
}
