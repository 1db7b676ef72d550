/**
 * Listing documents from SQLite one page at a time, in name or recency order, with keyset
 * pagination (the cursor is the last item's sort key), so a page costs an index range scan and
 * the sizes of that page's documents only, however many documents exist. A search (name or
 * title contains the text) filters that scan, so it reads every document's row, never its
 * content.
 */
import type Database from 'better-sqlite3';
import { parseListCursor, type DocumentInfo, type ListOptions } from './adapter.js';

/** GLOB is case-sensitive and compares UTF-8, like names; its wildcards in a name are escaped
 * as one-character classes. */
const globPrefix = (prefix: string) => `${prefix.replace(/[*?[]/g, (c) => `[${c}]`)}*`;

export function listDocuments(db: Database.Database, options: ListOptions): DocumentInfo[] {
  const order = options.order ?? 'name';
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (options.prefix) {
    where.push('d.name >= ?', 'd.name GLOB ?');
    params.push(options.prefix, globPrefix(options.prefix));
  }
  if (options.search) {
    // instr, not LIKE: the search text is taken literally, with no wildcards to escape.
    where.push(
      "(instr(lower(d.name), lower(?)) > 0 OR instr(lower(COALESCE(d.title, '')), lower(?)) > 0)",
    );
    params.push(options.search, options.search);
  }
  const after = options.cursor === undefined ? null : parseListCursor(options.cursor, order);
  if (options.cursor !== undefined && after === null) return [];
  if (after !== null) {
    if (order === 'recent') {
      where.push('(d.updated_at < ? OR (d.updated_at = ? AND d.name > ?))');
      params.push(after.updatedAt, after.updatedAt, after.name);
    } else {
      where.push('d.name > ?');
      params.push(after.name);
    }
  }
  const limit = options.limit === undefined ? -1 : options.limit;
  const sql = `
    SELECT d.name AS name, d.updated_at AS updatedAt, d.title AS title,
           (SELECT COALESCE(SUM(LENGTH(s.data)), 0) FROM snapshots s WHERE s.doc = d.name)
             + (SELECT COALESCE(SUM(LENGTH(u.data)), 0) FROM updates u WHERE u.doc = d.name) AS size
    FROM documents d
    ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY ${order === 'recent' ? 'd.updated_at DESC, d.name' : 'd.name'}
    LIMIT ?`;
  return db.prepare<(string | number)[], DocumentInfo>(sql).all(...params, limit);
}
