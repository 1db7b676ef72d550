/**
 * Storage rollback reports (Quire extension, message type 101; threat model F8).
 *
 * If the database is deleted or restored from an old backup, reconnecting clients rebuild the
 * document through the normal sync, and nothing in the server's own state says that anything was
 * lost: a document that lacks edits looks like one whose editors were offline. An opted-in
 * client can tell, because it remembers the last state vector this server acknowledged as
 * durable; when the server's sync step 1 no longer covers it, the client sends that vector back.
 * The server checks the claim against the document before the client's copy has restored it,
 * so a confirmed report is evidence (logged as an error and counted for alerting), and a report
 * the document contradicts is only a warning.
 */
import * as Y from 'yjs';
import { CloseCode, stateVectorShortfall, type Shortfall } from '@quire/shared';
import { errorMessage, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

/** What of `acknowledged` (a state vector this server once sent as durable) `doc` lacks now, or
 * null when it lacks nothing. Throws on bytes that are not a state vector. */
export function lostSinceAcknowledged(doc: Y.Doc, acknowledged: Uint8Array): Shortfall | null {
  const current = Y.decodeStateVector(Y.encodeStateVector(doc));
  const lost = stateVectorShortfall(Y.decodeStateVector(acknowledged), current);
  return lost.clients === 0 ? null : lost;
}

/** What examining a report needs from its connection. */
export interface ReportingConnection {
  readonly id: number;
  readonly docName: string;
  readonly extensions: boolean;
  close(code: number, reason: string): void;
}

/** Checks one client's report against `doc`: a confirmed loss is an error line and a metric, an
 * unconfirmed one a warning; a report without `quire=1`, or one that does not decode, closes the
 * connection with 4400. */
export function examineRollbackReport(
  connection: ReportingConnection,
  doc: Y.Doc,
  acknowledged: Uint8Array,
  log: Logger,
  metrics: Metrics,
): void {
  const context = { conn: connection.id, doc: connection.docName };
  if (!connection.extensions) {
    log.warn('extension message from a client that did not opt in', context);
    connection.close(CloseCode.BadMessage, 'rollback report without quire=1');
    return;
  }
  let lost: Shortfall | null;
  try {
    lost = lostSinceAcknowledged(doc, acknowledged);
  } catch (error) {
    log.warn('malformed rollback report', { ...context, error: errorMessage(error) });
    connection.close(CloseCode.BadMessage, 'malformed rollback report');
    return;
  }
  if (lost === null) {
    log.warn(
      'rollback report not confirmed: the document holds everything it acknowledged',
      context,
    );
    return;
  }
  metrics.storageRollbacksReported++;
  log.error(
    'storage lost edits it had acknowledged as durable (deleted or restored from an old backup?); the reporting client restores them',
    { ...context, clients: lost.clients, missingClocks: lost.missingClocks },
  );
}
