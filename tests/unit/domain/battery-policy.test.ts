/** The alert policy: episodes, hysteresis, empty, stale, quiet hours, snooze, prediction, schedule. */
import { DEFAULT_POLICY, evaluate, type PolicySettings } from '../../../src/domain/battery-policy';
import { fitsOneSegment } from '../../../src/domain/gsm7';
import { isQuiet } from '../../../src/domain/quiet-hours';
import type { DeviceMemory } from '../../../src/domain/subscriber';
import type { Device } from '../../../src/ports';

const HOUR = 3600_000;
/** 15:00 in New York: well outside quiet hours. */
const NOON = Date.parse('2026-11-23T20:00:00Z');

function settings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return {
    ...DEFAULT_POLICY,
    threshold: 20,
    quietHours: { start: 22, end: 7 },
    timeZone: 'America/New_York',
    ...overrides,
  };
}

function tracker(level: number | undefined, at: number, extra: Partial<Device> = {}): Device {
  return {
    id: 'd1',
    name: 'Charge 6',
    type: 'TRACKER',
    ...(level === undefined ? {} : { batteryLevel: level }),
    batteryStatus: level === undefined ? 'Medium' : level <= 5 ? 'Empty' : level <= 20 ? 'Low' : 'High',
    lastSyncTime: new Date(at).toISOString(),
    ...extra,
  };
}

/** Feeds readings one check at a time, as the checker would, collecting texts. */
function run(steps: Array<{ at: number; device: Device }>, s = settings()) {
  let memory: Record<string, DeviceMemory> = {};
  const sent: Array<{ at: number; kind: string; text: string }> = [];
  let last = evaluate(memory, [], steps[0]?.at ?? NOON, s);
  for (const { at, device } of steps) {
    last = evaluate(memory, [device], at, s);
    memory = last.devices;
    for (const alert of last.alerts) sent.push({ at, kind: alert.kind, text: alert.text });
  }
  return { sent, last, memory };
}

