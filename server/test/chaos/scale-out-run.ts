/**
 * The long scale-out chaos run (`npm run chaos -- --scale-out --minutes N [--seed S]`, via
 * scripts/chaos.mjs): three real instances on one PostgreSQL database and a private Redis
 * (scale-out/cluster.ts, with every Redis link able to lose deliveries and the database behind
 * a fault proxy), stock 1.x and 3.x clients typing on all of them, and a seeded random schedule
 * of the suite's faults (scale-out-faults.ts): SIGKILLs, Redis restarts, FLUSHALL, Redis stalls,
 * PostgreSQL outages, bus poison, racing compactions, lost bus messages. After each fault
 * everyone must catch up while typing goes on; every few faults typing pauses and the replicas
 * must be identical, presence right and the database complete. Each document ends with every
 * instance SIGKILLed and fresh readers checking what survived. One summary line; exit 1 if
 * anything was lost, locked out, diverged or wrong.
 */
import { parseArgs } from 'node:util';
import { STOCK_VERSIONS, versionedStockClient } from '../helpers/stock-clients.js';
import { Cluster } from '../scale-out/cluster.js';
import {
  dropClients,
  joinWitness,
  lostProblems,
  mustSurvive,
  storedText,
} from '../scale-out/room-checks.js';
import { ChaosRoom, markerCounts, Rng, type ChaosClient } from './harness.js';
import {
  caughtUpProblems,
  documentProblems,
  healed,
  lockoutProblems,
  presenceProblems,
  snapshot,
} from './invariants.js';
import {
  injectScaleOutFault,
  pickScaleOutFault,
  SCALE_OUT_FAULTS,
  type ScaleOutFault,
} from './scale-out-faults.js';

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '3' }, seed: { type: 'string' } },
});
const minutes = Number(args.minutes);
const seed = args.seed === undefined ? Math.floor(Math.random() * 1e9) : Number(args.seed);
if (!(minutes > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run chaos -- --scale-out --minutes N [--seed S]');
  process.exit(2);
}

const TYPING = { minMs: 40, maxMs: 80 };
const EPOCH_MS = 120_000;
const FULL_CHECK_EVERY = 4;
const HEAL_TIMEOUT_MS = 30_000;
const PRESENCE_TIMEOUT_MS = 3_000;

const rng = new Rng(seed);
const started = Date.now();
const faults = Object.fromEntries(SCALE_OUT_FAULTS.map((k) => [k, 0])) as Record<
  ScaleOutFault,
  number
>;
const lost = new Set<string>();
const counts = { edits: 0, lockedOut: 0, diverged: 0, presence: 0, other: 0 };

function log(line: string): void {
  const s = Math.floor((Date.now() - started) / 1000);
  console.log(`[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${line}`);
}

function report(what: string, problems: string[]): void {
  log(`  ${what}:`);
  for (const p of problems.slice(0, 10)) log(`    ${p}`);
  if (problems.length > 10) log(`    … ${problems.length - 10} more`);
}

/** Sorts a failed check's problems into the counters; lets locked-out clients in again. */
function tally(room: ChaosRoom, what: string, problems: string[], kind: 'diverged' | 'presence') {
  if (problems.length === 0) return;
  report(what, problems);
  const lockouts = problems.filter((p) =>
    /closed with|stopped reconnecting|not connected|not synced/.test(p),
  );
  counts.lockedOut += lockouts.length;
  if (lockouts.length < problems.length) counts[kind]++;
  for (const c of room.clients) {
    c.closeCodes.splice(0);
    if (!c.provider.shouldConnect) c.provider.connect();
  }
}

async function fullCheck(cluster: Cluster, room: ChaosRoom, required: Set<string>) {
  const docs = await healed(() => documentProblems(room), HEAL_TIMEOUT_MS, seed);
  tally(room, 'not identical', docs, 'diverged');
  const presence = await healed(() => presenceProblems(room.clients), PRESENCE_TIMEOUT_MS, seed);
  tally(room, 'presence wrong', presence, 'presence');
  if (docs.length > 0) return;
  const found = markerCounts(await storedText(cluster.db.url, room.docName));
  const missing = [...room.allMarkers(), ...required].filter((m) => !found.has(m));
  if (missing.length > 0) {
    report('the database is incomplete', [
      `${missing.length} markers missing: ${missing.slice(0, 8).join(', ')}`,
    ]);
    for (const m of missing) lost.add(m);
  }
}

/** Every instance SIGKILLed, every client gone; restarted, fresh readers must hold all that
 * was acknowledged or relayed. */
async function endEpoch(cluster: Cluster, room: ChaosRoom, required: Set<string>) {
  await cluster.killAll();
  for (const m of mustSurvive(room)) required.add(m);
  dropClients(room, [...room.clients]);
  for (let i = 0; i < cluster.instances.length; i++) await cluster.revive(i);
  const stored = await storedText(cluster.db.url, room.docName);
  for (const [k, version] of STOCK_VERSIONS.entries()) {
    const reader = versionedStockClient(version, cluster.url(k), room.docName);
    const synced = await healed(
      () => (reader.provider.synced ? [] : [`fresh ${version} reader not synced`]),
      HEAL_TIMEOUT_MS,
      seed,
    );
    const text = reader.text.toString();
    reader.destroy();
    // A reader that never synced says nothing about what the database holds.
    const problems =
      synced.length > 0 ? synced : lostProblems(text, required, `fresh ${version} reader`);
    if (synced.length === 0 && text !== stored) problems.push(`fresh ${version} reader ≠ database`);
    const found = markerCounts(synced.length > 0 ? stored : text);
    for (const m of required) if (!found.has(m)) lost.add(m);
    if (problems.length > 0) {
      counts.diverged++;
      report('after every instance died', problems);
    }
  }
}

async function runEpoch(cluster: Cluster, n: number, deadline: number) {
  const room = new ChaosRoom(`scale-chaos-${seed}-${n}`, rng);
  const home = new Map<ChaosClient, number>();
  for (let i = 0; i < cluster.instances.length; i++) {
    const url = cluster.url(i);
    const joined = [
      room.join('v3', url, `e${n}i${i + 1}a`),
      room.join('v1', url, `e${n}i${i + 1}b`),
      joinWitness(room, i % 2 === 0 ? 'v3' : 'v1', url, `e${n}w${i + 1}`),
    ];
    for (const c of joined) home.set(c, i);
  }
  tally(
    room,
    `document ${n} not ready`,
    await healed(() => lockoutProblems(room.clients), HEAL_TIMEOUT_MS, seed),
    'diverged',
  );
  const type = () => room.clients.forEach((c) => room.startTyping(c, TYPING));
  type();
  const required = new Set<string>();
  const ctx = {
    cluster,
    room,
    rng,
    home,
    required,
    problem: (message: string) => {
      counts.other++;
      log(`  ${message}`);
    },
  };
  const end = Math.min(deadline, Date.now() + EPOCH_MS);
  for (let round = 1; Date.now() < end; round++) {
    const kind = pickScaleOutFault(rng);
    const description = await injectScaleOutFault(kind, ctx);
    faults[kind]++;
    log(`document ${n}, fault ${round}: ${description}`);
    const snap = snapshot(room);
    tally(
      room,
      'not caught up',
      await healed(() => caughtUpProblems(room, snap), HEAL_TIMEOUT_MS, seed),
      'diverged',
    );
    if (round % FULL_CHECK_EVERY === 0) {
      room.stopTyping();
      await fullCheck(cluster, room, required);
      type();
    }
  }
  room.stopTyping();
  await fullCheck(cluster, room, required);
  counts.edits += room.allMarkers().length;
  await endEpoch(cluster, room, required);
  room.destroy();
}

async function main(): Promise<void> {
  const cluster = await Cluster.start({ busLinks: true, databaseProxy: true });
  const deadline = started + minutes * 60_000;
  log(`scale-out chaos run: ${minutes} min, seed ${seed}, 3 instances`);
  try {
    for (let n = 1; Date.now() < deadline; n++) await runEpoch(cluster, n, deadline);
  } finally {
    const failures =
      lost.size + counts.lockedOut + counts.diverged + counts.presence + counts.other;
    if (failures > 0) console.log(await cluster.describe());
    await cluster.stop();
  }
  const injected = SCALE_OUT_FAULTS.reduce((sum, k) => sum + faults[k], 0);
  const byKind = SCALE_OUT_FAULTS.filter((k) => faults[k] > 0)
    .map((k) => `${k} ${faults[k]}`)
    .join(', ');
  const failures = lost.size + counts.lockedOut + counts.diverged + counts.presence + counts.other;
  console.log(
    `scale-out chaos: ${Math.round((Date.now() - started) / 60_000)} min, seed ${seed}, ` +
      `faults injected ${injected} (${byKind}), edits made ${counts.edits}, lost ${lost.size}, ` +
      `locked out ${counts.lockedOut}, diverged ${counts.diverged}, presence wrong ` +
      `${counts.presence}, other problems ${counts.other}`,
  );
  process.exit(failures > 0 ? 1 : 0);
}

void main();
