import { describe, expect, it } from 'vitest';
import {
  dayHeading,
  dayKey,
  formatAuthors,
  formatWhen,
  groupByDay,
  kindLabel,
} from '../src/history/group.js';
import type { VersionInfo } from '../src/history/api.js';

const utc = { locale: 'en-GB', timeZone: 'UTC' };
const at = (iso: string) => Date.parse(iso);
const version = (id: string, iso: string, extra: Partial<VersionInfo> = {}): VersionInfo => ({
  id,
  createdAt: at(iso),
  kind: 'auto',
  ...extra,
});

describe('groupByDay', () => {
  const now = at('2026-12-01T12:00:00Z');

  it('groups by calendar day, newest first, with Today and Yesterday', () => {
    const groups = groupByDay(
      [
        version('5', '2026-12-01T11:40:00Z'),
        version('4', '2026-12-01T00:05:00Z'),
        version('3', '2026-11-30T23:59:00Z'),
        version('2', '2026-11-28T09:00:00Z'),
        version('1', '2025-12-31T09:00:00Z'),
      ],
      now,
      utc,
    );
    expect(groups.map((g) => [g.key, g.heading, g.versions.map((v) => v.id)])).toEqual([
      ['2026-12-01', 'Today', ['5', '4']],
      ['2026-11-30', 'Yesterday', ['3']],
      ['2026-11-28', 'Saturday 28 November', ['2']],
      ['2025-12-31', 'Wednesday, 31 December 2025', ['1']],
    ]);
  });

  it("uses the reader's time zone for the day boundary", () => {
    const late = version('1', '2026-11-30T23:30:00Z');
    expect(dayKey(late.createdAt, { timeZone: 'UTC' })).toBe('2026-11-30');
    expect(dayKey(late.createdAt, { timeZone: 'Europe/Berlin' })).toBe('2026-12-01');
    const berlin = { locale: 'en-GB', timeZone: 'Europe/Berlin' };
    expect(groupByDay([late], now, berlin)[0]?.heading).toBe('Today');
    expect(groupByDay([late], now, utc)[0]?.heading).toBe('Yesterday');
  });

  it('finds yesterday across a month boundary and a DST change', () => {
    const march = at('2026-03-01T10:00:00Z');
    expect(dayHeading(at('2026-02-28T10:00:00Z'), march, utc)).toBe('Yesterday');
    const afterDst = at('2026-03-30T08:00:00Z');
    const berlin = { locale: 'en-GB', timeZone: 'Europe/Berlin' };
    expect(dayHeading(at('2026-03-29T00:30:00Z'), afterDst, berlin)).toBe('Yesterday');
  });

  it('is empty for no versions', () => {
    expect(groupByDay([], now, utc)).toEqual([]);
  });

  it('phrases a version time with its day', () => {
    expect(formatWhen(at('2026-12-01T09:05:00Z'), now, utc)).toBe('today, 9:05');
    expect(formatWhen(at('2026-11-30T17:45:00Z'), now, utc)).toBe('yesterday, 17:45');
  });
});

describe('labels', () => {
  it('names each kind of save, and shows unknown kinds as they are', () => {
    expect(kindLabel('auto')).toBe('Autosaved');
    expect(kindLabel('leave')).toBe('Saved when everyone left');
    expect(kindLabel('restore')).toBe('Saved before a restore');
    expect(kindLabel('import')).toBe('import');
  });

  it('lists authors once each, shortening long lists', () => {
    expect(formatAuthors(undefined)).toBe('');
    expect(formatAuthors(['Ada'])).toBe('Ada');
    expect(formatAuthors(['Ada', 'Bob', 'Ada'])).toBe('Ada and Bob');
    expect(formatAuthors(['Ada', 'Bob', 'Cy'])).toBe('Ada, Bob and Cy');
    expect(formatAuthors(['Ada', 'Bob', 'Cy', 'Di', 'Ed'])).toBe('Ada, Bob and 3 others');
  });
});
