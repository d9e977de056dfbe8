/**
 * Properties of the alert policy: total over odd device lists, the next look always within its
 * bounds and never inside quiet hours, no text while quiet or snoozed, every text one GSM-7 segment,
 * and, over any sequence of checks with memory carried over, one "low" text per low episode.
 */
import fc from 'fast-check';
import { DEFAULT_POLICY, evaluate, isLow, type PolicySettings } from '../../src/domain/battery-policy';
import { fitsOneSegment } from '../../src/domain/gsm7';
import { isQuiet } from '../../src/domain/quiet-hours';
import type { DeviceMemory } from '../../src/domain/subscriber';
import type { Device } from '../../src/ports';
import { ALL_ZONES, DST_ZONES, HOUR, MINUTE, modernInstant, quietHoursArb, RUNS } from './arbitraries';

const levelArb = fc.option(
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }) },
    { weight: 1, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
    { weight: 1, arbitrary: fc.double() },
  ),
  { nil: undefined },
);

/** Statuses as typed, plus ones no adapter should produce. */
const statusArb = fc.option(fc.constantFrom('High', 'Medium', 'Low', 'Empty', 'Charging', '', 'low'), {
  nil: undefined,
}) as fc.Arbitrary<Device['batteryStatus']>;

function syncArb(now: number): fc.Arbitrary<string | undefined> {
  return fc.option(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .integer({ min: -72 * 60, max: 10 })
          .map((m) => new Date(now + m * MINUTE).toISOString()),
      },
      { weight: 1, arbitrary: fc.string() },
      { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
    ),
    { nil: undefined },
  );
}

function deviceArb(now: number): fc.Arbitrary<Device> {
  return fc
    .record({
      id: fc.constantFrom('d1', 'd2', 'd3'),
      name: fc.option(
        fc.oneof(fc.constantFrom('Charge 6', 'Pixel Watch 3', 'Aria Air'), fc.string({ unit: 'binary' })),
        {
          nil: undefined,
        },
      ),
      type: fc.constantFrom('TRACKER', 'SCALE', 'UNKNOWN', 'WATCH'),
      batteryLevel: levelArb,
      batteryStatus: statusArb,
      lastSyncTime: syncArb(now),
    })
    .map((d) => {
      const device = { id: d.id, name: d.name, type: d.type } as Device;
      if (d.batteryLevel !== undefined) device.batteryLevel = d.batteryLevel;
      if (d.batteryStatus !== undefined) device.batteryStatus = d.batteryStatus;
      if (d.lastSyncTime !== undefined) device.lastSyncTime = d.lastSyncTime;
      return device;
    });
}

const zoneArb = fc.oneof(fc.constantFrom(...DST_ZONES), fc.constantFrom(...ALL_ZONES));

function settingsArb(now: number): fc.Arbitrary<PolicySettings> {
  return fc
    .record({
      threshold: fc.integer({ min: 5, max: 50 }),
      hysteresis: fc.integer({ min: 1, max: 20 }),
      staleAfterMs: fc.integer({ min: 1, max: 72 }).map((h) => h * HOUR),
      scaleStaleAfterMs: fc.integer({ min: 1, max: 240 }).map((h) => h * HOUR),
      quietHours: quietHoursArb,
      timeZone: zoneArb,
      snoozeUntil: fc.option(
        fc.integer({ min: -3 * 24 * 60, max: 7 * 24 * 60 }).map((m) => now + m * MINUTE),
        {
          nil: undefined,
        },
      ),
      minIntervalMs: fc.integer({ min: 1, max: 60 }).map((m) => m * MINUTE),
      extraMs: fc.integer({ min: 0, max: 24 * 60 }).map((m) => m * MINUTE),
    })
    .map(({ extraMs, snoozeUntil, ...s }) => ({
      ...s,
      maxIntervalMs: s.minIntervalMs + extraMs,
      ...(snoozeUntil === undefined ? {} : { snoozeUntil }),
    }));
}

