/**
 * Listing documents from PostgreSQL one page at a time, in name or recency order, with keyset
 * pagination (the cursor is the last item's sort key). The page is chosen first, in an inner
 * query that an index range scan answers (the primary key for name order, the recency index
 * otherwise); sizes are summed afterwards for that page's documents only.
 */
import type { ClientBase } from 'pg';
import { parseListCursor, type DocumentInfo, type ListOptions } from './adapter.js';
import type { Tables } from './postgres-schema.js';

/** LIKE's wildcards and its escape character, taken literally. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listDocuments(
  client: ClientBase,
  t: Tables,
  options: ListOptions,
): Promise<DocumentInfo[]> {
  const order = options.order ?? 'name';
  const after = options.cursor === undefined ? null : parseListCursor(options.cursor, order);
  if (options.cursor !== undefined && after === null) return [];
  const where: string[] = [];
  const params: (string | number | null)[] = [];
  const param = (value: string | number | null) => `$${params.push(value)}`;
  if (options.prefix) {
    // The lower bound lets the planner start the index scan at the prefix whatever it makes of
    // the LIKE pattern; LIKE then ends the range (the column's "C" collation makes it exact).
    where.push(`d.name >= ${param(options.prefix)}`);
    where.push(`d.name LIKE ${param(likePrefix(options.prefix))}`);
  }
  if (options.search) {
    // strpos, not LIKE: the text is taken literally. Under "C", lower() folds ASCII only,
    // as SQLite's does.
    const text = param(options.search);
    where.push(
      `(strpos(lower(d.name), lower(${text} COLLATE "C")) > 0 OR strpos(lower(COALESCE(d.title, '') COLLATE "C"), lower(${text} COLLATE "C")) > 0)`,
    );
  }
  if (after !== null) {
    if (order === 'recent') {
      const at = param(after.updatedAt);
      // The plain bound is what the index scan starts from; the OR alone would be a filter on a
      // scan from the newest document, as slow as an offset.
      where.push(
        `d.updated_at <= ${at}`,
        `(d.updated_at < ${at} OR (d.updated_at = ${at} AND d.name > ${param(after.name)}))`,
      );
    } else {
      where.push(`d.name > ${param(after.name)}`);
    }
  }
  const orderBy = (alias: string) =>
    order === 'recent' ? `${alias}.updated_at DESC, ${alias}.name` : `${alias}.name`;
  // LIMIT NULL is no limit.
  const limit = param(options.limit ?? null);
  // octet_length of a stored value reads its length header, not the (possibly TOASTed) bytes.
  const sql = `
    SELECT p.name, p.updated_at AS "updatedAt", p.title,
           p.own + COALESCE((SELECT SUM(octet_length(u.data)) FROM ${t.updates} u
                             WHERE u.doc = p.name), 0) AS size
    FROM (
      SELECT d.name, d.updated_at, d.title,
             COALESCE(octet_length(d.snapshot), 0) + COALESCE(octet_length(d.prev_snapshot), 0)
               AS own
      FROM ${t.documents} d
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${orderBy('d')}
      LIMIT ${limit}
    ) p
    ORDER BY ${orderBy('p')}`;
  const result = await client.query<DocumentInfo>(sql, params);
  return result.rows;
}
