/**
 * The long chaos run (`npm run chaos -- --minutes N [--seed S]`, via scripts/chaos.mjs): the real
 * CLI server behind the fault proxy, stock 1.x and 3.x clients typing all the time, and a seeded
 * random schedule of faults (restarts, resets, latency, caps, stalls, storms, bursts). After each
 * fault the room must heal while typing goes on; every few faults typing pauses and the replicas
 * must be identical; each document ends with a crash and a fresh read from disk. Ends with one
 * summary line and exit code 1 if anything was lost, locked out, diverged or wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { STOCK_VERSIONS, versionedStockClient } from '../helpers/stock-clients.js';
import { CliServer } from './cli-server.js';
import { FaultProxy } from './fault-proxy.js';
import { injectFault, pickFault, type FaultContext } from './faults.js';
import { ChaosRoom, Rng, markerCounts, type ChaosClient } from './harness.js';
import {
  caughtUpProblems,
  documentProblems,
  healed,
  lockoutProblems,
  presenceProblems,
  snapshot,
} from './invariants.js';
import { FAULT_KINDS, LONG, type FaultKind } from './scale.js';

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '2' }, seed: { type: 'string' } },
});
const minutes = Number(args.minutes);
const seed = args.seed === undefined ? Math.floor(Math.random() * 1e9) : Number(args.seed);
if (!(minutes > 0) || !Number.isInteger(seed)) {
  console.error('usage: npm run chaos -- --minutes N [--seed S]');
  process.exit(2);
}

const scale = LONG;
const rng = new Rng(seed);
const started = Date.now();
const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
const lost = new Set<string>();
const counts = { edits: 0, lockedOut: 0, diverged: 0, presence: 0, errors: 0 };

function log(line: string): void {
  const s = Math.floor((Date.now() - started) / 1000);
  console.log(`[${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}] ${line}`);
}

function report(what: string, problems: string[]): void {
  log(`  ${what}:`);
  for (const p of problems.slice(0, 10)) log(`    ${p}`);
  if (problems.length > 10) log(`    … ${problems.length - 10} more`);
}

const LOCKOUT = /closed with|stopped reconnecting|not connected|not synced/;

/** Counts the clients a failed check found locked out (each name once per check) and lets them
 * in again, as a reload would, so the run can go on. Returns the other problems. */
function countLockouts(room: ChaosRoom, problems: string[]): string[] {
  const lockouts = problems.filter((p) => LOCKOUT.test(p));
  if (lockouts.length > 0) {
    report('locked out', lockouts);
    const names = new Set(lockouts.map((p) => /^seed \d+: (\S+)/.exec(p)?.[1]));
    counts.lockedOut += names.size;
    for (const c of room.clients) {
      if (!names.has(c.name)) continue;
      c.closeCodes.splice(0);
      if (!c.provider.shouldConnect) c.provider.connect();
    }
  }
  return problems.filter((p) => !LOCKOUT.test(p));
}

/** While typing goes on: everyone holds everything typed before the fault was lifted. */
async function checkCaughtUp(room: ChaosRoom, server: CliServer): Promise<void> {
  const snap = snapshot(room);
  const problems = await healed(() => caughtUpProblems(room, snap), scale.healTimeoutMs, seed);
  if (problems.length === 0) return checkPresence(room);
  const rest = countLockouts(room, problems);
  if (rest.length > 0) {
    counts.diverged++;
    report('not caught up', rest);
  }
  log(`  ${await server.health()}`);
}

async function checkPresence(room: ChaosRoom): Promise<void> {
  const problems = await healed(
    () => presenceProblems(room.clients),
    scale.presenceTimeoutMs,
    seed,
  );
  if (problems.length > 0) {
    counts.presence++;
    report('presence wrong', problems);
  }
}

/** Typing paused: identical replicas holding every marker. */
async function checkIdentical(room: ChaosRoom, server: CliServer): Promise<boolean> {
  const problems = await healed(() => documentProblems(room), scale.healTimeoutMs, seed);
  if (problems.length === 0) {
    await checkPresence(room);
    return true;
  }
  const rest = countLockouts(room, problems);
  const first = room.clients[0];
  if (first) {
    const found = markerCounts(first.text.toString());
    for (const m of room.allMarkers()) if (!found.has(m)) lost.add(m);
  }
  if (rest.length > 0) {
    counts.diverged++;
    report('not identical', rest);
  }
  log(`  ${await server.health()}`);
  return false;
}