/** One evaluation's inputs: a time, settings, memory from an earlier look, and what the provider says. */
const singleCheck = modernInstant.chain((now) =>
  fc.record({
    now: fc.constant(now),
    settings: settingsArb(now),
    before: fc.array(deviceArb(now - 3 * HOUR), { maxLength: 4 }),
    devices: fc.array(deviceArb(now), { maxLength: 5 }),
  }),
);

function checkBounds(result: ReturnType<typeof evaluate>, now: number, s: PolicySettings): void {
  const { nextCheckAt } = result;
  expect(Number.isFinite(nextCheckAt)).toBe(true);
  expect(nextCheckAt).toBeGreaterThanOrEqual(now + s.minIntervalMs);
  // Never a look inside quiet hours (one there could only lead to a held text), unless they
  // never end within a day: QUIET 1-0 where DST skips 00:00-01:00 is quiet for 47 hours.
  if (isQuiet(nextCheckAt, s.timeZone, s.quietHours)) {
    expect(nextCheckAt - now).toBeGreaterThanOrEqual(24 * HOUR);
    for (let t = now + s.minIntervalMs; t < nextCheckAt; t += 15 * MINUTE)
      expect(isQuiet(t, s.timeZone, s.quietHours)).toBe(true);
  }
  if (nextCheckAt > now + s.maxIntervalMs) {
    // Only pushed past the longest interval to the end of quiet hours, and only just.
    expect(isQuiet(nextCheckAt - MINUTE, s.timeZone, s.quietHours)).toBe(true);
    expect(nextCheckAt).toBeLessThanOrEqual(now + s.maxIntervalMs + 49 * HOUR);
  }
  const quiet = isQuiet(now, s.timeZone, s.quietHours);
  const snoozed = s.snoozeUntil !== undefined && s.snoozeUntil > now;
  if (quiet || snoozed) expect(result.alerts).toEqual([]);
  for (const alert of result.alerts) expect(fitsOneSegment(alert.text)).toBe(true);
  expect(result.held).toBeGreaterThanOrEqual(0);
}

