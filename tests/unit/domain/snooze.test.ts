import {
  DEFAULT_SNOOZE_MS,
  formatLocal,
  MAX_SNOOZE_MS,
  nextLocalTime,
  snoozeEnd,
} from '../../../src/domain/snooze';

const NY = 'America/New_York';
const HOUR = 3600_000;
const at = (iso: string) => Date.parse(iso);

describe('nextLocalTime', () => {
  it('finds the next 8:00 later the same local day', () => {
    // 06:00 EST.
    expect(nextLocalTime(at('2026-11-23T11:00:00Z'), NY, 8 * 60)).toBe(at('2026-11-23T13:00:00Z'));
  });

  it('finds tomorrow\'s 8:00 once today\'s has passed, and never returns "now"', () => {
    const eightAm = at('2026-11-23T13:00:00Z');

    expect(nextLocalTime(eightAm, NY, 8 * 60)).toBe(at('2026-11-24T13:00:00Z'));
  });

  it('lands on 8:00 EDT across the spring-forward change (2026-03-08), 23 hours later', () => {
    const noonSaturday = at('2026-03-07T17:00:00Z'); // 12:00 EST

    const next = nextLocalTime(noonSaturday, NY, 8 * 60);

    expect(next).toBe(at('2026-03-08T12:00:00Z')); // 08:00 EDT
    expect(next - noonSaturday).toBe(19 * HOUR);
    expect(formatLocal(next, NY)).toBe('Sun 8:00 AM');
  });

  it('lands on 8:00 EST across the fall-back change (2026-11-01)', () => {
    const noonSaturday = at('2026-10-31T16:00:00Z'); // 12:00 EDT

    const next = nextLocalTime(noonSaturday, NY, 8 * 60);

    expect(next).toBe(at('2026-11-01T13:00:00Z')); // 08:00 EST
    expect(next - noonSaturday).toBe(21 * HOUR);
    expect(formatLocal(next, NY)).toBe('Sun 8:00 AM');
  });

  it('takes the first 1:30 of the night the clocks go back', () => {
    const midnight = at('2026-11-01T04:00:00Z'); // 00:00 EDT

    expect(nextLocalTime(midnight, NY, 90)).toBe(at('2026-11-01T05:30:00Z')); // 01:30 EDT
  });

  it('never returns a local time the spring-forward jump skipped', () => {
    const midnight = at('2026-03-08T05:00:00Z'); // 00:00 EST; 2:00-2:59 does not exist today

    const next = nextLocalTime(midnight, NY, 2 * 60 + 30);

    expect(next).toBeGreaterThan(midnight);
    expect(formatLocal(next, NY)).not.toMatch(/^Sun 2:30/);
  });
});

describe('snoozeEnd', () => {
  const now = at('2026-11-23T12:00:00Z'); // Mon 07:00 EST

  it('snoozes for 24 hours by default', () => {
    expect(snoozeEnd({ kind: 'default' }, now, NY)).toBe(now + DEFAULT_SNOOZE_MS);
  });

  it('snoozes for the amount asked', () => {
    expect(snoozeEnd({ kind: 'for', ms: 90 * 60_000 }, now, NY)).toBe(now + 90 * 60_000);
  });

  it('clamps anything longer to 7 days', () => {
    expect(snoozeEnd({ kind: 'for', ms: 30 * 24 * HOUR }, now, NY)).toBe(now + MAX_SNOOZE_MS);
    expect(MAX_SNOOZE_MS).toBe(7 * 24 * HOUR);
  });

  it('snoozes until a local time of day', () => {
    expect(snoozeEnd({ kind: 'until', minuteOfDay: 20 * 60 }, now, NY)).toBe(at('2026-11-24T01:00:00Z'));
  });

  it('snoozes until 8:00 on the next local date for "tomorrow"', () => {
    const lateEvening = at('2026-11-24T04:30:00Z'); // Mon 23:30 EST

    expect(snoozeEnd({ kind: 'tomorrow' }, lateEvening, NY)).toBe(at('2026-11-24T13:00:00Z'));
  });

  it('gives undefined for a request it cannot read', () => {
    expect(snoozeEnd({ kind: 'invalid' }, now, NY)).toBeUndefined();
  });
});

describe('formatLocal', () => {
  it("says the weekday and time in the subscriber's zone", () => {
    expect(formatLocal(at('2026-11-23T12:00:00Z'), NY)).toBe('Mon 7:00 AM');
    expect(formatLocal(at('2026-11-23T12:00:00Z'), 'Asia/Tokyo')).toBe('Mon 9:00 PM');
  });

  it('prints only printable ASCII, whatever ICU puts before AM/PM', () => {
    for (const zone of [NY, 'Europe/Paris', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
      for (let h = 0; h < 24; h++) {
        const text = formatLocal(at('2026-03-08T00:00:00Z') + h * HOUR, zone);
        expect(text).toMatch(/^[\x20-\x7E]+$/);
        expect(text).not.toMatch(/\s{2}/);
      }
    }
  });

  it('falls back to UTC for a zone it does not know', () => {
    expect(formatLocal(at('2026-11-23T12:00:00Z'), 'Mars/Olympus_Mons')).toBe('Mon 12:00 PM');
  });
});
