/**
 * The version rows as the SQL stores read them. SQLite's `versions` and PostgreSQL's
 * `quire_versions` have the same columns (sqlite-schema.ts, postgres-schema.ts); the rows become
 * VersionInfo through versionInfo (history/version-store.ts), which the memory store uses too.
 */

/** What a listing reads, in VERSION_INFO_COLUMNS' order. */
export interface VersionInfoRow {
  id: number;
  created_at: number;
  kind: string;
  label: string | null;
  authors: string;
}

/** A whole version: its listing fields, its zlib-compressed state and the state's hash. */
export interface VersionRow extends VersionInfoRow {
  state: Buffer;
  state_hash: string;
}

/** The select list that fills a VersionInfoRow (add `state, state_hash` for a VersionRow). */
export const VERSION_INFO_COLUMNS = 'id, created_at, kind, label, authors';
