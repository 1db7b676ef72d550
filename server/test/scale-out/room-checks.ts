/**
 * What the scale-out cases check besides convergence and presence (chaos/invariants.ts):
 *   - nothing acknowledged is lost: "witness" clients opt into the persisted ack (`quire=1`) and
 *     every marker a witness's last ack covers must be in the database, even when the witness
 *     and its instance die together;
 *   - nothing relayed is lost: every marker a client received from someone else (the server
 *     stores before it relays, on every instance) must be in the database, even when every
 *     client holding it is gone;
 *   - the database itself (read straight from PostgreSQL, as a new instance would) holds the
 *     whole document once the room is quiet.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { MessageType } from '@quire/shared';
import { PostgresStorage } from '../../src/storage/postgres.js';
import { markerCounts, type ChaosClient, type ChaosRoom } from '../chaos/harness.js';
import { versionedStockClient, type StockVersion } from '../helpers/stock-clients.js';

export interface Witness extends ChaosClient {
  /** The durable state vectors this client was acknowledged, oldest first. */
  acks: Map<number, number>[];
}

/** A room member that opted into the persisted ack (and types plain markers, no filler, so
 * each marker's clock is known: witnesses only insert). */
export function joinWitness(
  room: ChaosRoom,
  version: StockVersion,
  url: string,
  name: string,
): Witness {
  const base = versionedStockClient(version, url, room.docName, { params: { quire: '1' } });
  const acks: Map<number, number>[] = [];
  base.provider.messageHandlers[MessageType.PersistedAck] = (_encoder, decoder) => {
    acks.push(Y.decodeStateVector(decoding.readVarUint8Array(decoder)));
  };
  const witness: Witness = Object.assign(base, { name, markers: [] as string[], acks });
  witness.provider.awareness.setLocalStateField('user', { name });
  room.clients.push(witness);
  return witness;
}

/** The markers a witness's latest ack covers: marker k ends at the clock of its first k
 * inserts (`[name.k]` is name.k's length plus two brackets, one clock tick per character). */
export function ackedMarkers(witness: Witness): string[] {
  const durable = witness.acks.at(-1)?.get(witness.doc.clientID) ?? 0;
  const acked: string[] = [];
  let clock = 0;
  for (const m of witness.markers) {
    clock += m.length + 2;
    if (clock > durable) break;
    acked.push(m);
  }
  return acked;
}

/** What must survive anything from now on: every marker a witness was acknowledged and every
 * marker some client holds that another client typed (it was relayed, so it was stored). */
export function mustSurvive(room: ChaosRoom): Set<string> {
  const required = new Set<string>();
  for (const c of room.clients) {
    const own = new Set(c.markers);
    for (const m of markerCounts(c.text.toString()).keys()) if (!own.has(m)) required.add(m);
    if ('acks' in c) for (const m of ackedMarkers(c as Witness)) required.add(m);
  }
  return required;
}

/** Takes clients out of the room as if they died with their instance: destroyed, and their
 * markers no longer expected (unless `mustSurvive` said so before). */
export function dropClients(room: ChaosRoom, clients: readonly ChaosClient[]): void {
  for (const c of clients) {
    room.stopTyping(c);
    const i = room.clients.indexOf(c);
    if (i >= 0) room.clients.splice(i, 1);
    c.destroy();
  }
}

/** The document's text as PostgreSQL holds it (snapshot plus log), read on a connection of its
 * own, never through an instance. */
export async function storedText(databaseUrl: string, docName: string): Promise<string> {
  const storage = new PostgresStorage({ connectionString: databaseUrl });
  try {
    const stored = await storage.load(docName);
    const doc = new Y.Doc();
    if (stored?.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const u of stored?.updates ?? []) Y.applyUpdate(doc, u);
    const text = doc.getText('text').toString();
    doc.destroy();
    return text;
  } finally {
    await storage.close();
  }
}

/** Markers of `required` the text lacks, as problems (empty = none lost). */
export function lostProblems(text: string, required: Iterable<string>, where: string): string[] {
  const found = markerCounts(text);
  const missing = [...required].filter((m) => !found.has(m));
  if (missing.length === 0) return [];
  const shown = missing.slice(0, 8).join(', ');
  return [`${where} lacks ${missing.length} markers: ${shown}${missing.length > 8 ? ' …' : ''}`];
}
