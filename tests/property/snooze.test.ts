/**
 * Properties of SNOOZE: the duration grammar is total, every understood request ends after now and
 * within 7 days in any zone, "until" lands on the asked local time, "tomorrow" on the next local date,
 * and the time said back is plain printable ASCII.
 */
import fc from 'fast-check';
import { localMinutes } from '../../src/domain/quiet-hours';
import { parseClock, parseSmsCommand, parseSnoozeSpec, type SnoozeSpec } from '../../src/domain/sms-command';
import { formatLocal, MAX_SNOOZE_MS, snoozeEnd } from '../../src/domain/snooze';
import {
  ALL_ZONES,
  anyInstant,
  anyZoneString,
  DAY,
  HOUR,
  localDay,
  MINUTE,
  modernInstant,
  nearTransition,
  RUNS,
  zonedInstant,
} from './arbitraries';

/** Words a snooze request is made of, plus numbers in every shape JavaScript can print. */
const snoozeToken = fc.oneof(
  fc.constantFrom(
    'FOR',
    'UNTIL',
    'TIL',
    'TO',
    'TOMORROW',
    'AM',
    'PM',
    'NOON',
    'MIDNIGHT',
    'M',
    'MIN',
    'H',
    'HOURS',
    'D',
    'DAYS',
    'W',
    'WEEK',
    'A',
    'TWELVE',
    'OFF',
    '8AM',
    '7:30PM',
    '19:30',
    '0',
  ),
  fc.nat({ max: 100 }).map(String),
  fc.double().map((n) => String(n).toUpperCase()),
  fc.integer().map((n) => `${n}${['M', 'H', 'D', 'W', 'AM', 'PM', ''][Math.abs(n) % 7]}`),
  fc.string({ maxLength: 6 }).map((s) => s.toUpperCase()),
);

const validSpec: fc.Arbitrary<SnoozeSpec> = fc.oneof(
  fc.constant({ kind: 'default' as const }),
  fc.constant({ kind: 'tomorrow' as const }),
  fc.integer({ min: 1, max: 30 * DAY }).map((ms) => ({ kind: 'for' as const, ms })),
  fc.integer({ min: 0, max: 1439 }).map((minuteOfDay) => ({ kind: 'until' as const, minuteOfDay })),
);

