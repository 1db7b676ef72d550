/**
 * The room every scale-out case edits: on each instance (through its door) a 3.x typist, a 1.x
 * typist and a witness (room-checks.ts) alternating 3.x and 1.x, all typing unique markers;
 * plus the checks a case ends with, reported together with the instances' output.
 */
import { ChaosRoom, Rng, type ChaosClient } from '../chaos/harness.js';
import { documentProblems, healed, lockoutProblems, roomHealed } from '../chaos/invariants.js';
import { chaosSeed } from '../chaos/scale.js';
import type { Cluster } from './cluster.js';
import { joinWitness, lostProblems, storedText, type Witness } from './room-checks.js';

/** Every duration of the scale-out cases, in one place. */
export const TIMING = {
  typingMs: { minMs: 40, maxMs: 80 },
  /** Typing before and after a fault. */
  editMs: 1_500,
  /** How long the replicas get to converge once a fault is over. */
  healTimeoutMs: 20_000,
  /** How long presence may then take to be right everywhere. */
  presenceTimeoutMs: 3_000,
  /** A dead instance's clients' cursors must be gone from the others within this ("within
   * ~10 s", issue #13), well before the stock providers' own 30 s awareness timeout. */
  ghostTimeoutMs: 12_000,
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SpreadRoom {
  room: ChaosRoom;
  typists: ChaosClient[];
  witnesses: Witness[];
  /** The clients that joined through instance i's door. */
  on(i: number): ChaosClient[];
}

export async function spreadRoom(
  cluster: Cluster,
  docName: string,
  defaultSeed: number,
): Promise<SpreadRoom> {
  const room = new ChaosRoom(docName, new Rng(chaosSeed(defaultSeed)));
  const typists: ChaosClient[] = [];
  const witnesses: Witness[] = [];
  const home = new Map<ChaosClient, number>();
  for (let i = 0; i < 3; i++) {
    const url = cluster.url(i);
    const a = room.join('v3', url, `i${i + 1}a`);
    const b = room.join('v1', url, `i${i + 1}b`);
    const w = joinWitness(room, i % 2 === 0 ? 'v3' : 'v1', url, `w${i + 1}`);
    typists.push(a, b);
    witnesses.push(w);
    for (const c of [a, b, w]) home.set(c, i);
  }
  const ready = await healed(() => lockoutProblems(room.clients), TIMING.healTimeoutMs, room.seed);
  await fail(ready, cluster, 'room not ready');
  return {
    room,
    typists,
    witnesses,
    on: (i) => room.clients.filter((c) => home.get(c) === i),
  };
}

export function startTyping(spread: SpreadRoom): void {
  for (const c of [...spread.typists, ...spread.witnesses]) {
    if (spread.room.clients.includes(c)) spread.room.startTyping(c, TIMING.typingMs);
  }
}

/** Typing stopped: the replicas converge (with presence right unless `presence` is false), and
 * PostgreSQL holds every marker of the room plus `required` (what was acknowledged or relayed
 * before clients died). */
export async function quietChecks(
  spread: SpreadRoom,
  cluster: Cluster,
  required: Iterable<string> = [],
  options: { presence?: boolean } = {},
): Promise<string[]> {
  spread.room.stopTyping();
  const { room } = spread;
  const problems =
    options.presence === false
      ? await healed(() => documentProblems(room), TIMING.healTimeoutMs, room.seed)
      : await roomHealed(room, TIMING);
  const text = await storedText(cluster.db.url, spread.room.docName);
  problems.push(...lostProblems(text, [...spread.room.allMarkers(), ...required], 'the database'));
  return problems;
}

/** Throws with every problem and the instances' output when there is any problem. */
export async function fail(problems: string[], cluster: Cluster, what: string): Promise<void> {
  if (problems.length === 0) return;
  throw new Error(`${what}:\n  ${problems.join('\n  ')}\n${await cluster.describe()}`);
}