/** Everyone gone, a crash, a restart: a fresh 1.x and 3.x client read the document from disk. */
async function checkOnDisk(room: ChaosRoom, server: CliServer, identical: boolean): Promise<void> {
  const expected = room.clients[0]?.text.toString() ?? '';
  const markers = room.allMarkers();
  room.destroy();
  await server.restart('SIGKILL');
  for (const version of STOCK_VERSIONS) {
    const fresh = versionedStockClient(version, server.wsUrl, room.docName);
    const synced = await healed(() => (fresh.provider.synced ? [] : ['not synced']), 10_000, seed);
    const text = fresh.text.toString();
    fresh.destroy();
    const found = markerCounts(text);
    const missing = markers.filter((m) => !found.has(m));
    for (const m of missing) lost.add(m);
    if (synced.length > 0 || missing.length > 0 || (identical && text !== expected)) {
      counts.diverged++;
      report(`fresh ${version} reader after a crash`, [
        ...synced,
        `${missing.length} markers missing, text ${text.length} chars (expected ${expected.length})`,
      ]);
    }
  }
}

async function runEpoch(n: number, deadline: number, ctx: Omit<FaultContext, 'room'>) {
  const room = new ChaosRoom(`chaos-${seed}-${n}`, rng);
  const typists: ChaosClient[] = [];
  for (let i = 0; i < scale.typistsBehindProxy; i++) {
    typists.push(room.join(i % 2 === 0 ? 'v3' : 'v1', ctx.proxy.wsUrl, `p${i + 1}`));
  }
  typists.push(room.join('v3', ctx.server.wsUrl, 'direct'));
  room.join('v1', ctx.server.wsUrl, 'reader');
  const ready = await healed(
    () => [...lockoutProblems(room.clients), ...presenceProblems(room.clients)],
    scale.healTimeoutMs,
    seed,
  );
  const notReady = countLockouts(room, ready);
  if (notReady.length > 0) {
    counts.presence++;
    report(`document ${n} not ready`, notReady);
  }
  const type = () => typists.forEach((t) => room.startTyping(t, scale.typingMs));
  type();
  const end = Math.min(deadline, Date.now() + scale.epochMs);
  for (let round = 1; Date.now() < end; round++) {
    const kind = pickFault(rng, scale.mix);
    const fault = await injectFault(kind, { ...ctx, room });
    faults[kind]++;
    log(`document ${n}, fault ${round}: ${kind}: ${fault.description}`);
    await checkCaughtUp(room, ctx.server);
    fault.after?.();
    if (round % scale.fullCheckEvery === 0) {
      room.stopTyping();
      await checkIdentical(room, ctx.server);
      type();
    }
  }
  room.stopTyping();
  const identical = await checkIdentical(room, ctx.server);
  counts.edits += room.allMarkers().length;
  await checkOnDisk(room, ctx.server, identical);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'quire-chaos-'));
  const server = await CliServer.start(dataDir);
  const proxy = await FaultProxy.start(server.port);
  const deadline = started + minutes * 60_000;
  const ctx = {
    server,
    proxy,
    rng,
    scale,
    error: (message: string) => {
      counts.errors++;
      log(`  error: ${message}`);
    },
  };
  log(`chaos run: ${minutes} min, seed ${seed}, server on port ${server.port}`);
  try {
    for (let n = 1; Date.now() < deadline; n++) await runEpoch(n, deadline, ctx);
  } finally {
    await proxy.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const injected = FAULT_KINDS.reduce((sum, k) => sum + faults[k], 0);
  const byKind = FAULT_KINDS.filter((k) => faults[k] > 0)
    .map((k) => `${k === 'midFrameReset' ? 'mid-frame reset' : k} ${faults[k]}`)
    .join(', ');
  const elapsed = Math.round((Date.now() - started) / 60_000);
  const failures = lost.size + counts.lockedOut + counts.diverged + counts.presence + counts.errors;
  if (failures > 0) console.log(`server output (last lines):\n${server.recentOutput()}`);
  console.log(
    `chaos: ${elapsed} min, seed ${seed}, faults injected ${injected} (${byKind}), ` +
      `edits made ${counts.edits}, lost ${lost.size}, locked out ${counts.lockedOut}, ` +
      `diverged ${counts.diverged}, presence wrong ${counts.presence}, server errors ${counts.errors}`,
  );
  process.exit(failures > 0 ? 1 : 0);
}

void main();
