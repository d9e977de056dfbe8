/**
 * Turning a SNOOZE request into an instant, in the subscriber's time zone, and saying it back in
 * local time. At most 7 days; "until 8am" is the next time the local clock shows 8:00.
 */
import { isValidTimeZone, localMinutes } from './quiet-hours';
import type { SnoozeSpec } from './sms-command';

export const DEFAULT_SNOOZE_MS = 24 * 3600_000;
export const MAX_SNOOZE_MS = 7 * 24 * 3600_000;
const MINUTE = 60_000;
/** "SNOOZE TOMORROW" means until this local time on the next day. */
const TOMORROW_MINUTE_OF_DAY = 8 * 60;

/**
 * The next instant after `now` at which the local clock reads `minuteOfDay` (DST-safe). A time the
 * clock skips that day (00:00 where DST starts at midnight) gives the first minute after the jump,
 * not the same time a day later.
 */
export function nextLocalTime(now: number, timeZone: string, minuteOfDay: number): number {
  let t = Math.floor(now / MINUTE) * MINUTE;
  let previous = localMinutes(t, timeZone);
  for (let i = 0; i < 26 * 60; i++) {
    t += MINUTE;
    const current = localMinutes(t, timeZone);
    const advanced = (current - previous + 1440) % 1440;
    // A forward step (one minute, or a DST jump) that reached or passed over the target.
    const toTarget = (minuteOfDay - previous + 1440) % 1440;
    if (advanced < 720 && toTarget > 0 && toTarget <= advanced) return t;
    previous = current;
  }
  return Math.floor(now / MINUTE) * MINUTE + DEFAULT_SNOOZE_MS;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local calendar date at `at`, as text (UTC when the zone is unknown). */
function localDate(at: number, timeZone: string): string {
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';
  let f = dateFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    dateFormatters.set(zone, f);
  }
  return f.format(at);
}

/** The first minute after `now` whose local date is not today's. */
function startOfNextLocalDate(now: number, timeZone: string): number {
  const today = localDate(now, timeZone);
  let t = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  for (let i = 0; i < 50 * 60 && localDate(t, timeZone) === today; i++) t += MINUTE;
  return t;
}

/** When a snooze ends, or undefined when the request cannot be understood. */
export function snoozeEnd(spec: SnoozeSpec, now: number, timeZone: string): number | undefined {
  let end: number;
  switch (spec.kind) {
    case 'default':
      end = now + DEFAULT_SNOOZE_MS;
      break;
    case 'for':
      end = now + spec.ms;
      break;
    case 'until':
      end = nextLocalTime(now, timeZone, spec.minuteOfDay);
      break;
    case 'tomorrow': {
      // The 8:00 of the next local date. Not "after the next 00:00": where clocks change at
      // midnight, 00:00 can be skipped (that would be the day after) or shown twice (that is today).
      const nextDate = startOfNextLocalDate(now, timeZone);
      end = nextLocalTime(nextDate - MINUTE, timeZone, TOMORROW_MINUTE_OF_DAY);
      break;
    }
    default:
      return undefined;
  }
  return Math.min(end, now + MAX_SNOOZE_MS);
}

/** "Tue 8:00 AM" in the subscriber's zone, in plain ASCII (ICU puts a narrow no-break space before AM). */
export function formatLocal(at: number, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    zone = 'UTC';
  }
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: 'numeric',
    minute: '2-digit',
    hour12: true,
  })
    .format(at)
    .replace(/[^\x20-\x7E]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(',', '')
    .trim();
}
