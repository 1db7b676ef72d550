/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every
 * line must be a HELP or TYPE comment or a sample of a declared family, or it throws naming the
 * line. What /metrics serves must be something Prometheus itself would take.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`bad metric name: ${line}`);
      if (kind === 'HELP') help.set(name, rest);
      else {
        if (!TYPES.has(rest)) throw new Error(`bad type: ${line}`);
        if (families.has(name)) throw new Error(`family declared twice: ${name}`);
        families.set(name, { name, type: rest as MetricType, help: '', samples: [] });
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = match as unknown as [string, string, string, string];
    const family = familyOf(families, name);
    if (!family) throw new Error(`sample of an undeclared family: ${line}`);
    const value = parseValue(valueText);
    if (Number.isNaN(value) && !/^nan$/i.test(valueText)) throw new Error(`bad value: ${line}`);
    family.samples.push({ name, labels: parseLabels(labelText ?? '', line), value });
  }
  for (const family of families.values()) family.help = help.get(family.name) ?? '';
  return families;
}

function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const direct = families.get(sample);
  if (direct) return direct;
  const base = /^(.*)_(bucket|sum|count)$/.exec(sample)?.[1];
  const family = base === undefined ? undefined : families.get(base);
  return family && (family.type === 'histogram' || family.type === 'summary') ? family : undefined;
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case (prom-client writes
 * "Nan" for an empty event-loop histogram). */
function parseValue(text: string): number {
  if (/^nan$/i.test(text)) return NaN;
  if (/^[+-]?inf(inity)?$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const at = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match || match.index !== at) throw new Error(`bad labels: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The value of a histogram's `_count` (no labels, or the given ones), or undefined. */
export function histogramCount(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.get(name);
  if (family?.type !== 'histogram') return undefined;
  return family.samples
    .filter((s) => s.name === `${name}_count`)
    .filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The single value of a counter or gauge sample (matching `labels`), or undefined. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return families
    .get(name)
    ?.samples.find(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    )?.value;
}
