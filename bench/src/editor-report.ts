/** The editor scenario's Markdown section (scenarios/editor.ts). */
import type { ScenarioResult } from './scenarios/common.js';
import { median } from './stats.js';

/** The scenario's Markdown section: the median of each figure over the repetitions. */
export function renderEditor(runs: readonly ScenarioResult[], command: string): string {
  const value = (name: string) => median(runs.map((r) => r.metrics[name] ?? NaN));
  const ms = (name: string) => `${value(name).toFixed(0)} ms`;
  const rows = [
    ['Document (characters)', value('docChars').toLocaleString('en-US')],
    ['Text shown, cold (server restarted), median', ms('coldShownMs')],
    ['Text shown, warm (second open), median', ms('warmShownMs')],
    [
      'Cold / warm: DOMContentLoaded → document update arrived → applied (Y.Doc + CodeMirror)',
      ['DomContentLoadedMs', 'DocArrivedMs', 'DocAppliedMs']
        .map((k) => `${ms(`cold${k}`)} / ${ms(`warm${k}`)}`)
        .join(' → '),
    ],
    [
      `Key-to-screen p50 / p95 / p99 (${value('keystrokes')} keys at ` +
        `${value('personKeysPerSecond').toFixed(1)}/s)`,
      `${ms('keyToScreenP50Ms')} / ${ms('keyToScreenP95Ms')} / ${ms('keyToScreenP99Ms')}`,
    ],
    [
      `Remote-to-screen p50 / p95 / p99 (${value('remoteSamples')} of ` +
        `${value('remoteSent')} updates, ${value('typistKeysPerSecond').toFixed(1)}/s)`,
      `${ms('remoteToScreenP50Ms')} / ${ms('remoteToScreenP95Ms')} / ${ms('remoteToScreenP99Ms')}`,
    ],
    [
      'Page main thread in long tasks (> 50 ms) while typing',
      `${(value('longTaskMsPerSecond') / 10).toFixed(0)} %`,
    ],
    ['1-min load average at the start (median of the runs)', value('loadAverage1m').toFixed(1)],
    ['Page clock offset (measured)', `${value('pageClockOffsetMs').toFixed(2)} ms`],
    ['Gate (page text = every typist’s)', runs.every((r) => r.correct) ? 'ok' : 'FAILED'],
  ];
  const notes = [...new Set(runs.flatMap((r) => r.notes))];
  return [
    `### Editor in Chromium (${runs.length} run(s))`,
    '',
    `\`${command}\``,
    '',
    '| Figure | Quire |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    ...(notes.length > 0 ? ['', `Notes: ${notes.join('; ')}`] : []),
  ].join('\n');
}
