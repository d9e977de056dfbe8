/**
 * Drain-rate estimate from a device's stored readings: a least-squares line through the current
 * discharge. Only trusted when there is enough, consistent data ("sound"); otherwise the service
 * falls back to fixed intervals and texts without a time estimate.
 */

/** Readings kept per device; a week of daily syncs, or a day of frequent ones. */
export const MAX_READINGS = 12;
const MIN_POINTS = 3;
const MIN_SPAN_MS = 6 * 3600_000;
const MAX_RESIDUAL = 6;

export interface DrainEstimate {
  /** Percent per hour, > 0. */
  ratePerHour: number;
}

/** Adds a reading, starting a new discharge when the level went up (the device was charged). */
export function addReading(
  readings: [number, number][] | undefined,
  at: number,
  level: number,
): [number, number][] {
  const list = readings ?? [];
  const last = list[list.length - 1];
  if (last && last[0] === at) return list;
  if (last && at < last[0]) return list;
  if (last && level > last[1] + 2) return [[at, level]];
  return [...list, [at, level] as [number, number]].slice(-MAX_READINGS);
}

export function estimateDrain(readings: [number, number][] | undefined): DrainEstimate | undefined {
  if (!readings || readings.length < MIN_POINTS) return undefined;
  const first = readings[0] as [number, number];
  const last = readings[readings.length - 1] as [number, number];
  if (last[0] - first[0] < MIN_SPAN_MS) return undefined;
  const n = readings.length;
  const xs = readings.map(([t]) => (t - first[0]) / 3600_000);
  const ys = readings.map(([, level]) => level);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((xs[i] as number) - mx) ** 2;
    sxy += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  const rate = -slope;
  if (!(rate >= 0.05 && rate <= 10)) return undefined;
  const residual = Math.sqrt(
    ys.reduce((acc, y, i) => acc + (y - (my + slope * ((xs[i] as number) - mx))) ** 2, 0) / n,
  );
  return residual <= MAX_RESIDUAL ? { ratePerHour: rate } : undefined;
}

/** Hours until `level` reaches `target` at the estimated rate, counted from `from` (a sync time). */
export function hoursUntil(level: number, target: number, estimate: DrainEstimate): number {
  return Math.max(0, (level - target) / estimate.ratePerHour);
}
