/**
 * `npm run bench` (quick) / `npm run bench -- --full`: runs every scenario against Quire,
 * @y/websocket-server and Hocuspocus, interleaved (each scenario runs on each server in turn, in
 * rotating order), with servers pinned to one core and this load generator to the other, then
 * prints the results and the ratios as Markdown. Options:
 *   --full              bigger, longer scenarios, 3 repetitions
 *   --only=a,b          scenarios: typing, idle, cold-load, documents, paste, slow-consumer,
 *                       flood (the default set), and scale-out: Quire alone on 1, 2 and 3 instances over
 *                       PostgreSQL and Redis (scenarios/scale-out.ts; needs both running),
 *                       and editor: Quire's demo in headless Chromium (/usr/bin/chromium, or
 *                       QUIRE_CHROMIUM) with the automerge-paper document: time until the text
 *                       is shown, key-to-screen and remote-to-screen latency while two typists
 *                       type (scenarios/editor.ts; needs the built client: `npm run build`;
 *                       BENCH_EDITOR_SHOTS=<dir> also saves screenshots of the page,
 *                       BENCH_EDITOR_PROFILE=<file> the page's CPU profile while typing)
 *   --servers=a,b       quire, y-websocket-server, hocuspocus, floor and durable-floor (the
 *                       default). floor: a do-nothing relay showing the harness's own share
 *                       (the CPU and memory targets are ratios to it); durable-floor: the floor
 *                       plus a Y.Doc per room, a SQLite append before each relay and an fsync
 *                       within 4 ms, the least Quire's promise costs (typing, paste and
 *                       slow-consumer only). Neither is ever counted as a peer.
 *   --repetitions=N     override the repetitions of the chosen size (quick 1, full 3)
 *   --json=PATH         also write the raw results as JSON
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { FULL, QUICK, type BenchConfig } from './config.js';
import { setUpPinning } from './pinning.js';
import { renderScenario, renderTargets, type Results } from './report.js';
import type { ScenarioResult } from './scenarios/common.js';
import { runColdLoad } from './scenarios/cold-load.js';
import { runDocuments } from './scenarios/documents.js';
import { runFlood } from './scenarios/flood.js';
import { runIdle } from './scenarios/idle.js';
import { runPaste } from './scenarios/paste.js';
import { runSlowConsumer } from './scenarios/slow-consumer.js';
import { runTyping } from './scenarios/typing.js';
import { runScaleOut, TOPOLOGIES } from './scenarios/scale-out.js';
import { EDITOR_TEXT_NAME, runEditor } from './scenarios/editor.js';
import { renderEditor } from './editor-report.js';
import { renderScaleOut, type ScaleOutResults } from './scale-out-report.js';
import { ALL_SERVER_NAMES, ServerProcess, isFloor, isPeer, type ServerName } from './servers.js';
import { ensurePeersInstalled } from './peers-install.js';
import { replayTrace, type ReplayedTrace } from './traces.js';

const SCENARIOS = [
  'typing',
  'idle',
  'cold-load',
  'documents',
  'paste',
  'slow-consumer',
  'flood',
] as const;
type Scenario = (typeof SCENARIOS)[number];
/** Quire-only scenarios, outside the side-by-side comparison and only run when named. */
const QUIRE_ONLY = ['scale-out', 'editor'] as const;
type QuireOnlyScenario = (typeof QUIRE_ONLY)[number];

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    servers: { type: 'string' },
    json: { type: 'string' },
    repetitions: { type: 'string' },
  },
});

function pick<T extends string>(
  list: string | undefined,
  all: readonly T[],
  what: string,
  defaults: readonly T[] = all,
): T[] {
  if (!list) return [...defaults];
  const chosen = list.split(',').map((s) => s.trim());
  const unknown = chosen.filter((s) => !all.includes(s as T));
  if (unknown.length > 0) {
    throw new Error(`unknown ${what}: ${unknown.join(', ')} (choose from ${all.join(', ')})`);
  }
  return chosen as T[];
}

