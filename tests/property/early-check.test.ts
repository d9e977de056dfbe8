/**
 * Properties of the early check: total over any input, never earlier than now, at most one early
 * check per debounce period over any sequence of notifications, and the relaxed schedule never
 * earlier than the adaptive one nor (unless the adaptive one is) past its cap.
 */
import fc from 'fast-check';
import {
  DEFAULT_EARLY_CHECK,
  DEFAULT_RELAX,
  type EarlyCheckSettings,
  earlyCheckDecision,
  relaxedNextCheckAt,
} from '../../src/domain/early-check';
import type { DeviceMemory } from '../../src/domain/subscriber';
import { HOUR, MINUTE, modernInstant, RUNS } from './arbitraries';

const memoryArb: fc.Arbitrary<DeviceMemory> = fc.record(
  {
    name: fc.string(),
    type: fc.constantFrom('TRACKER', 'SCALE', 'UNKNOWN', 'WATCH', ''),
    level: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double()),
    status: fc.constantFrom('High', 'Medium', 'Low', 'Empty', 'Charging'),
    lastSyncTime: fc.oneof(
      fc.string(),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    episode: fc.record(
      { startedAt: fc.integer(), lowSentAt: fc.integer(), emptySentAt: fc.integer() },
      { requiredKeys: ['startedAt'] },
    ),
  },
  { requiredKeys: ['name', 'type'] },
);
const devicesArb = fc.dictionary(fc.string({ maxLength: 4 }), memoryArb, { maxKeys: 4 });
const settingsArb: fc.Arbitrary<EarlyCheckSettings> = fc.record({
  debounceMs: fc.integer({ min: 0, max: 6 * HOUR }),
  assumedDrainPerHour: fc.double({ min: 0, max: 20, noNaN: true }),
  threshold: fc.integer({ min: 0, max: 100 }),
  nearMarginPoints: fc.integer({ min: 0, max: 50 }),
  unseenAfterMs: fc.integer({ min: 0, max: 48 * HOUR }),
});
const dataTypeArb = fc.oneof(fc.constantFrom('steps', 'weight'), fc.string());

describe('earlyCheckDecision (properties)', () => {
  it('answers any input, and a due check is never scheduled before now', () => {
    fc.assert(
      fc.property(
        devicesArb,
        dataTypeArb,
        fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
        modernInstant,
        settingsArb,
        (devices, dataType, lastEarlyCheckAt, pendingEarlyCheckAt, now, settings) => {
          const d = earlyCheckDecision({
            devices,
            dataType,
            lastEarlyCheckAt,
            pendingEarlyCheckAt,
            now,
            settings,
          });
          if (d.due) expect(d.checkAt).toBeGreaterThanOrEqual(now);
          if (dataType !== 'steps' && dataType !== 'weight')
            expect(d).toEqual({ due: false, reason: 'not-a-sync' });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('runs at most one early check per debounce period over any stream of notifications, and drops none', () => {
    const settings = { ...DEFAULT_EARLY_CHECK, threshold: 20 };
    const near: Record<string, DeviceMemory> = {
      t: {
        name: 'Charge 6',
        type: 'TRACKER',
        level: 25,
        status: 'Low',
        lastSyncTime: '2026-12-01T00:00:00Z',
      },
    };
    fc.assert(
      fc.property(
        modernInstant,
        fc.array(fc.integer({ min: 0, max: 90 * MINUTE }), { minLength: 1, maxLength: 40 }),
        (start, gaps) => {
          // The use case and the dispatcher: a check at once, or one scheduled for the period's end
          // (run when its time comes, unless a check at once replaced it first).
          let now = start;
          let last: number | undefined;
          let pending: number | undefined;
          let pendingRan = false;
          const checks: number[] = [];
          for (const gap of gaps) {
            now += gap;
            if (pending !== undefined && pending <= now && !pendingRan) {
              checks.push(pending);
              pendingRan = true;
            }
            const d = earlyCheckDecision({
              devices: near,
              dataType: 'steps',
              lastEarlyCheckAt: last,
              pendingEarlyCheckAt: pending,
              now,
              settings,
            });
            expect(d.due).toBe(true);
            if (!d.due) return;
            if (d.checkAt <= now) checks.push(now);
            else if (d.checkAt !== pending) pendingRan = false;
            last = d.next.lastEarlyCheckAt;
            pending = d.next.pendingEarlyCheckAt;
          }
          if (pending !== undefined && !pendingRan) checks.push(pending);
          // The last notification always leads to a check, at once or scheduled: none is dropped.
          expect(checks.at(-1)).toBeGreaterThanOrEqual(now);
          for (let i = 1; i < checks.length; i++)
            expect((checks[i] as number) - (checks[i - 1] as number)).toBeGreaterThanOrEqual(
              settings.debounceMs,
            );
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('relaxedNextCheckAt (properties)', () => {
  it('once a check has completed, a recently seen device with neither level nor status (or none) never checks early', () => {
    const bareArb = fc.record({
      name: fc.string(),
      type: fc.constantFrom('TRACKER', 'SCALE', 'UNKNOWN', 'WATCH', ''),
      sinceSync: fc.integer({ min: 0, max: 48 * HOUR }),
    });
    fc.assert(
      fc.property(
        fc.array(bareArb, { maxLength: 4 }),
        dataTypeArb,
        modernInstant,
        settingsArb,
        fc.integer({ min: 0, max: 48 * HOUR }),
        (bare, dataType, now, settings, checkedAgo) => {
          const devices: Record<string, DeviceMemory> = {};
          bare.forEach((b, i) => {
            devices[`d${i}`] = {
              name: b.name,
              type: b.type,
              lastSyncTime: new Date(now - b.sinceSync).toISOString(),
            };
          });
          const d = earlyCheckDecision({ devices, dataType, lastCheckedAt: now - checkedAgo, now, settings });
          const unseen = bare.some((b) => b.sinceSync >= settings.unseenAfterMs);
          if (!unseen) expect(d.due).toBe(false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('is never earlier than the adaptive choice, and within the cap unless the adaptive choice is not', () => {
    fc.assert(
      fc.property(modernInstant, fc.integer({ min: -HOUR, max: 48 * HOUR }), (now, offset) => {
        const adaptive = now + offset;
        const relaxed = relaxedNextCheckAt(now, adaptive, DEFAULT_RELAX);

        expect(relaxed).toBeGreaterThanOrEqual(adaptive);
        expect(relaxed).toBeGreaterThanOrEqual(now + DEFAULT_RELAX.minIntervalMs);
        expect(relaxed).toBeLessThanOrEqual(Math.max(adaptive, now + DEFAULT_RELAX.maxIntervalMs));
      }),
      { numRuns: RUNS },
    );
  });
});
