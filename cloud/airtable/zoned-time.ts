/**
 * Calendar days and wall-clock times in an IANA time zone, with the platform's ICU data (Intl):
 * which day an instant falls on in a zone, and the instant a local day starts. Structured date
 * filters need this because Airtable formulas compare instants (IS_BEFORE / IS_AFTER), while
 * people ask about days where they live ("due today in Europe/Paris").
 */

/** A calendar day, e.g. { y: 2026, m: 3, d: 29 } (month 1-12). */
export interface CalendarDay {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size > 500) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** The canonical name of a time zone Intl knows ("utc" -> "UTC"), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 100 || !/^[A-Za-z0-9_+\-/]+$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** Local wall-clock fields of `ms` in `timeZone` (seconds precision). */
function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    y: parts.year!,
    m: parts.month!,
    d: parts.day!,
    h: parts.hour!,
    mi: parts.minute!,
    s: parts.second!,
  };
}

/** Offset of `timeZone` from UTC at instant `ms`, in ms (e.g. +3,600,000 for Paris in winter). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The calendar day instant `ms` falls on in `timeZone`. */
export function dayOf(ms: number, timeZone: string): CalendarDay {
  const w = wallClock(ms, timeZone);
  return { y: w.y, m: w.m, d: w.d };
}

export function compareDays(a: CalendarDay, b: CalendarDay): number {
  return a.y - b.y || a.m - b.m || a.d - b.d;
}

/** `day` moved by whole days (negative: back), on the proleptic Gregorian calendar. */
export function addDays(day: CalendarDay, days: number): CalendarDay {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** `day` moved by whole months; the day is clamped to the month's last day (Jan 31 + 1 = Feb 28/29). */
export function addMonths(day: CalendarDay, months: number): CalendarDay {
  const index = day.y * 12 + (day.m - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { y, m, d: Math.min(day.d, last) };
}

/**
 * The instant a local wall-clock time happens in `timeZone`. A time skipped by a DST jump maps
 * to the first instant after the jump; a repeated time to its first occurrence.
 */
export function zonedTimeToInstant(
  day: CalendarDay,
  wall: { h: number; mi: number; s: number; ms: number },
  timeZone: string,
): number {
  const local = Date.UTC(day.y, day.m - 1, day.d, wall.h, wall.mi, wall.s, wall.ms);
  // The offset around this time takes at most two values (before and after a transition).
  const offsets = new Set([
    zoneOffsetMs(local - 86_400_000, timeZone),
    zoneOffsetMs(local, timeZone),
    zoneOffsetMs(local + 86_400_000, timeZone),
  ]);
  const exact = [...offsets]
    .map((o) => local - o)
    .filter((t) => zoneOffsetMs(t, timeZone) === local - t)
    .sort((a, b) => a - b);
  if (exact.length > 0) return exact[0]!;
  // In a gap: the wall time does not exist; the instant the jump happens is the next that does.
  const candidates = [...offsets].map((o) => local - o).sort((a, b) => a - b);
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  const before = zoneOffsetMs(lo, timeZone);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zoneOffsetMs(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The first instant of local day `day` in `timeZone`. */
export function startOfDay(day: CalendarDay, timeZone: string): number {
  return zonedTimeToInstant(day, { h: 0, mi: 0, s: 0, ms: 0 }, timeZone);
}

export function formatDay(day: CalendarDay): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  return `${pad(day.y, 4)}-${pad(day.m, 2)}-${pad(day.d, 2)}`;
}

/** "YYYY-MM-DD" as a real calendar day (years 1000-9000), or undefined. */
export function parseDay(text: string): CalendarDay | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const day = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  // Years 1000-9000 keep every derived instant a plain ISO 8601 string (and clear of Date.UTC's
  // two-digit-year rule).
  if (day.y < 1000 || day.y > 9000) return undefined;
  return formatDay(addDays(day, 0)) === text ? day : undefined;
}
