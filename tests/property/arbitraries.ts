/**
 * Shared generators for the property tests: instants, every IANA zone, and instants close to real
 * DST transitions (found once, by scanning the zones' offsets) so the arithmetic meets them often.
 */
import fc from 'fast-check';

// CI runs one fixed seed (FC_SEED to change it) so a red build can be replayed; developers' runs
// explore a new seed each time, and a failure prints its seed.
if (process.env.CI || process.env.FC_SEED)
  fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261123) });

export const MINUTE = 60_000;
export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** Runs per property: enough to meet the odd cases, small enough to keep the folder fast. */
export const RUNS = 300;

export const ALL_ZONES: string[] = Intl.supportedValuesOf('timeZone');

/** Zones whose clocks jump in awkward ways: at midnight, by 30 minutes, backwards in winter, a skipped day. */
export const DST_ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'America/Santiago',
  'America/Asuncion',
  'America/Havana',
  'Asia/Beirut',
  'Pacific/Chatham',
  'Europe/Dublin',
  'Africa/Casablanca',
  'America/Sao_Paulo',
  'Pacific/Apia',
  'Asia/Tehran',
  'Africa/Cairo',
] as const;

const wallFormatters = new Map<string, Intl.DateTimeFormat>();

/** The local wall clock at `at`, as if it were UTC: (wall - at) is the zone's offset. */
export function wallClock(at: number, timeZone: string): number {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      era: 'short',
    });
    wallFormatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const part of f.formatToParts(at)) parts[part.type] = part.value;
  const year = Number(parts.year) * (parts.era === 'BC' ? -1 : 1);
  const d = new Date(0);
  d.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  d.setUTCHours(Number(parts.hour) % 24, Number(parts.minute), Number(parts.second), 0);
  return d.getTime();
}

export function offsetOf(at: number, timeZone: string): number {
  return wallClock(at, timeZone) - Math.floor(at / 1000) * 1000;
}

/** Local calendar day number (days since 1970-01-01 on the local calendar). */
export function localDay(at: number, timeZone: string): number {
  return Math.floor(wallClock(at, timeZone) / DAY);
}

/** Instants where the zone's offset changes, to the minute, between two years. */
export function transitionsOf(timeZone: string, fromYear: number, toYear: number): number[] {
  const found: number[] = [];
  let t = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 0, 1);
  let offset = offsetOf(t, timeZone);
  for (; t < end; t += 12 * HOUR) {
    const nextOffset = offsetOf(t + 12 * HOUR, timeZone);
    if (nextOffset === offset) continue;
    let lo = t;
    let hi = t + 12 * HOUR;
    while (hi - lo > MINUTE) {
      const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
      if (mid <= lo || mid >= hi) break;
      if (offsetOf(mid, timeZone) === offset) lo = mid;
      else hi = mid;
    }
    found.push(hi);
    offset = nextOffset;
  }
  return found;
}

let transitions: Array<{ zone: string; at: number }> | undefined;

/** Every clock change of DST_ZONES from 2010 to 2027, found on first use (it takes a second or two). */
export function allTransitions(): Array<{ zone: string; at: number }> {
  transitions ??= DST_ZONES.flatMap((zone) => transitionsOf(zone, 2010, 2028).map((at) => ({ zone, at })));
  return transitions;
}

/** A plausible "now": 1990-2060, to the millisecond. */
export const modernInstant = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.getTime());

/** Any instant Date can hold, kept a few days inside its range so arithmetic on it stays valid. */
export const anyInstant = fc
  .date({
    min: new Date(-8.64e15 + 10 * DAY),
    max: new Date(8.64e15 - 10 * DAY),
    noInvalidDate: true,
  })
  .map((d) => d.getTime());

/** A zone and an instant within two days of one of its real clock changes. */
export const nearTransition = fc
  .record({
    index: fc.nat(),
    delta: fc.integer({ min: -48 * 60, max: 48 * 60 }),
    ms: fc.integer({ min: 0, max: MINUTE - 1 }),
  })
  .map(({ index, delta, ms }) => {
    const all = allTransitions();
    const t = all[index % all.length] as { zone: string; at: number };
    return { zone: t.zone, at: t.at + delta * MINUTE + ms };
  });

/** Either any zone at a modern instant, or a DST zone near one of its transitions. */
export const zonedInstant = fc.oneof(
  fc.record({ zone: fc.constantFrom(...ALL_ZONES), at: modernInstant }),
  nearTransition,
);

/** Strings that are not zones, or barely are: garbage, empty, long, differently cased. */
export const anyZoneString = fc.oneof(
  fc.constantFrom(...ALL_ZONES),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('', 'america/new_york', 'UTC+5', 'Etc/GMT+14', 'Mars/Olympus', 'x'.repeat(65), 'Z'),
);

export const quietHoursArb = fc.record({
  start: fc.integer({ min: 0, max: 23 }),
  end: fc.integer({ min: 0, max: 23 }),
});
