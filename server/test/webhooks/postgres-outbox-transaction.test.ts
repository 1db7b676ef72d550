/**
 * On PostgreSQL an event's outbox rows commit in the same transaction as the append of the
 * change they report (the group commit's one statement), so no crash can keep the change and
 * lose its event. Checked with PostgreSQL's own transaction ids (xmin) of the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import * as Y from 'yjs';
import { PostgresStorage, type NewOutboxEvent } from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

function event(id: string, doc: string): NewOutboxEvent {
  const now = Date.now();
  return {
    eventId: id,
    event: 'document.changed',
    doc,
    payload: JSON.stringify({ id }),
    createdAt: now,
    availableAt: now,
  };
}

function anUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('codemirror').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('PostgreSQL webhook outbox and appends', () => {
  let db: TestDatabase;
  let storage: PostgresStorage;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    storage = new PostgresStorage({ connectionString: db.url });
    await storage.ready();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await storage.close();
    await db.drop();
  });

  const xminOf = async (sql: string, value: string): Promise<string[]> =>
    (await client.query<{ xmin: string }>(sql, [value])).rows.map((r) => r.xmin);

  it('an event recorded in the turn of its change commits in that append’s transaction', async () => {
    // As a room does: the append is queued, then the change's event is recorded, same turn.
    const appended = storage.append('tx-doc', anUpdate('hello'));
    const added = storage.outbox!.add(event('e-1', 'tx-doc'), ['r1', 'r2']);
    await Promise.all([appended, added]);
    const updateTx = await xminOf('SELECT xmin FROM quire_updates WHERE doc = $1', 'tx-doc');
    const outboxTx = await xminOf(
      'SELECT xmin FROM quire_webhook_outbox WHERE event_id = $1',
      'e-1',
    );
    expect(updateTx).toHaveLength(1);
    expect(outboxTx).toEqual([updateTx[0], updateTx[0]]);
  });

  it('an event with no append of its document queued is written on its own', async () => {
    const appended = storage.append('other-doc', anUpdate('x'));
    await storage.outbox!.add(event('e-2', 'lonely-doc'), ['r1']);
    await appended;
    const [outboxTx] = await xminOf(
      'SELECT xmin FROM quire_webhook_outbox WHERE event_id = $1',
      'e-2',
    );
    const [updateTx] = await xminOf('SELECT xmin FROM quire_updates WHERE doc = $1', 'other-doc');
    expect(outboxTx).toBeDefined();
    expect(outboxTx).not.toBe(updateTx);
  });
});
