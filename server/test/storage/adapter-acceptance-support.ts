/** What the StorageAdapter acceptance files share: the factory shape and small helpers. */
import type { CompactionCover, StorageAdapter } from '../../src/index.js';

export interface AdapterFactory {
  /** A fresh, empty store. */
  create(): Promise<CreatedStore>;
}

export interface CreatedStore {
  adapter: StorageAdapter;
  reopen?: () => Promise<StorageAdapter>;
  /** Another handle on the same store, used at the same time as `adapter`. */
  secondWriter: () => Promise<StorageAdapter>;
  cleanup(): Promise<void>;
}

export const bytes = (...values: number[]) => Uint8Array.from(values);

/** A cover for a store compacted once or never (single writer). */
export const through = (throughSeq: number, baseSeq = 0): CompactionCover => ({
  throughSeq,
  baseSeq,
});

/** Runs `fn` on a fresh store and cleans up after it. */
export async function withStore(
  factory: AdapterFactory,
  fn: (store: CreatedStore) => Promise<void>,
): Promise<void> {
  const created = await factory.create();
  try {
    await fn(created);
  } finally {
    await created.adapter.close().catch(() => {});
    await created.cleanup();
  }
}
