import {
  DEFAULT_EARLY_CHECK,
  DEFAULT_RELAX,
  type EarlyCheckSettings,
  earlyCheckDecision,
  relaxedNextCheckAt,
} from '../../../src/domain/early-check';
import type { DeviceMemory } from '../../../src/domain/subscriber';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const SETTINGS: EarlyCheckSettings = { ...DEFAULT_EARLY_CHECK, threshold: 20 };
const recent = new Date(NOW - 20 * MINUTE).toISOString();

function tracker(over: Partial<DeviceMemory> = {}): DeviceMemory {
  return { name: 'Charge 6', type: 'TRACKER', level: 80, status: 'High', lastSyncTime: recent, ...over };
}
function scale(over: Partial<DeviceMemory> = {}): DeviceMemory {
  return { name: 'Aria Air', type: 'SCALE', level: 90, status: 'High', lastSyncTime: recent, ...over };
}
function decide(devices: Record<string, DeviceMemory>, dataType = 'steps', lastEarlyCheckAt?: number) {
  return earlyCheckDecision({ devices, dataType, lastEarlyCheckAt, now: NOW, settings: SETTINGS });
}

describe('earlyCheckDecision', () => {
  it('checks now when a tracker is near the level where it first reads low', () => {
    // Status is reported, so it first reads low at 25 %: 38 is 13 points away.
    expect(decide({ t: tracker({ level: 38, status: 'Medium' }) })).toEqual({
      due: true,
      checkAt: NOW,
      reason: 'near-threshold',
    });
  });

  it('skips a well-charged, recently seen tracker: the check could change nothing', () => {
    expect(decide({ t: tracker({ level: 41, status: 'Medium' }) })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('checks a low tracker whose Empty text has not gone out', () => {
    const d = decide({
      t: tracker({ level: 12, status: 'Low', episode: { startedAt: NOW - HOUR, lowSentAt: NOW - HOUR } }),
    });

    expect(d).toMatchObject({ due: true, reason: 'low-device' });
  });

  it('skips a recently seen device already texted Empty: only charging is left, and it texts nothing', () => {
    const episode = { startedAt: NOW - HOUR, lowSentAt: NOW - HOUR, emptySentAt: NOW - HOUR };

    expect(decide({ t: tracker({ level: 0, status: 'Empty', episode }) })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('checks a charged tracker not seen for 12 hours', () => {
    const lastSyncTime = new Date(NOW - 12 * HOUR).toISOString();

    expect(decide({ t: tracker({ lastSyncTime }) })).toMatchObject({ due: true, reason: 'not-seen' });
  });

  it('ignores weight notifications for a subscriber with only a tracker', () => {
    expect(decide({ t: tracker({ level: 22 }) }, 'weight')).toEqual({
      due: false,
      reason: 'no-matching-device',
    });
  });

  it('matches weight to a scale near its threshold, not to the charged tracker', () => {
    const devices = { t: tracker(), s: scale({ level: 30, status: 'Medium' }) };

    expect(decide(devices, 'weight')).toMatchObject({ due: true, reason: 'near-threshold' });
    expect(decide(devices, 'steps')).toMatchObject({ due: false, reason: 'nothing-to-learn' });
  });

  it('ignores data types that do not imply a device sync', () => {
    expect(decide({ t: tracker({ level: 22 }) }, 'sleep')).toEqual({ due: false, reason: 'not-a-sync' });
    expect(decide({ t: tracker({ level: 22 }) }, 'STEPS')).toEqual({ due: false, reason: 'not-a-sync' });
  });

  it('checks when nothing is remembered yet', () => {
    expect(decide({})).toEqual({ due: true, checkAt: NOW, reason: 'no-memory' });
  });

  it('defers to the end of the debounce period when an early check ran 10 minutes ago', () => {
    const d = decide({ t: tracker({ level: 30, status: 'Medium' }) }, 'steps', NOW - 10 * MINUTE);

    expect(d).toEqual({
      due: true,
      checkAt: NOW + 20 * MINUTE,
      reason: 'debounced',
      deferred: 'near-threshold',
    });
  });

  it('checks now once the debounce period has passed', () => {
    const d = decide({ t: tracker({ level: 30, status: 'Medium' }) }, 'steps', NOW - 30 * MINUTE);

    expect(d).toEqual({ due: true, checkAt: NOW, reason: 'near-threshold' });
  });

  it('does not defer a notification that is not worth a check at all', () => {
    expect(decide({ t: tracker() }, 'steps', NOW - MINUTE)).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('keeps a deferred check already scheduled rather than scheduling another', () => {
    const scheduled = NOW + 5 * MINUTE;

    const d = decide({ t: tracker({ level: 22 }) }, 'steps', scheduled);

    expect(d).toEqual({ due: true, checkAt: scheduled, reason: 'debounced', deferred: 'near-threshold' });
  });
});

describe('relaxedNextCheckAt', () => {
  it('stretches a 20-minute look to the relaxed minimum of an hour', () => {
    expect(relaxedNextCheckAt(NOW, NOW + 20 * MINUTE, DEFAULT_RELAX)).toBe(NOW + HOUR);
  });

  it('doubles a 4-hour look', () => {
    expect(relaxedNextCheckAt(NOW, NOW + 4 * HOUR, DEFAULT_RELAX)).toBe(NOW + 8 * HOUR);
  });

  it('caps at the safety-net maximum of 12 hours', () => {
    expect(relaxedNextCheckAt(NOW, NOW + 8 * HOUR, DEFAULT_RELAX)).toBe(NOW + 12 * HOUR);
  });

  it('never looks earlier than the adaptive schedule (e.g. the end of quiet hours 14 hours away)', () => {
    expect(relaxedNextCheckAt(NOW, NOW + 14 * HOUR, DEFAULT_RELAX)).toBe(NOW + 14 * HOUR);
  });
});
