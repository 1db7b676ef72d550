/**
 * Turns the per-server results into the printed tables: each metric's median over repetitions
 * per server, Quire's ratio to the best peer and to the floor relay in the same run (lower is
 * better for every ratio shown), then the targets with met / not met. A scenario where the load
 * generator was busy past LOAD_GENERATOR_BUSY_PERCENT of its core is flagged.
 */
import type { ScenarioResult } from './scenarios/common.js';
import { median } from './stats.js';
import { isPeer, type ServerName } from './servers.js';

export type Results = Map<string, Map<ServerName, ScenarioResult[]>>;

/** Metrics reported for context only: more is not worse, so no ratio is printed. */
const INFORMATIONAL = new Set([
  'deliveries',
  'deliveriesPerSecond',
  'latencySamples',
  'slowDisconnected',
  'slowResyncedInPlace',
  'loadGeneratorCpuPercent',
  'flooderDisconnected',
  'floodUpdatesPerSecond',
  'baselineSamples',
  'floodSamples',
  'documentsHeld',
]);

interface Target {
  scenario: string;
  metric: string;
  /** Quire's value may be at most this multiple of the reference. */
  maxRatio: number;
  /** The reference: the lowest peer in the same run, or the do-nothing floor relay. */
  against: 'best peer' | 'floor';
  label: string;
}

/** The performance targets, each as a ratio within one interleaved run (lower is better). */
export const TARGETS: readonly Target[] = [
  {
    scenario: 'typing',
    metric: 'cpuUsPerDelivery',
    maxRatio: 1.3,
    against: 'floor',
    label: 'CPU per delivery (typing)',
  },
  {
    scenario: 'typing',
    metric: 'p99Ms',
    maxRatio: 1.0,
    against: 'best peer',
    label: 'p99 latency (typing)',
  },
  { scenario: 'paste', metric: 'p99Ms', maxRatio: 1.0, against: 'best peer', label: 'p99 (paste)' },
  {
    scenario: 'slow-consumer',
    metric: 'p99Ms',
    maxRatio: 1.0,
    against: 'best peer',
    label: 'p99 of the other readers (slow consumer)',
  },
  {
    scenario: 'idle',
    metric: 'rssKiBPerConnection',
    maxRatio: 1.1,
    against: 'floor',
    label: 'RSS per idle connection',
  },
  {
    scenario: 'documents',
    metric: 'rssMiBPerDocument',
    maxRatio: 0.7,
    against: 'best peer',
    label: 'RSS per open document',
  },
  {
    scenario: 'cold-load',
    metric: 'coldMs:automerge-paper',
    maxRatio: 0.5,
    against: 'best peer',
    label: 'time to first sync (automerge-paper)',
  },
  {
    scenario: 'cold-load',
    metric: 'coldMs:seph-blog1',
    maxRatio: 0.5,
    against: 'best peer',
    label: 'time to first sync (seph-blog1)',
  },
];

/** A load generator above this share of its core measures itself, not the server. */
export const LOAD_GENERATOR_BUSY_PERCENT = 80;

export function medianMetric(
  results: Results,
  scenario: string,
  server: ServerName,
  metric: string,
): number {
  const runs = results.get(scenario)?.get(server) ?? [];
  return median(runs.map((r) => r.metrics[metric] ?? NaN).filter((v) => !Number.isNaN(v)));
}

/** Quire's value divided by the best (lowest) peer value; NaN when either side is missing. */
export function ratioToBestPeer(
  results: Results,
  scenario: string,
  servers: readonly ServerName[],
  metric: string,
): number {
  const quire = medianMetric(results, scenario, 'quire', metric);
  const peers = servers
    .filter(isPeer)
    .map((s) => medianMetric(results, scenario, s, metric))
    .filter((v) => !Number.isNaN(v));
  if (peers.length === 0 || Number.isNaN(quire)) return NaN;
  return quire / Math.min(...peers);
}

/** Quire's value divided by a floor relay's in the same run; NaN when that floor did not run. */
export function ratioToFloor(
  results: Results,
  scenario: string,
  metric: string,
  floorName: 'floor' | 'durable-floor' = 'floor',
): number {
  const quire = medianMetric(results, scenario, 'quire', metric);
  const floor = medianMetric(results, scenario, floorName, metric);
  return Number.isNaN(quire) || Number.isNaN(floor) || floor === 0 ? NaN : quire / floor;
}

