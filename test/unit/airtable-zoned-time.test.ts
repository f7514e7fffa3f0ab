/**
 * Days and wall-clock times in IANA zones (cloud/airtable/zoned-time.ts), checked against Intl
 * directly: the first instant of a local day really is on that day and the instant before is not,
 * across DST changes (including half-hour ones and a zone whose clocks jump a whole day).
 */
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  canonicalTimeZone,
  dayOf,
  formatDay,
  parseDay,
  startOfDay,
  zonedTimeToInstant,
} from '../../cloud/airtable/zoned-time';
import { runs } from '../helpers/fuzz';

const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'America/Sao_Paulo', // DST at midnight until 2019: local midnight did not exist
  'America/Havana', // DST at midnight
  'Australia/Lord_Howe', // 30-minute DST
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'Pacific/Apia', // skipped 2011-12-30 entirely
];

/** The local calendar day of an instant, straight from Intl. */
function intlDay(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

describe('startOfDay', () => {
  it('is on the day, and the millisecond before is on an earlier day', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: 0, max: 365 * 12 }), (zone, n) => {
        const day = addDays({ y: 2010, m: 1, d: 1 }, n);
        const start = startOfDay(day, zone);
        const text = formatDay(day);
        if (intlDay(start, zone) !== text) {
          // Only a day the zone skipped entirely (Apia, 2011-12-30) starts on a later day.
          expect(intlDay(start, zone) > text).toBe(true);
          return;
        }
        expect(intlDay(start - 1, zone) < text).toBe(true);
      }),
      runs(400),
    );
  });

  it('knows the DST days', () => {
    // Paris springs forward on 2026-03-29 (23 h) and falls back on 2026-10-25 (25 h).
    const h = (d: string) => startOfDay(parseDay(d)!, 'Europe/Paris');
    expect((h('2026-03-30') - h('2026-03-29')) / 3_600_000).toBe(23);
    expect((h('2026-10-26') - h('2026-10-25')) / 3_600_000).toBe(25);
    expect(new Date(h('2026-03-29')).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // Sao Paulo 2018-11-04: clocks went from 00:00 to 01:00, so the day began at 01:00 local.
    expect(new Date(startOfDay(parseDay('2018-11-04')!, 'America/Sao_Paulo')).toISOString()).toBe(
      '2018-11-04T03:00:00.000Z',
    );
  });
});

describe('zonedTimeToInstant and dayOf', () => {
  it('a wall time that exists maps back to itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({
          min: Date.parse('2015-01-01T00:00:00Z'),
          max: Date.parse('2030-01-01T00:00:00Z'),
        }),
        (zone, ms) => {
          const t = Math.floor(ms / 60_000) * 60_000;
          const parts = new Intl.DateTimeFormat('en-US', {
            timeZone: zone,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
          }).formatToParts(new Date(t));
          const get = (k: string) => Number(parts.find((p) => p.type === k)!.value);
          const day = { y: get('year'), m: get('month'), d: get('day') };
          const back = zonedTimeToInstant(
            day,
            { h: get('hour'), mi: get('minute'), s: 0, ms: 0 },
            zone,
          );
          // A repeated hour (fall back) maps to its first occurrence.
          expect(back === t || back === t - 3_600_000 || back === t - 1_800_000).toBe(true);
          expect(formatDay(dayOf(t, zone))).toBe(intlDay(t, zone));
        },
      ),
      runs(300),
    );
  });
});

describe('calendar arithmetic and parsing', () => {
  it('adds days and months like a calendar', () => {
    expect(formatDay(addDays({ y: 2024, m: 2, d: 28 }, 1))).toBe('2024-02-29');
    expect(formatDay(addDays({ y: 2024, m: 1, d: 1 }, -1))).toBe('2023-12-31');
    expect(formatDay(addMonths({ y: 2026, m: 1, d: 31 }, 1))).toBe('2026-02-28');
    expect(formatDay(addMonths({ y: 2026, m: 3, d: 31 }, -13))).toBe('2025-02-28');
  });

  it('parses real days only', () => {
    expect(parseDay('2026-02-29')).toBeUndefined();
    expect(parseDay('0001-01-01')).toBeUndefined();
    expect(parseDay('2026-1-01')).toBeUndefined();
    expect(parseDay('2028-02-29')).toEqual({ y: 2028, m: 2, d: 29 });
  });

  it('canonical zone names, and nothing else', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    for (const bad of ['', 'Mars/Olympus', 'Europe/Paris\n', '../etc', 'x'.repeat(101)])
      expect(canonicalTimeZone(bad)).toBeUndefined();
  });
});
