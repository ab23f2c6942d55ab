// When a schedule fires next, in a time zone (robfig/cron's SpecSchedule.Next over wall-clock time
// in the location): whole minutes only, day of month and day of week ANDed when either is `*`,
// ORed otherwise, and nothing further than five years ahead (then: never).
import type { CronField, CronSchedule } from './parse.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
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
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

const weekdayNumber: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock in `timeZone` at instant `ms`. */
export function wallClock(ms: number, timeZone: string): Wall {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    weekday: weekdayNumber[parts['weekday'] ?? ''] ?? 0,
  };
}

/** Whether `timeZone` names a zone in the IANA database Node carries (time.LoadLocation's job). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const has = (f: CronField, v: number) => ((f.bits >> BigInt(v)) & 1n) === 1n;

function dayMatches(s: Extract<CronSchedule, { kind: 'spec' }>, w: Wall): boolean {
  const dom = has(s.dom, w.day);
  const dow = has(s.dow, w.weekday);
  return s.dom.star || s.dow.star ? dom && dow : dom || dow;
}

/**
 * The first time strictly after `afterMs` the schedule fires, in `timeZone` (default UTC); undefined
 * when it never does within five years (e.g. `0 0 30 2 *`).
 */
export function nextAfter(schedule: CronSchedule, afterMs: number, timeZone = 'UTC'): number | undefined {
  if (schedule.kind === 'every') return Math.floor(afterMs / 1000) * 1000 + schedule.everyMs;
  // Start at the next whole minute; every step below lands on a whole minute too.
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = t + 5 * 366 * 24 * HOUR;
  // Each step skips at least to the next candidate minute, hour or day, so this ends quickly.
  while (t <= limit) {
    const w = wallClock(t, timeZone);
    if (!has(schedule.month, w.month) || !dayMatches(schedule, w)) {
      // To the next local midnight; a DST change that day lands an hour off, which the next
      // round corrects (23:00 steps one more hour, 01:00 is midnight's stand-in when midnight is skipped).
      let next = t + (24 - w.hour) * HOUR - w.minute * MINUTE;
      const h = wallClock(next, timeZone).hour;
      if (h === 1) next -= HOUR;
      t = next > t ? next : t + HOUR;
      continue;
    }
    if (!has(schedule.hour, w.hour)) {
      t += HOUR - w.minute * MINUTE;
      continue;
    }
    if (!has(schedule.minute, w.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}
