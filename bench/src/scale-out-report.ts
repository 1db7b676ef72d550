/**
 * The scale-out table: one row per topology (the median over repetitions), then the two
 * targets, both against the one-instance baseline without a bus: cross-instance p99 latency at
 * most 2× the single instance's p99, and CPU per delivery with the bus at most 1.3× without.
 * Then, when the partitioned row ran, what the instances cost with nothing crossing: the floor.
 */
import type { ScenarioResult } from './scenarios/common.js';
import type { Topology } from './scenarios/scale-out.js';
import { median } from './stats.js';

export type ScaleOutResults = Map<Topology, ScenarioResult[]>;

const COLUMNS: [metric: string, heading: string][] = [
  ['sameP99Ms', 'same-instance p99 ms'],
  ['crossP50Ms', 'cross-instance p50 ms'],
  ['crossP99Ms', 'cross-instance p99 ms'],
  ['cpuUsPerDelivery', 'CPU µs per delivery (all instances)'],
  ['serverCpuPercent', 'server CPU %'],
  ['deliveriesPerSecond', 'deliveries/s'],
  ['postgresCommitsPerSecond', 'PostgreSQL commits/s'],
  ['keystrokesPerSecond', 'keystrokes/s'],
];

const fmt = (v: number) => (Number.isNaN(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(2));

const metricOf = (runs: ScenarioResult[] | undefined, metric: string) =>
  median((runs ?? []).map((r) => r.metrics[metric] ?? NaN).filter((v) => !Number.isNaN(v)));

export function renderScaleOut(results: ScaleOutResults): string {
  const lines = [
    '### scale-out',
    '',
    `| topology | ${COLUMNS.map(([, h]) => h).join(' | ')} | gate |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|:---:|`,
  ];
  for (const [topology, runs] of results) {
    const cells = COLUMNS.map(([m]) => fmt(metricOf(runs, m)));
    const gate = runs.every((r) => r.correct) ? 'pass' : 'FAIL';
    lines.push(`| ${topology.label} | ${cells.join(' | ')} | ${gate} |`);
  }
  const entries = [...results];
  const baseline = entries.find(([t]) => t.instances === 1 && !t.bus)?.[1];
  const widest = entries.filter(([t]) => t.bus).at(-1);
  const floor = entries.find(([t]) => t.partitioned);
  if (baseline && widest) {
    const latency = metricOf(widest[1], 'crossP99Ms') / metricOf(baseline, 'sameP99Ms');
    const cpu = metricOf(widest[1], 'cpuUsPerDelivery') / metricOf(baseline, 'cpuUsPerDelivery');
    const met = (ratio: number, max: number) =>
      Number.isNaN(ratio) ? '—' : ratio <= max ? 'yes' : 'no';
    lines.push(
      '',
      `| target (${widest[0].label} against 1 instance, no bus) | ratio | required | met |`,
      '|---|---:|---:|:---:|',
      `| cross-instance p99 ÷ single-instance p99 | ${fmt(latency)}× | ≤ 2× | ${met(latency, 2)} |`,
      `| CPU per delivery with the bus ÷ without | ${fmt(cpu)}× | ≤ 1.3× | ${met(cpu, 1.3)} |`,
    );
    if (floor) {
      // Not a target: how much of the ratio above is the processes themselves, not the bus.
      const processes =
        metricOf(floor[1], 'cpuUsPerDelivery') / metricOf(baseline, 'cpuUsPerDelivery');
      lines.push(
        '',
        `CPU per delivery, ${floor[0].label} ÷ 1 instance, no bus: ${fmt(processes)}× ` +
          '(nothing crosses an instance: the floor under the bus rows).',
      );
    }
  }
  const notes = entries.flatMap(([t, runs]) =>
    [...new Set(runs.flatMap((r) => r.notes))].map((n) => `- ${t.label}: ${n}`),
  );
  if (notes.length > 0) lines.push('', ...notes);
  return lines.join('\n');
}
