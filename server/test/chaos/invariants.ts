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
  const text = first.text.toString();
  const sv = stateVector(first.doc);
  for (const c of rest) {
    const other = c.text.toString();
    if (other !== text) {
      problems.push(
        `${c.name} text differs from ${first.name} (${other.length} vs ${text.length} chars)`,
      );
    }
    const otherSv = stateVector(c.doc);
    const differing = [...new Set([...sv.keys(), ...otherSv.keys()])].filter(
      (id) => sv.get(id) !== otherSv.get(id),
    );
    if (differing.length > 0) {
      problems.push(
        `${c.name} state vector differs from ${first.name} at ${listed(
          differing.map((id) => `${id}: ${otherSv.get(id) ?? 0} vs ${sv.get(id) ?? 0}`),
        )}`,
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

/** All four invariants for the room, once its typing has stopped. */
export function roomProblems(room: ChaosRoom): string[] {
  const problems = [
    ...lockoutProblems(room.clients),
    ...divergenceProblems(room.clients),
    ...presenceProblems(room.clients),
  ];
  const first = room.clients[0];
  if (first) problems.push(...markerProblems(first.text.toString(), room.allMarkers(), first.name));
  return problems;
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