const repetitions = values.repetitions === undefined ? NaN : Number(values.repetitions);
if (values.repetitions !== undefined && !(Number.isInteger(repetitions) && repetitions > 0)) {
  throw new Error(`--repetitions must be a positive integer, got "${values.repetitions}"`);
}
const config: BenchConfig = {
  ...(values.full ? FULL : QUICK),
  ...(Number.isNaN(repetitions) ? {} : { repetitions }),
};
const chosen = pick<Scenario | QuireOnlyScenario>(
  values.only,
  [...SCENARIOS, ...QUIRE_ONLY],
  'scenario',
  SCENARIOS,
);
const scenarios = chosen.filter((s): s is Scenario => (SCENARIOS as readonly string[]).includes(s));
const runScaleOutScenario = chosen.includes('scale-out');
const runEditorScenario = chosen.includes('editor');
// The floor runs by default: the CPU and memory targets are ratios to it.
const servers = pick(values.servers, ALL_SERVER_NAMES, 'server', ALL_SERVER_NAMES);
const pinning = setUpPinning();
const progress = (line: string) => process.stderr.write(`${line}\n`);

progress(`bench: ${values.full ? 'full' : 'quick'} run; ${pinning.note}`);
// Only the side-by-side scenarios run the peers.
if (scenarios.length > 0 && servers.some(isPeer)) ensurePeersInstalled(progress);
let traces: ReplayedTrace[] = [];
if (scenarios.includes('cold-load')) {
  progress('bench: replaying traces into Y.Docs…');
  traces = config.coldLoad.traces.map((name) => replayTrace(name, config.coldLoad.chunks));
}
let documentTraces: ReplayedTrace[] = [];
if (scenarios.includes('documents')) {
  progress('bench: replaying traces for the documents scenario…');
  documentTraces = config.documents.traces.map((name) =>
    replayTrace(name, config.documents.chunks),
  );
}

function runScenario(scenario: Scenario, server: ServerProcess): Promise<ScenarioResult> {
  switch (scenario) {
    case 'typing':
      return runTyping(server, config.typing);
    case 'idle':
      return runIdle(server, config.idle);
    case 'cold-load':
      return runColdLoad(server, config.coldLoad, traces);
    case 'documents':
      return runDocuments(server, config.documents, documentTraces);
    case 'paste':
      return runPaste(server, config.paste);
    case 'slow-consumer':
      return runSlowConsumer(server, config.slowConsumer);
    case 'flood':
      return runFlood(server, config.flood);
  }
}

/** Where each floor relay runs: neither serves stored documents (cold-load, documents), and the
 * durable floor only where its figures answer a question (the CPU and tail of the relay path). */
const SCENARIOS_FOR_FLOORS: Partial<Record<ServerName, readonly Scenario[]>> = {
  floor: ['typing', 'idle', 'paste', 'slow-consumer', 'flood'],
  'durable-floor': ['typing', 'paste', 'slow-consumer'],
};

const results: Results = new Map();
const loadBefore = loadavg()[0] ?? 0;
const startedAt = new Date();
for (const [s, scenario] of scenarios.entries()) {
  const perServer = new Map<ServerName, ScenarioResult[]>();
  results.set(scenario, perServer);
  for (let rep = 0; rep < config.repetitions; rep++) {
    const shift = (s + rep) % servers.length;
    const order = [...servers.slice(shift), ...servers.slice(0, shift)];
    for (const name of order) {
      if (!SCENARIOS_FOR_FLOORS[name]?.includes(scenario) && isFloor(name)) continue;
      const server = new ServerProcess(name, pinning);
      const started = performance.now();
      let result: ScenarioResult;
      try {
        await server.start();
        result = await runScenario(scenario, server);
      } catch (error) {
        result = {
          metrics: {},
          correct: false,
          notes: [`run failed: ${(error as Error).message}`],
        };
      } finally {
        await server.dispose();
      }
      const list = perServer.get(name) ?? [];
      list.push(result);
      perServer.set(name, list);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const summary = Object.entries(result.metrics)
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
        .join(' ');
      progress(
        `bench: ${scenario} #${rep + 1} ${name} (${seconds}s) ${result.correct ? 'ok' : 'GATE FAILED'} ${summary} ${result.notes.join('; ')}`,
      );
    }
  }
}