function ratioFor(results: Results, target: Target, servers: readonly ServerName[]): number {
  return target.against === 'floor'
    ? ratioToFloor(results, target.scenario, target.metric)
    : ratioToBestPeer(results, target.scenario, servers, target.metric);
}

/** Servers whose runs of `scenario` had the load generator above LOAD_GENERATOR_BUSY_PERCENT. */
export function harnessBound(
  results: Results,
  scenario: string,
  servers: readonly ServerName[],
): { server: ServerName; percent: number }[] {
  return servers
    .map((server) => ({
      server,
      percent: medianMetric(results, scenario, server, 'loadGeneratorCpuPercent'),
    }))
    .filter((s) => s.percent > LOAD_GENERATOR_BUSY_PERCENT);
}

const fmt = (value: number) =>
  Number.isNaN(value)
    ? '—'
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 10
        ? value.toFixed(1)
        : value.toFixed(2);

export function renderScenario(
  results: Results,
  scenario: string,
  servers: readonly ServerName[],
): string {
  const runs = results.get(scenario);
  if (!runs) return '';
  const metrics = new Set<string>();
  for (const list of runs.values()) {
    for (const r of list) for (const m of Object.keys(r.metrics)) metrics.add(m);
  }
  const floors = (['floor', 'durable-floor'] as const).filter((f) => runs.has(f));
  const lines = [
    `### ${scenario}`,
    '',
    `| metric | ${servers.join(' | ')} | Quire ÷ best peer |${floors.map((f) => ` Quire ÷ ${f} |`).join('')}`,
    `|---|${servers.map(() => '---:').join('|')}|---:|${floors.map(() => '---:|').join('')}`,
  ];
  for (const metric of metrics) {
    const values = servers.map((s) => fmt(medianMetric(results, scenario, s, metric)));
    const informational = INFORMATIONAL.has(metric);
    const ratio = informational ? '' : fmt(ratioToBestPeer(results, scenario, servers, metric));
    const toFloors = floors.map(
      (f) => ` ${informational ? '' : fmt(ratioToFloor(results, scenario, metric, f))} |`,
    );
    lines.push(`| ${metric} | ${values.join(' | ')} | ${ratio} |${toFloors.join('')}`);
  }
  const gate = servers.map((s) => {
    const list = runs.get(s) ?? [];
    if (list.length === 0) return '—'; // not run (the floor skips cold-load)
    return list.every((r) => r.correct) ? 'pass' : 'FAIL';
  });
  lines.push(`| correctness gate | ${gate.join(' | ')} | |`);
  const notes = servers.flatMap((s) =>
    [...new Set((runs.get(s) ?? []).flatMap((r) => r.notes))].map((n) => `- ${s}: ${n}`),
  );
  for (const { server, percent } of harnessBound(results, scenario, servers)) {
    notes.push(
      `- ⚠ ${server}: the load generator used ${percent.toFixed(0)} % of its core (over ` +
        `${LOAD_GENERATOR_BUSY_PERCENT} %), so this run's latencies partly measure the harness`,
    );
  }
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

export function renderTargets(results: Results, servers: readonly ServerName[]): string {
  const lines = [
    '### Targets (ratios within this run; ⚠ = the load generator was over ' +
      `${LOAD_GENERATOR_BUSY_PERCENT} % of its core)`,
    '',
    '| target | against | ratio | required | met |',
    '|---|---|---:|---:|:---:|',
  ];
  for (const t of TARGETS) {
    if (!results.has(t.scenario)) continue;
    const ratio = ratioFor(results, t, servers);
    const met = Number.isNaN(ratio) ? '—' : ratio <= t.maxRatio ? 'yes' : 'no';
    const flag = harnessBound(results, t.scenario, servers).length > 0 ? ' ⚠' : '';
    lines.push(`| ${t.label}${flag} | ${t.against} | ${fmt(ratio)}× | ≤ ${t.maxRatio}× | ${met} |`);
    if (t.against === 'floor' && t.scenario === 'typing') {
      // Not a target: how far Quire is from the least a write-before-relay server costs.
      const durable = ratioToFloor(results, t.scenario, t.metric, 'durable-floor');
      if (!Number.isNaN(durable)) {
        lines.push(`| ${t.label}, for reference | durable floor | ${fmt(durable)}× | — | — |`);
      }
    }
  }
  return lines.join('\n');
}
