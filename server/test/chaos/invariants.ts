/**
 * What a chaos room must look like once the faults are lifted, as lists of problems (empty = all
 * good), so a failing test says everything that is wrong at once, with the seed:
 *   - nobody is locked out: every client is connected and synced again, no client saw a final
 *     (44xx) close code, no 3.x provider gave up;
 *   - the replicas converged: identical text and identical state vectors;
 *   - every marker any client typed is in the text, exactly once;
 *   - presence healed: each client's awareness shows every client in the room and nobody else.
 */
import { isFinalCloseCode } from '@quire/shared';
import { markerCounts, stateVector, type ChaosClient, type ChaosRoom } from './harness.js';

const MAX_LISTED = 8;

function listed(items: string[]): string {
  return items.length <= MAX_LISTED
    ? items.join(', ')
    : `${items.slice(0, MAX_LISTED).join(', ')} … (${items.length} in all)`;
}

export function lockoutProblems(clients: readonly ChaosClient[]): string[] {
  const problems: string[] = [];
  for (const c of clients) {
    const final = c.closeCodes.filter(isFinalCloseCode);
    if (final.length > 0)
      problems.push(`${c.name} (${c.version}) was closed with ${final.join(', ')}`);
    if (!c.provider.shouldConnect) problems.push(`${c.name} (${c.version}) stopped reconnecting`);
    else if (!c.provider.wsconnected) problems.push(`${c.name} (${c.version}) is not connected`);
    else if (!c.provider.synced) problems.push(`${c.name} (${c.version}) is not synced`);
  }
  return problems;
}

export function divergenceProblems(clients: readonly ChaosClient[]): string[] {
  const [first, ...rest] = clients;
  if (!first) return [];
  const problems: string[] = [];
  const sv = stateVector(first.doc);
  let sameUpdates = true;
  for (const c of rest) {
    const otherSv = stateVector(c.doc);
    const differing = [...new Set([...sv.keys(), ...otherSv.keys()])].filter(
      (id) => sv.get(id) !== otherSv.get(id),
    );
    if (differing.length > 0) {
      sameUpdates = false;
      problems.push(
        `${c.name} state vector differs from ${first.name} at ${listed(
          differing.map((id) => `${id}: ${otherSv.get(id) ?? 0} vs ${sv.get(id) ?? 0}`),
        )}`,
      );
    }
  }
  // Texts are compared once the state vectors agree (cheap first: texts may be megabytes).
  if (!sameUpdates) return problems;
  const text = first.text.toString();
  for (const c of rest) {
    const other = c.text.toString();
    if (other !== text) {
      problems.push(
        `${c.name} text differs from ${first.name} (${other.length} vs ${text.length} chars)`,
      );
    }
  }
  return problems;
}

/** Markers typed but missing from (or repeated in) `text`; `markers` must all be unique. */
export function markerProblems(text: string, markers: readonly string[], where: string): string[] {
  const counts = markerCounts(text);
  const missing = markers.filter((m) => !counts.has(m));
  const repeated = markers.filter((m) => (counts.get(m) ?? 0) > 1);
  const problems: string[] = [];
  if (missing.length > 0)
    problems.push(`${where} lacks ${missing.length} typed markers: ${listed(missing)}`);
  if (repeated.length > 0) problems.push(`${where} repeats markers: ${listed(repeated)}`);
  return problems;
}

export function presenceProblems(clients: readonly ChaosClient[]): string[] {
  const expected = new Map(clients.map((c) => [c.doc.clientID, c.name]));
  const problems: string[] = [];
  for (const c of clients) {
    const seen = new Set(c.provider.awareness.getStates().keys());
    const absent = [...expected].filter(([id]) => !seen.has(id)).map(([, name]) => name);
    const ghosts = [...seen].filter((id) => !expected.has(id)).map(String);
    if (absent.length > 0) problems.push(`${c.name} does not see ${listed(absent)}`);
    if (ghosts.length > 0) problems.push(`${c.name} sees ghosts ${listed(ghosts)}`);
  }
  return problems;
}

/** Lockouts, divergence and lost markers, once the room's typing has stopped. */
export function documentProblems(room: ChaosRoom): string[] {
  const divergence = divergenceProblems(room.clients);
  const problems = [...lockoutProblems(room.clients), ...divergence];
  // Once every replica is identical, one text answers for all of them.
  const first = room.clients[0];
  if (first && divergence.length === 0) {
    problems.push(...markerProblems(first.text.toString(), room.allMarkers(), first.name));
  }
  return problems;
}

/** Waits for the whole room to heal: documents within `healTimeoutMs` (they may have megabytes
 * to catch up on), then presence within `presenceTimeoutMs` of that. Presence is one small
 * message per client, so it gets far less time than the stock providers' 15 s awareness renewal:
 * a room that only looks right after a renewal showed people as gone for that long. */
export async function roomHealed(
  room: ChaosRoom,
  timeouts: { healTimeoutMs: number; presenceTimeoutMs: number },
  pollMs = 50,
): Promise<string[]> {
  const documents = await healed(
    () => documentProblems(room),
    timeouts.healTimeoutMs,
    room.seed,
    pollMs,
  );
  if (documents.length > 0) return documents;
  const check = () => [...presenceProblems(room.clients), ...documentProblems(room)];
  return healed(check, timeouts.presenceTimeoutMs, room.seed, pollMs);
}

/** Polls `check` until it reports no problem; resolves with the last problems (empty = healed),
 * each prefixed with the seed so a failure can be replayed. */
export async function healed(
  check: () => string[],
  timeoutMs: number,
  seed: number,
  pollMs = 50,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const problems = check();
    if (problems.length === 0) return [];
    if (Date.now() > deadline) return problems.map((p) => `seed ${seed}: ${p}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** What every client must hold once a fault is lifted, taken while typing goes on: each
 * client's own clock and every marker typed so far. */
export interface Snapshot {
  clocks: Map<number, number>;
  markers: string[];
}

export function snapshot(room: ChaosRoom): Snapshot {
  const clocks = new Map<number, number>();
  for (const c of room.clients)
    clocks.set(c.doc.clientID, stateVector(c.doc).get(c.doc.clientID) ?? 0);
  return { clocks, markers: room.allMarkers() };
}

/** For checks while people keep typing: nobody locked out, every client has at least everything
 * in `snap` (its state vector covers every clock in it), and the snapshot's markers are all in
 * the text. Edits are inserts only, so covering the clocks means holding their markers. */
export function caughtUpProblems(room: ChaosRoom, snap: Snapshot): string[] {
  const problems = lockoutProblems(room.clients);
  for (const c of room.clients) {
    const sv = stateVector(c.doc);
    const behind = [...snap.clocks].filter(([id, clock]) => (sv.get(id) ?? 0) < clock);
    if (behind.length > 0) {
      problems.push(
        `${c.name} lacks updates of ${listed(behind.map(([id, clock]) => `${id} (${sv.get(id) ?? 0} of ${clock})`))}`,
      );
    }
  }
  const first = room.clients[0];
  if (first && problems.length === 0) {
    problems.push(...markerProblems(first.text.toString(), snap.markers, first.name));
  }
  return problems;
}
