/**
 * Quiet hours in the subscriber's own time zone, DST included: whether an instant falls inside
 * them, and when they end. Built on Intl only (no time-zone library in the bundle).
 */
import type { QuietHours } from './subscriber';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes since local midnight at `at` in `timeZone` (UTC when the zone is unknown). */
export function localMinutes(at: number, timeZone: string): number {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  let hour = 0;
  let minute = 0;
  for (const part of formatter(zone).formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** True inside [start, end) local time; a window such as 22-7 wraps midnight. start == end: never. */
export function isQuiet(at: number, timeZone: string, quiet: QuietHours): boolean {
  if (quiet.start === quiet.end) return false;
  const minutes = localMinutes(at, timeZone);
  const start = quiet.start * 60;
  const end = quiet.end * 60;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

const MINUTE = 60_000;
const STEP_MS = 5 * MINUTE;
const COARSE_MS = 30 * MINUTE;

/** The first 5-minute boundary at or after `at` outside quiet hours (within a day, or two across a DST skip). */
export function quietEnd(at: number, timeZone: string, quiet: QuietHours): number {
  if (!isQuiet(at, timeZone, quiet)) return at;
  const first = Math.floor(at / STEP_MS) * STEP_MS + STEP_MS;
  // Coarse steps over the window, then fine ones over the last half hour: the same answer as
  // stepping 5 minutes at a time (quiet hours are one unbroken stretch, DST or not), in far fewer
  // time-zone conversions.
  let t = first;
  // Up to two days: when a clock change skips the only non-quiet hour (QUIET 3-2 on a spring-forward
  // night), the window runs on into the next day.
  for (let i = 0; i < 100 && isQuiet(t, timeZone, quiet); i++) t += COARSE_MS;
  t = Math.max(first, t - COARSE_MS);
  for (let i = 0; i <= COARSE_MS / STEP_MS && isQuiet(t, timeZone, quiet); i++) t += STEP_MS;
  return t;
}
