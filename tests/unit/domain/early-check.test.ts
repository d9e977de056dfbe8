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
const ago = (ms: number) => new Date(NOW - ms).toISOString();

/** A tracker last seen 20 minutes ago (carried forward 0.5 points at the assumed 1.5 %/h). */
function tracker(over: Partial<DeviceMemory> = {}): DeviceMemory {
  return {
    name: 'Charge 6',
    type: 'TRACKER',
    level: 80,
    status: 'High',
    lastSyncTime: ago(20 * MINUTE),
    ...over,
  };
}
function scale(over: Partial<DeviceMemory> = {}): DeviceMemory {
  return {
    name: 'Aria Air',
    type: 'SCALE',
    level: 90,
    status: 'High',
    lastSyncTime: ago(20 * MINUTE),
    ...over,
  };
}
function decide(
  devices: Record<string, DeviceMemory>,
  dataType = 'steps',
  times: { lastCheckedAt?: number; lastEarlyCheckAt?: number; pendingEarlyCheckAt?: number } = {},
) {
  return earlyCheckDecision({ devices, dataType, ...times, now: NOW, settings: SETTINGS });
}

describe('earlyCheckDecision', () => {
  it('checks now when a tracker is within a point of where it first reads low', () => {
    // Status is reported, so it first reads low at 25 %; 26 % 20 minutes ago is 25.5 % now.
    expect(decide({ t: tracker({ level: 26, status: 'Medium' }) })).toEqual({
      due: true,
      checkAt: NOW,
      reason: 'near-threshold',
      next: { lastEarlyCheckAt: NOW },
    });
  });

  it('skips a tracker a few points above it and recently seen: the check could change nothing', () => {
    expect(decide({ t: tracker({ level: 30, status: 'Medium' }) })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('counts an aged reading as lower: 30 % seen 4 hours ago is near', () => {
    expect(
      decide({ t: tracker({ level: 30, status: 'Medium', lastSyncTime: ago(4 * HOUR) }) }),
    ).toMatchObject({
      due: true,
      reason: 'near-threshold',
    });
  });

  it('carries a reading forward at twice the estimated drain (by day people drain faster than on average)', () => {
    // 2 %/h over the last 12 hours: 32 % at the last sync 90 minutes ago is 26 % at 4 %/h, 29 % at 2 %/h.
    const readings: [number, number][] = [
      [NOW - 13.5 * HOUR, 56],
      [NOW - 7.5 * HOUR, 44],
      [NOW - 1.5 * HOUR, 32],
    ];
    const t = tracker({ level: 32, status: 'Medium', lastSyncTime: ago(1.5 * HOUR), readings });

    expect(decide({ t })).toMatchObject({ due: true, reason: 'near-threshold' });
  });

  it('checks a low tracker near Empty whose Empty text has not gone out', () => {
    const episode = { startedAt: NOW - HOUR, lowSentAt: NOW - HOUR };

    expect(decide({ t: tracker({ level: 6, status: 'Low', episode }) })).toMatchObject({
      due: true,
      reason: 'low-device',
    });
  });

  it('leaves a low tracker far from Empty to the schedule: its low text is out, and nothing else is near', () => {
    const episode = { startedAt: NOW - HOUR, lowSentAt: NOW - HOUR };

    expect(decide({ t: tracker({ level: 15, status: 'Low', episode }) })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('checks a low device whose low text is still held (quiet hours, snooze)', () => {
    const episode = { startedAt: NOW - HOUR };

    expect(decide({ t: tracker({ level: 15, status: 'Low', episode }) })).toMatchObject({
      due: true,
      reason: 'low-device',
    });
  });

  it('skips a recently seen device already texted Empty: only charging is left, and it texts nothing', () => {
    const episode = { startedAt: NOW - HOUR, lowSentAt: NOW - HOUR, emptySentAt: NOW - HOUR };

    expect(decide({ t: tracker({ level: 0, status: 'Empty', episode }) })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('checks a charged tracker not seen for 12 hours', () => {
    expect(decide({ t: tracker({ lastSyncTime: ago(12 * HOUR) }) })).toMatchObject({
      due: true,
      reason: 'not-seen',
    });
  });

  it('ignores weight notifications for a subscriber with only a tracker', () => {
    expect(decide({ t: tracker({ level: 22 }) }, 'weight')).toEqual({
      due: false,
      reason: 'no-matching-device',
    });
  });

  it('matches weight to a scale near its threshold, not to the charged tracker', () => {
    const devices = { t: tracker(), s: scale({ level: 26, status: 'Medium' }) };

    expect(decide(devices, 'weight')).toMatchObject({ due: true, reason: 'near-threshold' });
    expect(decide(devices, 'steps')).toMatchObject({ due: false, reason: 'nothing-to-learn' });
  });

  it('ignores data types that do not imply a device sync', () => {
    expect(decide({ t: tracker({ level: 22 }) }, 'sleep')).toEqual({ due: false, reason: 'not-a-sync' });
    expect(decide({ t: tracker({ level: 22 }) }, 'STEPS')).toEqual({ due: false, reason: 'not-a-sync' });
  });

  it('checks when nothing is remembered yet', () => {
    expect(decide({})).toEqual({
      due: true,
      checkAt: NOW,
      reason: 'no-memory',
      next: { lastEarlyCheckAt: NOW },
    });
  });

  it('never checks early for someone a completed check found without devices (steps from the phone)', () => {
    expect(decide({}, 'steps', { lastCheckedAt: NOW - 3 * HOUR })).toEqual({
      due: false,
      reason: 'no-matching-device',
    });
  });

  it('leaves a recently seen device reporting neither level nor status to the schedule', () => {
    const bare = tracker({ level: undefined, status: undefined });

    expect(decide({ t: bare }, 'steps', { lastCheckedAt: NOW - HOUR })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
  });

  it('checks a device reporting neither level nor status once it has not been seen for a while', () => {
    const bare = tracker({ level: undefined, status: undefined, lastSyncTime: ago(13 * HOUR) });

    expect(decide({ t: bare })).toMatchObject({ due: true, reason: 'not-seen' });
  });

  it('still reads Medium without a level as possibly near', () => {
    expect(decide({ t: tracker({ level: undefined, status: 'Medium' }) })).toMatchObject({
      due: true,
      reason: 'near-threshold',
    });
  });

  it('defers to the end of the debounce period when an early check ran 10 minutes ago', () => {
    const d = decide({ t: tracker({ level: 26 }) }, 'steps', { lastEarlyCheckAt: NOW - 10 * MINUTE });

    expect(d).toEqual({
      due: true,
      checkAt: NOW + 20 * MINUTE,
      reason: 'debounced',
      deferred: 'near-threshold',
      next: { lastEarlyCheckAt: NOW - 10 * MINUTE, pendingEarlyCheckAt: NOW + 20 * MINUTE },
    });
  });

  it('checks now once the debounce period has passed', () => {
    const d = decide({ t: tracker({ level: 26 }) }, 'steps', { lastEarlyCheckAt: NOW - 30 * MINUTE });

    expect(d).toEqual({ due: true, checkAt: NOW, reason: 'near-threshold', next: { lastEarlyCheckAt: NOW } });
  });

  it('keeps the check already scheduled for the end of the period', () => {
    const d = decide({ t: tracker({ level: 26 }) }, 'steps', {
      lastEarlyCheckAt: NOW - 25 * MINUTE,
      pendingEarlyCheckAt: NOW + 5 * MINUTE,
    });

    expect(d).toMatchObject({ due: true, checkAt: NOW + 5 * MINUTE, reason: 'debounced' });
  });

  it('counts a scheduled check whose time has come as done', () => {
    const d = decide({ t: tracker({ level: 26 }) }, 'steps', {
      lastEarlyCheckAt: NOW - 60 * MINUTE,
      pendingEarlyCheckAt: NOW - 10 * MINUTE,
    });

    // The scheduled check that ran becomes the last one.
    expect(d).toMatchObject({
      due: true,
      checkAt: NOW + 20 * MINUTE,
      reason: 'debounced',
      next: { lastEarlyCheckAt: NOW - 10 * MINUTE, pendingEarlyCheckAt: NOW + 20 * MINUTE },
    });
  });

  it('does not defer a notification that is not worth a check at all', () => {
    expect(decide({ t: tracker() }, 'steps', { lastEarlyCheckAt: NOW - MINUTE })).toEqual({
      due: false,
      reason: 'nothing-to-learn',
    });
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
