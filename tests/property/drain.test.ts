/**
 * Properties of the drain estimate: readings stay time-ordered and capped whatever arrives, and a
 * rate, when one is given, is a positive finite number of percent per hour.
 */
import fc from 'fast-check';
import { addReading, estimateDrain, hoursUntil, MAX_READINGS } from '../../src/domain/drain';
import { HOUR, modernInstant, RUNS } from './arbitraries';

const levelArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }) },
);
const arrival = fc.record({
  afterMs: fc.oneof(fc.integer({ min: -6 * HOUR, max: 12 * HOUR }), fc.constant(0)),
  level: levelArb,
});

describe('drain estimate (properties)', () => {
  it('addReading keeps readings strictly time-ordered and at most MAX_READINGS, whatever arrives', () => {
    fc.assert(
      fc.property(modernInstant, fc.array(arrival, { maxLength: 40 }), (start, arrivals) => {
        let readings: [number, number][] | undefined;
        let at = start;
        for (const { afterMs, level } of arrivals) {
          at += afterMs;
          const before = readings ?? [];
          const snapshot = JSON.stringify(before);
          readings = addReading(readings, at, level);
          expect(readings.length).toBeGreaterThanOrEqual(1);
          expect(readings.length).toBeLessThanOrEqual(MAX_READINGS);
          for (let i = 1; i < readings.length; i++)
            expect((readings[i] as [number, number])[0]).toBeGreaterThan(
              (readings[i - 1] as [number, number])[0],
            );
          // The stored list is never mutated in place.
          expect(JSON.stringify(before)).toBe(snapshot);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a rate, when present, is positive and finite, and so is the time it predicts', () => {
    const readingsArb = fc.oneof(
      fc.array(fc.tuple(modernInstant, levelArb), { maxLength: 15 }),
      // Plausible discharges: a falling line with noise.
      fc
        .record({
          start: modernInstant,
          level: fc.integer({ min: 20, max: 100 }),
          rate: fc.double({ min: -2, max: 12, noNaN: true }),
          gaps: fc.array(fc.integer({ min: 1, max: 8 * 60 }), { minLength: 2, maxLength: 14 }),
          noise: fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 14, maxLength: 14 }),
        })
        .map(({ start, level, rate, gaps, noise }) => {
          let t = start;
          return gaps.map((g, i): [number, number] => {
            t += g * 60_000;
            return [t, Math.round(level - (rate * (t - start)) / HOUR + (noise[i] ?? 0))];
          });
        }),
    );
    fc.assert(
      fc.property(readingsArb, fc.integer({ min: 0, max: 100 }), (readings, level) => {
        const estimate = estimateDrain(readings as [number, number][]);
        if (estimate === undefined) return;
        expect(Number.isFinite(estimate.ratePerHour)).toBe(true);
        expect(estimate.ratePerHour).toBeGreaterThan(0);
        const hours = hoursUntil(level, 0, estimate);
        expect(Number.isFinite(hours) && hours >= 0).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('estimateDrain never throws on odd input', () => {
    fc.assert(
      fc.property(
        fc.option(fc.array(fc.tuple(fc.double(), fc.double()), { maxLength: 20 }), { nil: undefined }),
        (readings) => {
          const estimate = estimateDrain(readings as [number, number][] | undefined);
          if (estimate) expect(Number.isFinite(estimate.ratePerHour) && estimate.ratePerHour > 0).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