describe('battery policy', () => {
  it('texts once per low episode, naming the device and its level', () => {
    const { sent } = run([
      { at: NOON, device: tracker(50, NOON) },
      { at: NOON + HOUR, device: tracker(14, NOON + HOUR) },
      { at: NOON + 2 * HOUR, device: tracker(12, NOON + 2 * HOUR) },
    ]);

    expect(sent.map((t) => t.kind)).toEqual(['low']);
    expect(sent[0]?.text).toMatch(/^Charge 6 battery low: 14%/);
  });

  it('treats 20 -> 21 -> 19 as one episode (hysteresis)', () => {
    const { sent } = run([
      { at: NOON, device: tracker(20, NOON) },
      { at: NOON + HOUR, device: tracker(21, NOON + HOUR) },
      { at: NOON + 2 * HOUR, device: tracker(19, NOON + 2 * HOUR) },
    ]);

    expect(sent).toHaveLength(1);
  });

  it('opens a new episode after the device is seen charged', () => {
    const { sent } = run([
      { at: NOON, device: tracker(15, NOON) },
      { at: NOON + HOUR, device: tracker(95, NOON + HOUR) },
      { at: NOON + 30 * HOUR, device: tracker(18, NOON + 30 * HOUR) },
    ]);

    expect(sent.map((t) => t.kind)).toEqual(['low', 'low']);
  });

  it('sends one more, more urgent text when the device is empty', () => {
    const { sent } = run([
      { at: NOON, device: tracker(15, NOON) },
      { at: NOON + HOUR, device: tracker(3, NOON + HOUR, { batteryStatus: 'Empty' }) },
      { at: NOON + 2 * HOUR, device: tracker(0, NOON + 2 * HOUR, { batteryStatus: 'Empty' }) },
    ]);

    expect(sent.map((t) => t.kind)).toEqual(['low', 'empty']);
    expect(sent[1]?.text).toContain('EMPTY');
  });

  it('counts a Low status as low even without a level (scales)', () => {
    const scale: Device = {
      id: 's',
      name: 'Aria Air',
      type: 'SCALE',
      batteryStatus: 'Low',
      lastSyncTime: new Date(NOON).toISOString(),
    };

    const result = evaluate({}, [scale], NOON, settings());

    expect(result.alerts[0]?.text).toMatch(/^Aria Air battery low: low/);
  });

  it('says a low device may have run out once it has not synced for 24 h', () => {
    const lastSync = NOON;
    const { sent } = run([
      { at: NOON, device: tracker(12, lastSync) },
      { at: NOON + 25 * HOUR, device: tracker(12, lastSync) },
      { at: NOON + 30 * HOUR, device: tracker(12, lastSync) },
    ]);

    expect(sent.map((t) => t.kind)).toEqual(['low', 'stale']);
    expect(sent[1]?.text).toContain('may have run out');
  });

  it('holds a text during quiet hours and sends it when they end, if still true', () => {
    const night = Date.parse('2026-11-24T04:00:00Z'); // 23:00 in New York
    const morning = Date.parse('2026-11-24T12:30:00Z'); // 07:30

    const held = evaluate({}, [tracker(15, night)], night, settings());
    const later = evaluate(held.devices, [tracker(14, night)], morning, settings());

    expect(held.alerts).toEqual([]);
    expect(held.held).toBe(1);
    expect(isQuiet(held.nextCheckAt, 'America/New_York', { start: 22, end: 7 })).toBe(false);
    expect(held.nextCheckAt).toBeLessThanOrEqual(Date.parse('2026-11-24T12:05:00Z'));
    expect(later.alerts).toHaveLength(1);
  });

  it('drops a held text that is no longer true when quiet hours end', () => {
    const night = Date.parse('2026-11-24T04:00:00Z');
    const morning = Date.parse('2026-11-24T12:30:00Z');

    const held = evaluate({}, [tracker(15, night)], night, settings());
    const charged = evaluate(held.devices, [tracker(90, morning)], morning, settings());

    expect(charged.alerts).toEqual([]);
  });

  it('sends nothing while snoozed, then texts a still-low device once when the snooze ends', () => {
    const snoozeUntil = NOON + 5 * HOUR;
    const s = settings({ snoozeUntil });
    const texted = evaluate({}, [tracker(15, NOON)], NOON - HOUR, settings());
    const during = evaluate(texted.devices, [tracker(13, NOON)], NOON + HOUR, s);
    const after = evaluate(during.devices, [tracker(12, NOON + 6 * HOUR)], NOON + 6 * HOUR, s);
    const again = evaluate(after.devices, [tracker(11, NOON + 7 * HOUR)], NOON + 7 * HOUR, settings());

    expect(texted.alerts).toHaveLength(1);
    expect(during.alerts).toEqual([]);
    expect(after.alerts.map((a) => a.kind)).toEqual(['reminder']);
    expect(after.snoozeEnded).toBe(true);
    expect(again.alerts).toEqual([]);
  });

  it('adds "about N h left" once the drain estimate is sound', () => {
    const steps = [0, 4, 8, 12, 16].map((h) => ({
      at: NOON + h * HOUR,
      device: tracker(40 - h * 1.5, NOON + h * HOUR),
    }));
    const { sent } = run([...steps, { at: NOON + 16 * HOUR, device: tracker(16, NOON + 16 * HOUR) }]);

    expect(sent[0]?.text).toMatch(/about \d+ h left/);
  });

  it('looks rarely when batteries are high and often near the threshold', () => {
    const high = evaluate({}, [tracker(95, NOON)], NOON, settings());
    const near = evaluate({}, [tracker(24, NOON)], NOON, settings());

    expect(high.nextCheckAt - NOON).toBeGreaterThanOrEqual(4 * HOUR);
    expect(near.nextCheckAt - NOON).toBeLessThanOrEqual(HOUR);
    expect(near.nextCheckAt - NOON).toBeGreaterThanOrEqual(DEFAULT_POLICY.minIntervalMs);
  });

  it('keeps every alert text within one SMS segment for long names and odd levels', () => {
    const long = tracker(0, NOON - 40 * HOUR, { name: 'Pixel Watch 3 LTE Edition Extra Long Name' });
    const result = evaluate({}, [long], NOON, settings());

    expect(result.alerts.length).toBeGreaterThan(0);
    for (const alert of result.alerts) expect(fitsOneSegment(alert.text)).toBe(true);
  });

  it('forgets devices the provider no longer reports', () => {
    const first = evaluate({}, [tracker(50, NOON)], NOON, settings());
    const second = evaluate(first.devices, [], NOON + HOUR, settings());

    expect(Object.keys(second.devices)).toEqual([]);
  });
});