describe('battery policy (properties)', () => {
  it('never throws on odd device lists and keeps nextCheckAt, quiet hours, snooze and segment rules', () => {
    fc.assert(
      fc.property(singleCheck, ({ now, settings, before, devices }) => {
        const earlier = evaluate({}, before, now - 3 * HOUR, { ...settings, snoozeUntil: undefined });
        const result = evaluate(earlier.devices, devices, now, settings);
        checkBounds(result, now, settings);
        // Memory is kept for every device seen now, and for a missing one only while it was texted low.
        for (const d of devices) expect(Object.hasOwn(result.devices, d.id)).toBe(true);
        for (const [id, mem] of Object.entries(result.devices)) {
          if (!devices.some((d) => d.id === id)) expect(mem.episode?.lowSentAt).toBeDefined();
        }
      }),
      { numRuns: RUNS },
    );
  });

  /** A check: how long after the last one, and what the provider lists then (a device may be missing). */
  const step = fc.record({
    afterMs: fc.integer({ min: 1, max: 8 * 60 }).map((m) => m * MINUTE),
    readings: fc.array(
      fc.record({
        id: fc.constantFrom('d1', 'd2'),
        level: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
        status: statusArb,
        syncAgoMs: fc.option(
          fc.integer({ min: 0, max: 48 * 60 }).map((m) => m * MINUTE),
          { nil: undefined },
        ),
      }),
      { maxLength: 3 },
    ),
  });

  const story = modernInstant.chain((start) =>
    fc.record({
      start: fc.constant(start),
      settings: settingsArb(start),
      steps: fc.array(step, { minLength: 1, maxLength: 25 }),
    }),
  );

  it('over any sequence of checks, texts "low" once per device until it is seen charged', () => {
    fc.assert(
      fc.property(story, ({ start, settings, steps }) => {
        let memory: Record<string, DeviceMemory> = {};
        let s: PolicySettings = settings;
        let now = start;
        /** Per device: a "low" text was sent and no charged reading came since. */
        const lowOpen = new Map<string, boolean>();
        for (const { afterMs, readings } of steps) {
          now += afterMs;
          const devices: Device[] = readings.map((r) => {
            const device: Device = { id: r.id, name: `Charge ${r.id}`, type: 'TRACKER' };
            if (r.level !== undefined) device.batteryLevel = r.level;
            if (r.status !== undefined) device.batteryStatus = r.status;
            if (r.syncAgoMs !== undefined) device.lastSyncTime = new Date(now - r.syncAgoMs).toISOString();
            return device;
          });
          const result = evaluate(memory, devices, now, s);
          checkBounds(result, now, s);
          // A charged reading: at or above threshold + hysteresis, and not itself reported low.
          // Only the first listing of an id is that device (later twins are ignored by the policy).
          const firsts = devices.filter((d, i) => devices.findIndex((e) => e.id === d.id) === i);
          for (const d of firsts) {
            const charged =
              !isLow(d, s.threshold) &&
              (d.batteryLevel !== undefined
                ? d.batteryLevel >= s.threshold + s.hysteresis
                : d.batteryStatus === 'High' || d.batteryStatus === 'Medium');
            if (charged) lowOpen.set(d.id, false);
          }
          for (const alert of result.alerts) {
            if (alert.kind !== 'low') continue;
            expect({ device: alert.deviceId, alreadyTexted: lowOpen.get(alert.deviceId) ?? false }).toEqual({
              device: alert.deviceId,
              alreadyTexted: false,
            });
            lowOpen.set(alert.deviceId, true);
          }
          memory = result.devices;
          if (result.snoozeEnded) {
            const { snoozeUntil: _ended, ...rest } = s;
            s = rest;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

/** The shrunk counterexamples the properties found, kept as plain examples. */
describe('battery policy (regressions found by the properties)', () => {
  const NOON = Date.parse('2026-11-23T20:00:00Z');
  const s: PolicySettings = {
    ...DEFAULT_POLICY,
    threshold: 20,
    quietHours: { start: 22, end: 7 },
    timeZone: 'America/New_York',
  };
  const charge = (extra: Partial<Device>): Device => ({
    id: 'd1',
    name: 'Charge 6',
    type: 'TRACKER',
    ...extra,
  });

  function lowTexts(lists: Device[][]): number {
    let memory: Record<string, DeviceMemory> = {};
    let count = 0;
    lists.forEach((devices, i) => {
      const result = evaluate(memory, devices, NOON + i * HOUR, s);
      count += result.alerts.filter((a) => a.kind === 'low').length;
      memory = result.devices;
    });
    return count;
  }

  it('texts once when a low device is missing from one answer and then listed again, still low', () => {
    expect(lowTexts([[charge({ batteryLevel: 15 })], [], [charge({ batteryLevel: 14 })]])).toBe(1);
  });

  it('texts once when the provider says Low at a level above threshold + hysteresis', () => {
    const lowAt35 = charge({ batteryLevel: 35, batteryStatus: 'Low' });
    expect(lowTexts([[lowAt35], [lowAt35], [lowAt35], [lowAt35]])).toBe(1);
  });

  it('texts once when two listings share an id, one low and one charged', () => {
    const twins = [charge({ batteryLevel: 10 }), charge({ batteryLevel: 90 })];
    expect(lowTexts([twins, twins, twins])).toBe(1);
    expect(
      evaluate({}, [charge({ batteryLevel: 10 }), charge({ batteryLevel: 9 })], NOON, s).alerts,
    ).toHaveLength(1);
  });

  it('still forgets a missing device that was never texted low, and a texted one after 30 days', () => {
    const seen = evaluate({}, [charge({ batteryLevel: 50 })], NOON, s);
    expect(evaluate(seen.devices, [], NOON + HOUR, s).devices).toEqual({});
    const texted = evaluate({}, [charge({ batteryLevel: 10 })], NOON, s);
    expect(Object.keys(evaluate(texted.devices, [], NOON + HOUR, s).devices)).toEqual(['d1']);
    expect(evaluate(texted.devices, [], NOON + 31 * 24 * HOUR, s).devices).toEqual({});
  });
});
