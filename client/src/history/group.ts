/**
 * How the History panel shows versions: grouped by calendar day (in the reader's time zone),
 * each with a time, what kind of save it was, and who wrote it. Pure, so it is unit-tested with a
 * fixed clock, locale and time zone.
 */
import type { VersionInfo } from './api.js';

export interface DayGroup {
  /** `YYYY-MM-DD` in the given time zone: stable, for element ids. */
  key: string;
  /** "Today", "Yesterday", or the date. */
  heading: string;
  versions: VersionInfo[];
}

export interface FormatOptions {
  /** BCP 47 locale; default the runtime's. */
  locale?: string;
  /** IANA time zone; default the runtime's. */
  timeZone?: string;
}

/** Calendar day of `ms` in the time zone, as `YYYY-MM-DD`. */
export function dayKey(ms: number, options: FormatOptions = {}): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: options.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(ms);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** The key of the day before `key` (calendar arithmetic, so DST changes do not matter). */
function previousDay(key: string): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

export function dayHeading(ms: number, now: number, options: FormatOptions = {}): string {
  const key = dayKey(ms, options);
  const today = dayKey(now, options);
  if (key === today) return 'Today';
  if (key === previousDay(today)) return 'Yesterday';
  const sameYear = key.slice(0, 4) === today.slice(0, 4);
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: sameYear ? undefined : 'numeric',
  }).format(ms);
}

/** Versions (newest first) grouped into days, newest day first, order kept inside each day. */
export function groupByDay(
  versions: readonly VersionInfo[],
  now: number,
  options: FormatOptions = {},
): DayGroup[] {
  const groups: DayGroup[] = [];
  for (const version of versions) {
    const key = dayKey(version.createdAt, options);
    let group = groups.find((g) => g.key === key);
    if (!group) {
      group = { key, heading: dayHeading(version.createdAt, now, options), versions: [] };
      groups.push(group);
    }
    group.versions.push(version);
  }
  return groups.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

export function formatTime(ms: number, options: FormatOptions = {}): string {
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    hour: 'numeric',
    minute: '2-digit',
  }).format(ms);
}

/** Day and time in one phrase, for the diff heading and the restore question. */
export function formatWhen(ms: number, now: number, options: FormatOptions = {}): string {
  const heading = dayHeading(ms, now, options);
  const day = heading === 'Today' || heading === 'Yesterday' ? heading.toLowerCase() : heading;
  return `${day}, ${formatTime(ms, options)}`;
}

const KIND_LABELS: Record<string, string> = {
  auto: 'Autosaved',
  leave: 'Saved when everyone left',
  restore: 'Saved before a restore',
  api: 'Saved before an API edit',
  manual: 'Saved by hand',
};

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol", "Alice, Bob and 3 others". */
export function formatAuthors(authors: readonly string[] | undefined, max = 3): string {
  const names = [...new Set(authors ?? [])];
  if (names.length === 0) return '';
  if (names.length === 1) return names[0] as string;
  if (names.length <= max) return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  const shown = names.slice(0, max - 1);
  const rest = names.length - shown.length;
  return `${shown.join(', ')} and ${rest} others`;
}
