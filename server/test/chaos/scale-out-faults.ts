/**
 * The faults of the long scale-out chaos run (scale-out-run.ts), each applied to a live room on
 * three instances (scale-out/cluster.ts) while its clients type: the cases of the scale-out
 * suite (issue #13), with random sizes and durations. A fault resolves once it is over; the run
 * then checks that the room heals.
 */
import { rawRedis } from '../helpers/redis.js';
import type { Cluster } from '../scale-out/cluster.js';
import { poisonMessages, publishRaw } from '../scale-out/poison.js';
import { dropClients, joinWitness, mustSurvive } from '../scale-out/room-checks.js';
import type { ChaosClient, ChaosRoom, Rng } from './harness.js';
import { healed } from './invariants.js';

export const SCALE_OUT_FAULTS = [
  'kill',
  'redisRestart',
  'flushall',
  'redisStall',
  'databaseOutage',
  'poison',
  'compactionRace',
  'lostMessages',
] as const;
export type ScaleOutFault = (typeof SCALE_OUT_FAULTS)[number];

/** Relative weights. */
export const SCALE_OUT_MIX: Record<ScaleOutFault, number> = {
  kill: 3,
  redisRestart: 2,
  flushall: 1,
  redisStall: 2,
  databaseOutage: 2,
  poison: 1,
  compactionRace: 1,
  lostMessages: 2,
};

export interface ScaleOutContext {
  cluster: Cluster;
  room: ChaosRoom;
  rng: Rng;
  /** The door each client joined through. */
  home: Map<ChaosClient, number>;
  /** Markers that must survive whatever happens next (acked or relayed before clients died). */
  required: Set<string>;
  /** Called with a problem that the room's own invariants do not cover. */
  problem(message: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Two of these per instance and round: 1.2 MiB in two rounds, past the 1 MiB compaction
 * threshold on both instances at about the same moment. Kept small: documents of tens of MiB
 * (bigger pastes, more often) made cross-instance catch-up take longer than the heal timeout. */
const PASTE_FILLER_BYTES = 300 * 1024;
/** A dead instance's clients' cursors must be gone from everyone within this. */
const GHOST_TIMEOUT_MS = 12_000;

export function pickScaleOutFault(rng: Rng): ScaleOutFault {
  let roll = rng.next() * Object.values(SCALE_OUT_MIX).reduce((a, b) => a + b, 0);
  for (const kind of SCALE_OUT_FAULTS) {
    roll -= SCALE_OUT_MIX[kind];
    if (roll < 0) return kind;
  }
  return SCALE_OUT_FAULTS[0];
}

export async function injectScaleOutFault(kind: ScaleOutFault, ctx: ScaleOutContext) {
  const { cluster, rng } = ctx;
  switch (kind) {
    case 'kill':
      return kill(ctx);
    case 'redisRestart': {
      const ms = rng.int(200, 4_000);
      await cluster.redis.stop();
      await sleep(ms);
      await cluster.redis.start();
      return `Redis down for ${ms} ms and restarted empty`;
    }
    case 'flushall': {
      const redis = rawRedis(cluster.redis.url);
      await redis.flushall();
      redis.disconnect();
      return 'FLUSHALL';
    }
    case 'redisStall': {
      const ms = rng.int(500, 9_000);
      cluster.redis.freeze();
      await sleep(ms);
      cluster.redis.thaw();
      return `Redis stalled (SIGSTOP) for ${ms} ms`;
    }
    case 'databaseOutage': {
      const ms = rng.int(500, 10_000);
      cluster.databaseProxy.stall();
      await sleep(ms);
      cluster.databaseProxy.resume();
      return `PostgreSQL unreachable for ${ms} ms`;
    }
    case 'poison': {
      const n = await publishRaw(cluster.redis.url, ctx.room.docName, poisonMessages());
      return `${n} poison messages on the bus`;
    }
    case 'compactionRace': {
      const [a, b] = pickTwo(rng, cluster.instances.length);
      const pasters = [a, b].map((i) => typistOn(ctx, i)).filter((c) => c !== undefined);
      const rounds = 2;
      for (let r = 0; r < rounds; r++) {
        for (const p of pasters) {
          for (let i = 0; i < 2; i++) {
            ctx.room.type(p, { placement: 'end', fillerBytes: PASTE_FILLER_BYTES });
          }
        }
        await sleep(rng.int(100, 1_000));
      }
      return `${rounds} rounds of 600 KiB pastes on instances ${a + 1} and ${b + 1}`;
    }
    case 'lostMessages': {
      const i = rng.int(0, cluster.instances.length - 1);
      const link = cluster.busLinks[i]!;
      const before = link.dropped;
      const ms = rng.int(100, 3_000);
      link.dropping = true;
      await sleep(ms);
      link.dropping = false;
      return `instance ${i + 1} lost ${link.dropped - before} update deliveries in ${ms} ms`;
    }
  }
}

/** SIGKILL of a random instance: its clients move through their door, except its witnesses,
 * which die with it; their cursors must vanish everywhere. Then it starts again and a new
 * witness joins through its door. */
async function kill(ctx: ScaleOutContext): Promise<string> {
  const { cluster, room, rng, home } = ctx;
  const live = cluster.instances.flatMap((s, i) => (s.running ? [i] : []));
  const i = rng.pick(live);
  await cluster.kill(i);
  for (const m of mustSurvive(room)) ctx.required.add(m);
  const dying = room.clients.filter((c) => home.get(c) === i && 'acks' in c);
  const deadIds = new Set(dying.map((c) => c.doc.clientID));
  dropClients(room, dying);
  const ghosts = await healed(
    () =>
      room.clients.flatMap((viewer) =>
        [...viewer.provider.awareness.getStates().keys()]
          .filter((id) => deadIds.has(id))
          .map((id) => `${viewer.name} still sees ${id}, which died with instance ${i + 1}`),
      ),
    GHOST_TIMEOUT_MS,
    room.seed,
  );
  for (const g of ghosts) ctx.problem(g);
  await cluster.revive(i);
  const witness = joinWitness(
    room,
    rng.chance(0.5) ? 'v1' : 'v3',
    cluster.url(i),
    `w${rng.int(0, 1e9)}`,
  );
  home.set(witness, i);
  room.startTyping(witness, { minMs: 40, maxMs: 80 });
  return `SIGKILL of instance ${i + 1} (${dying.length} clients died with it), restarted`;
}

function pickTwo(rng: Rng, n: number): [number, number] {
  const a = rng.int(0, n - 1);
  const b = (a + rng.int(1, n - 1)) % n;
  return [a, b];
}

function typistOn(ctx: ScaleOutContext, i: number): ChaosClient | undefined {
  return ctx.room.clients.find((c) => ctx.home.get(c) === i && !('acks' in c));
}
