/**
 * Server cost read from /proc, so every server is measured the same way from outside: CPU time
 * (user + system, all threads, including SQLite/LevelDB worker threads) and resident memory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second for /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux). */
const CLOCK_TICKS = readClockTicks();

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU seconds (user + system) the process has used so far, to the nanosecond: the sum of its
 * threads' on-CPU time from /proc/<pid>/task/<tid>/schedstat. /proc/<pid>/stat counts in clock
 * ticks (10 ms), too coarse for short windows such as a few pastes; it is the fallback where
 * schedstat is missing. (A thread that exits inside a window would drop out of the sum; the
 * servers measured here keep their thread pools for their whole life.) */
export function cpuSeconds(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0],
      );
    }
    if (Number.isFinite(nanoseconds) && nanoseconds > 0) return nanoseconds / 1e9;
  } catch {
    // A thread that exited between readdir and read, or no schedstat: use the tick counters.
  }
  return tickCpuSeconds(pid);
}

function tickCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Write-family system calls the process has made so far (/proc/<pid>/io `syscw`): with one
 * socket write per frame this tracks frames sent; batching shows as fewer writes per delivery. */
export function writeSyscalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^syscw:\s+(\d+)$/m.exec(io);
  return match ? Number(match[1]) : NaN;
}
