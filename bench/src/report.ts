/**
 * Turns the per-server results into the printed tables: each metric's median over repetitions
 * per server, and Quire's ratio to the best peer in the same run (lower is better for every
 * ratio shown), then the targets with met / not met.
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
]);

interface Target {
  scenario: string;
  metric: string;
  maxRatio: number;
  label: string;
}

export const TARGETS: readonly Target[] = [
  { scenario: 'typing', metric: 'cpuUsPerDelivery', maxRatio: 0.3, label: 'CPU per delivery' },
  { scenario: 'typing', metric: 'p99Ms', maxRatio: 0.5, label: 'p99 latency (typing)' },
  {
    scenario: 'idle',
    metric: 'rssKiBPerConnection',
    maxRatio: 0.6,
    label: 'RSS per idle connection',
  },
  {
    scenario: 'cold-load',
    metric: 'coldMs:automerge-paper',
    maxRatio: 0.5,
    label: 'time to first sync (automerge-paper)',
  },
  {
    scenario: 'cold-load',
    metric: 'coldMs:seph-blog1',
    maxRatio: 0.5,
    label: 'time to first sync (seph-blog1)',
  },
];

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
  const lines = [
    `### ${scenario}`,
    '',
    `| metric | ${servers.join(' | ')} | Quire ÷ best peer |`,
    `|---|${servers.map(() => '---:').join('|')}|---:|`,
  ];
  for (const metric of metrics) {
    const values = servers.map((s) => fmt(medianMetric(results, scenario, s, metric)));
    const ratio = INFORMATIONAL.has(metric)
      ? ''
      : fmt(ratioToBestPeer(results, scenario, servers, metric));
    lines.push(`| ${metric} | ${values.join(' | ')} | ${ratio} |`);
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
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}

export function renderTargets(results: Results, servers: readonly ServerName[]): string {
  const lines = [
    '### Targets (ratio of Quire to the best peer in this run)',
    '',
    '| target | ratio | required | met |',
    '|---|---:|---:|:---:|',
  ];
  for (const t of TARGETS) {
    if (!results.has(t.scenario)) continue;
    const ratio = ratioToBestPeer(results, t.scenario, servers, t.metric);
    const met = Number.isNaN(ratio) ? '—' : ratio <= t.maxRatio ? 'yes' : 'no';
    lines.push(`| ${t.label} | ${fmt(ratio)}× | ≤ ${t.maxRatio}× | ${met} |`);
  }
  return lines.join('\n');
}
