/**
 * Threat model F1 (docs/threat-model.md), short version: 20 SIGKILLs at random instants while 3
 * writers edit, restarting each time (scripts/crash-loop.mjs; run it with --iterations 1000 for the
 * long version). Every acknowledged or relayed edit must survive, exactly once, and the document
 * must always load.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../../scripts/crash-loop.mjs', import.meta.url));
const KILLS = 20;

interface Summary {
  kills: number;
  acked: number;
  relayed: number;
  lost: number;
  duplicated: number;
  loadFailures: number;
  examples: unknown;
}

function runCrashLoop(iterations: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [SCRIPT, '--iterations', String(iterations), '--max-kill-ms', '400', '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('crash loop', () => {
  it(`loses no acknowledged or relayed edit across ${KILLS} random SIGKILLs`, async () => {
    const { code, output } = await runCrashLoop(KILLS);
    const line = /CRASH-LOOP-SUMMARY (.*)/.exec(output)?.[1];
    expect(line, output).toBeDefined();
    const summary = JSON.parse(line!) as Summary;
    expect(summary.kills).toBe(KILLS);
    expect(summary.acked).toBeGreaterThan(0);
    expect(summary.relayed).toBeGreaterThan(0);
    expect(summary.loadFailures, JSON.stringify(summary.examples)).toBe(0);
    expect(summary.lost, JSON.stringify(summary.examples)).toBe(0);
    expect(summary.duplicated).toBe(0);
    expect(code).toBe(0);
  }, 120_000);
});