describe('snooze (properties)', () => {
  it('parseSnoozeSpec and parseClock never throw, and give well-formed answers', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(snoozeToken, fc.string({ unit: 'binary' })), { maxLength: 6 }),
        (tokens) => {
          const spec = parseSnoozeSpec(tokens);
          if (spec.kind === 'for') {
            // At least a minute; huge amounts are fine (snoozeEnd caps them at 7 days).
            expect(spec.ms).toBeGreaterThanOrEqual(60_000);
          }
          if (spec.kind === 'until') {
            expect(Number.isInteger(spec.minuteOfDay)).toBe(true);
            expect(spec.minuteOfDay).toBeGreaterThanOrEqual(0);
            expect(spec.minuteOfDay).toBeLessThan(1440);
          }
          const clock = parseClock(tokens);
          if (clock !== undefined) expect(clock >= 0 && clock < 1440 && Number.isInteger(clock)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any SNOOZE text that is understood ends after now and within 7 days, in any zone', () => {
    const text = fc
      .array(snoozeToken, { maxLength: 4 })
      .map((tokens) => `snooze ${tokens.join(' ')}`.toLowerCase());
    fc.assert(
      fc.property(text, zonedInstant, (body, { zone, at }) => {
        const command = parseSmsCommand(body);
        if (command.kind !== 'snooze') return;
        const end = snoozeEnd(command.spec, at, zone);
        if (command.spec.kind === 'invalid') {
          expect(end).toBeUndefined();
          return;
        }
        expect(end).toBeGreaterThan(at);
        expect(end).toBeLessThanOrEqual(at + MAX_SNOOZE_MS);
      }),
      { numRuns: RUNS },
    );
  });

  it('"SNOOZE 1e-9" and other vanishing amounts are not understood (they would snooze until now)', () => {
    for (const body of ['SNOOZE 1e-9', 'snooze 5e-324', 'snooze 1E-5 m', 'SNOOZE 0', 'snooze 0x0']) {
      const command = parseSmsCommand(body);
      expect(command).toEqual({ kind: 'snooze', spec: { kind: 'invalid' } });
    }
  });

  it('snoozeEnd of a valid spec is after now and within 7 days for every IANA zone', () => {
    fc.assert(
      fc.property(validSpec, zonedInstant, (spec, { zone, at }) => {
        const end = snoozeEnd(spec, at, zone) as number;
        expect(end).toBeGreaterThan(at);
        expect(end).toBeLessThanOrEqual(at + MAX_SNOOZE_MS);
      }),
      { numRuns: RUNS },
    );
  });

  it('snoozeEnd never throws, whatever the zone string or instant', () => {
    fc.assert(
      fc.property(validSpec, anyZoneString, anyInstant, (spec, zone, at) => {
        const end = snoozeEnd(spec, at, zone);
        expect(Number.isFinite(end)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('"until" lands on the asked local minute, the first one after now (or just after it, when the clock skips it)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), zonedInstant, (minuteOfDay, { zone, at }) => {
        const end = snoozeEnd({ kind: 'until', minuteOfDay }, at, zone) as number;
        expect(end - at).toBeLessThanOrEqual(25 * HOUR + MINUTE);
        const local = localMinutes(end, zone);
        if (local !== minuteOfDay) {
          // Skipped by the clock: the first minute after the jump, which passed over the target.
          const before = localMinutes(end - MINUTE, zone);
          const jump = (local - before + 1440) % 1440;
          expect(jump).toBeGreaterThan(1);
          expect((minuteOfDay - before + 1440) % 1440).toBeLessThanOrEqual(jump);
        }
        // The first such minute: none in the hour before it shows the target.
        for (let t = Math.max(Math.floor(at / MINUTE) * MINUTE + MINUTE, end - HOUR); t < end; t += MINUTE)
          expect(localMinutes(t, zone)).not.toBe(minuteOfDay);
      }),
      { numRuns: RUNS },
    );
  });

  it('"tomorrow" is 8:00 on the next local date, DST changes at midnight included', () => {
    const cases = fc.oneof(nearTransition, zonedInstant);
    fc.assert(
      fc.property(cases, ({ zone, at }) => {
        const end = snoozeEnd({ kind: 'tomorrow' }, at, zone) as number;
        expect(localMinutes(end, zone)).toBe(8 * 60);
        expect(localDay(end, zone)).toBeGreaterThan(localDay(at, zone));
        // 8:00 tomorrow is at most 32 h away (33 h across a clock change).
        expect(end - at).toBeLessThanOrEqual(33 * HOUR);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    // Spring forward at midnight: 00:00 never shows, so "after the next 00:00" was the day after tomorrow.
    ['Africa/Cairo', '2026-04-23T13:38:05+02:00', '2026-04-24T08:00:00+03:00'],
    ['America/Santiago', '2018-08-11T11:37:25-04:00', '2018-08-12T08:00:00-03:00'],
    ['Asia/Beirut', '2021-03-27T13:02:44+02:00', '2021-03-28T08:00:00+03:00'],
    // Fall back from 01:00 to 00:00: the second 00:00 is still today, so this was today's 8:00.
    ['America/Havana', '2013-11-03T00:56:59-04:00', '2013-11-04T08:00:00-05:00'],
    // A skipped date (Samoa, 30 Dec 2011): the next date that exists.
    ['Pacific/Apia', '2011-12-29T23:56:40-10:00', '2011-12-31T08:00:00+14:00'],
  ])('"tomorrow" in %s at %s is %s', (zone, now, expected) => {
    expect(snoozeEnd({ kind: 'tomorrow' }, Date.parse(now), zone)).toBe(Date.parse(expected));
  });

  it.each([
    // DST starts at midnight: 00:00 is skipped, so "until midnight" is the 01:00 that follows, not a day later.
    ['America/Havana', '2024-03-09T21:58:00-05:00', 0, '2024-03-10T01:00:00-04:00'],
    ['America/New_York', '2026-03-08T01:10:00-05:00', 150, '2026-03-08T03:00:00-04:00'],
    ['America/New_York', '2026-03-07T23:00:00-05:00', 480, '2026-03-08T08:00:00-04:00'],
    ['Australia/Lord_Howe', '2026-10-04T01:00:00+10:30', 135, '2026-10-04T02:30:00+11:00'],
  ])('"until" in %s at %s for minute %i is %s', (zone, now, minuteOfDay, expected) => {
    expect(snoozeEnd({ kind: 'until', minuteOfDay }, Date.parse(now), zone)).toBe(Date.parse(expected));
  });

  it('formatLocal never throws and says the time in printable ASCII', () => {
    fc.assert(
      fc.property(anyInstant, anyZoneString, (at, zone) => {
        const text = formatLocal(at, zone);
        expect(text).toMatch(/^[\x20-\x7E]+$/);
        expect(text).not.toMatch(/\s{2}|^\s|\s$/);
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.constantFrom(...ALL_ZONES), modernInstant, (zone, at) => {
        expect(formatLocal(at, zone)).toMatch(
          /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([1-9]|1[0-2]):[0-5]\d (AM|PM)$/,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
