/**
 * The faults of the long chaos run, each applied to a live room: the CLI server behind a fault
 * proxy, people typing throughout. A fault resolves once it has been lifted; the run then checks
 * that the room heals (long-run.ts).
 */
import type { CliServer } from './cli-server.js';
import type { FaultProxy } from './fault-proxy.js';
import type { ChaosClient, ChaosRoom, Rng } from './harness.js';
import { healed, lockoutProblems } from './invariants.js';
import type { FaultKind, LongRunScale } from './scale.js';

export interface FaultContext {
  server: CliServer;
  proxy: FaultProxy;
  room: ChaosRoom;
  rng: Rng;
  scale: LongRunScale;
  /** Something that is wrong outside the invariants (a SIGTERM that did not exit 0). */
  error(message: string): void;
}

export interface InjectedFault {
  description: string;
  /** Runs once the room has been checked after the fault (e.g. the storm's crowd leaves). */
  after?: () => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function between(rng: Rng, range: { min: number; max: number }): number {
  return rng.int(range.min, range.max);
}

/** A weighted random fault kind. */
export function pickFault(rng: Rng, mix: Record<FaultKind, number>): FaultKind {
  const entries = Object.entries(mix) as [FaultKind, number][];
  let roll = rng.next() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [kind, weight] of entries) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return entries[entries.length - 1]![0];
}

export async function injectFault(kind: FaultKind, ctx: FaultContext): Promise<InjectedFault> {
  const { proxy, rng, scale, server } = ctx;
  switch (kind) {
    case 'kill':
    case 'term': {
      const signal = kind === 'kill' ? 'SIGKILL' : 'SIGTERM';
      const exit = await server.restart(signal);
      if (signal === 'SIGTERM' && exit !== 0) ctx.error(`SIGTERM exit ${exit}`);
      return { description: `${signal} and restart` };
    }
    case 'reset':
    case 'midFrameReset': {
      const count = await proxy.resetAll({ midFrame: kind === 'midFrameReset' });
      return { description: `${count} connections reset${kind === 'reset' ? '' : ' mid-frame'}` };
    }
    case 'latency': {
      const ms = between(rng, scale.latencyMs);
      const duration = between(rng, scale.faultMs);
      proxy.setLatency(ms);
      await sleep(duration);
      proxy.heal();
      return { description: `${ms} ms latency for ${duration} ms` };
    }
    case 'bandwidth': {
      const cap = between(rng, scale.bandwidthBytesPerSecond);
      const duration = between(rng, scale.faultMs);
      proxy.setBandwidth(cap, 'both');
      await sleep(duration);
      proxy.heal();
      return { description: `${Math.round(cap / 1024)} KiB/s for ${duration} ms` };
    }
    case 'stall': {
      const duration = between(rng, scale.faultMs);
      proxy.stall();
      await sleep(duration);
      proxy.resume();
      return { description: `stalled for ${duration} ms` };
    }
    case 'storm':
      return storm(ctx);
    case 'burst': {
      const typist = rng.pick(ctx.room.clients.filter((c) => c.markers.length > 0));
      const count = between(rng, scale.burstMarkers);
      for (let i = 0; i < count; i++) ctx.room.type(typist, { placement: 'end' });
      return { description: `${typist.name} inserted ${count} markers at once` };
    }
  }
}

/** A crowd joins through the proxy, is dropped at once, edits offline, comes back, and (after
 * the room's check) leaves for good: its presence must vanish with it. */
async function storm(ctx: FaultContext): Promise<InjectedFault> {
  const { proxy, room, rng, scale } = ctx;
  const size = between(rng, scale.stormClients);
  const crowd: ChaosClient[] = [];
  for (let i = 0; i < size; i++) {
    crowd.push(room.join(i % 2 === 0 ? 'v3' : 'v1', proxy.wsUrl, `s${rng.int(0, 1e9)}`));
  }
  // Join problems are left for the room's check after the fault, which counts them.
  await healed(() => lockoutProblems(crowd), scale.healTimeoutMs, room.seed);
  const dropped = await proxy.resetAll({ midFrame: rng.chance(0.5) });
  for (const c of crowd) room.type(c);
  return {
    description: `${size} joined, ${dropped} connections reset`,
    after: () => {
      for (const c of crowd) room.leave(c);
    },
  };
}