const scaleOut: ScaleOutResults = new Map();
if (runScaleOutScenario) {
  for (let rep = 0; rep < config.repetitions; rep++) {
    for (const topology of TOPOLOGIES) {
      const started = performance.now();
      let result: ScenarioResult;
      try {
        result = await runScaleOut(topology, config.scaleOut, pinning);
      } catch (error) {
        result = {
          metrics: {},
          correct: false,
          notes: [`run failed: ${(error as Error).message}`],
        };
      }
      scaleOut.set(topology, [...(scaleOut.get(topology) ?? []), result]);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const summary = Object.entries(result.metrics)
        .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
        .join(' ');
      progress(
        `bench: scale-out #${rep + 1} ${topology.label} (${seconds}s) ${result.correct ? 'ok' : 'GATE FAILED'} ${summary} ${result.notes.join('; ')}`,
      );
    }
  }
}

const editorRuns: ScenarioResult[] = [];
if (runEditorScenario) {
  progress(`bench: replaying ${config.editor.trace} for the editor scenario…`);
  const editorTrace = replayTrace(config.editor.trace, config.editor.chunks, EDITOR_TEXT_NAME);
  for (let rep = 0; rep < config.repetitions; rep++) {
    const server = new ServerProcess('quire', pinning);
    const started = performance.now();
    let result: ScenarioResult;
    try {
      await server.start();
      result = await runEditor(server, config.editor, editorTrace);
    } catch (error) {
      result = { metrics: {}, correct: false, notes: [`run failed: ${(error as Error).message}`] };
    } finally {
      await server.dispose();
    }
    editorRuns.push(result);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const summary = Object.entries(result.metrics)
      .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`)
      .join(' ');
    progress(
      `bench: editor #${rep + 1} quire (${seconds}s) ${result.correct ? 'ok' : 'GATE FAILED'} ${summary} ${result.notes.join('; ')}`,
    );
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  `## Results (${values.full ? 'full' : 'quick'} run, ${config.repetitions} repetition(s), ` +
    `${startedAt.toISOString()})`,
  '',
  `Machine: ${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
    `Node ${process.version}, ${process.platform}. ${pinning.note}. ` +
    `1-min load average before the run: ${loadBefore.toFixed(2)}, after: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
];
const body = scenarios.map((scenario) => renderScenario(results, scenario, servers));
if (runScaleOutScenario) body.push(renderScaleOut(scaleOut));
if (runEditorScenario) {
  body.push(
    renderEditor(editorRuns, `npm run bench -w @quire/bench -- ${process.argv.slice(2).join(' ')}`),
  );
}
const targets = scenarios.length > 0 ? [renderTargets(results, servers)] : [];
process.stdout.write([header.join('\n'), ...targets, ...body].join('\n\n') + '\n');
if (values.json) {
  const raw: Record<string, unknown> = Object.fromEntries(
    [...results].map(([scenario, m]) => [scenario, Object.fromEntries(m)]),
  );
  if (runScaleOutScenario) {
    raw['scale-out'] = Object.fromEntries([...scaleOut].map(([t, runs]) => [t.label, runs]));
  }
  if (runEditorScenario) raw.editor = editorRuns;
  writeFileSync(values.json, JSON.stringify({ startedAt, config, results: raw }, null, 2));
}
const quireFailed =
  [...results.values()].some((m) => (m.get('quire') ?? []).some((r) => !r.correct)) ||
  [...scaleOut.values()].some((runs) => runs.some((r) => !r.correct)) ||
  editorRuns.some((r) => !r.correct);
process.exitCode = quireFailed ? 1 : 0;
