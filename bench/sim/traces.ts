/**
 * Synthetic, seeded device histories: what each battery really did, minute by minute, and what the
 * phone app synced to the provider and when. These are the simulator's ground truth; they never
 * depend on the code under test (nobody in a trace reacts to a text, so every strategy faces the
 * same traces).
 *
 * Trackers drain 8-35 %/day (more by day than by night, varying day to day), get charged at a habitual
 * local time when "low-ish" (a personal level), are sometimes forgotten, sometimes topped up when
 * nearly flat, and die at 0 %: a dead device does not sync until it is charged. Phone syncs come at
 * irregular gaps (per-person median from 5 minutes to 8 hours, log-normal, up to ~30 hours). Scales
 * sync when someone steps on them, about weekly; half report a status only; batteries get replaced
 * only now and then.
 */
import { Rng, streamSeed } from './rng';
import { DAY, HOUR, MINUTE, TIME_ZONES, type ZoneClock, type ZoneClocks } from './zones';

export type SimStatus = 'High' | 'Medium' | 'Low' | 'Empty';

export interface DeviceTrace {
  id: string;
  name: string;
  type: 'TRACKER' | 'SCALE';
  /** False: the provider reports a battery status only (some scales). */
  reportsLevel: boolean;
  /** Sync instants, ascending; the provider shows the latest one at or before "now". */
  syncTimes: number[];
  /** The true level (rounded) at each sync. */
  syncLevels: number[];
  /** Instants the battery reached 0 % (the device stops syncing until charged). */
  deaths: number[];
  /** Instants a dead device was put on charge (or had its batteries replaced). */
  revivals: number[];
}

export interface SubscriberTrace {
  index: number;
  timeZone: string;
  devices: DeviceTrace[];
}

/** The battery status a provider reports for a level (the local sandbox's mapping). */
export function statusForLevel(level: number): SimStatus {
  if (level <= 5) return 'Empty';
  if (level <= 25) return 'Low';
  if (level <= 60) return 'Medium';
  return 'High';
}

const TRACKER_NAMES = ['Charge 6', 'Inspire 3', 'Versa 4', 'Sense 2', 'Pixel Watch 3', 'Luxe', 'Ace LTE'];
const SCALE_NAMES = ['Aria Air', 'Aria 2'];

/** Median gap between phone syncs, per person. */
const SYNC_MEDIANS: readonly (readonly [number, number])[] = [
  [5 * MINUTE, 0.1],
  [15 * MINUTE, 0.2],
  [30 * MINUTE, 0.2],
  [HOUR, 0.2],
  [2 * HOUR, 0.12],
  [4 * HOUR, 0.1],
  [8 * HOUR, 0.08],
];

/** Chance per minute that someone notices a nearly flat tracker (< 15 %) and charges it off-habit. */
const NOTICE_PER_MINUTE = 0.03 / 60;

interface Person {
  rng: Rng;
  zone: ZoneClock;
  syncMedianMs: number;
  forget: number;
}

export interface TraceWindow {
  /** When the traces begin (a warm-up before the simulation proper). */
  from: number;
  to: number;
}

export function generateTraces(
  subscribers: number,
  seed: number,
  window: TraceWindow,
  zones: ZoneClocks,
): SubscriberTrace[] {
  const traces: SubscriberTrace[] = [];
  for (let index = 0; index < subscribers; index++) {
    const rng = new Rng(streamSeed(seed, index));
    const timeZone = rng.pick(TIME_ZONES);
    const person: Person = {
      rng,
      zone: zones.get(timeZone),
      syncMedianMs: rng.weighted(SYNC_MEDIANS),
      forget: rng.uniform(0.05, 0.35),
    };
    const count = rng.weighted([
      [1, 0.55],
      [2, 0.35],
      [3, 0.1],
    ] as const);
    const trackers = [...TRACKER_NAMES];
    const scales = [...SCALE_NAMES];
    const devices: DeviceTrace[] = [];
    for (let d = 0; d < count; d++) {
      const scale = d > 0 && scales.length > 0 && rng.chance(0.45);
      const names = scale ? scales : trackers;
      const name = names.splice(rng.int(0, names.length - 1), 1)[0] as string;
      const base = { id: `dev-${d + 1}`, name };
      devices.push(
        scale
          ? { ...base, type: 'SCALE', reportsLevel: rng.chance(0.5), ...simulateScale(person, window) }
          : { ...base, type: 'TRACKER', reportsLevel: true, ...simulateTracker(person, window) },
      );
    }
    traces.push({ index, timeZone, devices });
  }
  return traces;
}

type History = Pick<DeviceTrace, 'syncTimes' | 'syncLevels' | 'deaths' | 'revivals'>;

function syncGap(p: Person): number {
  return Math.min(30 * HOUR, Math.max(2 * MINUTE, p.rng.logNormal(p.syncMedianMs, 1)));
}

function simulateTracker(p: Person, window: TraceWindow): History {
  const { rng, zone } = p;
  const h: History = { syncTimes: [], syncLevels: [], deaths: [], revivals: [] };
  const drainPerDay = rng.uniform(8, 35);
  const habit = rng.next();
  // Minutes after local midnight: morning routine, evening (some inside quiet hours), or midday.
  const chargeAt =
    habit < 0.45 ? rng.uniform(360, 570) : habit < 0.85 ? rng.uniform(1080, 1410) : rng.uniform(660, 960);
  const chargeBelow = rng.uniform(10, 55);
  let level = rng.uniform(20, 100);
  let charging = false;
  let dead = false;
  let target = 100;
  let chargeRate = 0;
  let dayFactor = 1;
  let lastDay = Number.NaN;
  let habitDay = Number.NaN;
  let nextSync = window.from + rng.uniform(0, syncGap(p));

  const startCharge = (t: number) => {
    charging = true;
    target = rng.chance(0.85) ? 100 : rng.uniform(40, 90);
    if (target <= level) target = Math.min(100, level + 10);
    chargeRate = 100 / rng.uniform(50, 120);
    const soon = t + rng.uniform(2, 20) * MINUTE;
    if (dead) {
      dead = false;
      h.revivals.push(t);
      nextSync = soon;
    } else {
      nextSync = Math.min(nextSync, soon);
    }
  };

  for (let t = window.from; t < window.to; t += MINUTE) {
    const local = t + zone.offsetMs(t);
    const day = Math.floor(local / DAY);
    const minute = Math.floor((local - day * DAY) / MINUTE);
    if (day !== lastDay) {
      lastDay = day;
      dayFactor = rng.uniform(0.75, 1.25);
      if (Number.isNaN(habitDay) && minute > chargeAt) habitDay = day;
    }
    if (charging) {
      level += chargeRate;
      if (level >= target) {
        level = target;
        charging = false;
      }
    } else if (!dead) {
      const activity = minute >= 480 && minute < 1200 ? 1.25 : 0.75;
      level -= (drainPerDay * dayFactor * activity) / 1440;
      if (level <= 0) {
        level = 0;
        dead = true;
        h.deaths.push(t);
      }
    }
    if (minute >= chargeAt && habitDay !== day) {
      habitDay = day;
      if (!charging && (dead || level < chargeBelow) && !rng.chance(p.forget)) startCharge(t);
    } else if (!charging && !dead && level < 15 && rng.chance(NOTICE_PER_MINUTE)) {
      startCharge(t);
    }
    if (!dead && t >= nextSync) {
      h.syncTimes.push(t);
      h.syncLevels.push(Math.max(0, Math.min(100, Math.round(level))));
      nextSync = t + syncGap(p);
    }
  }
  return h;
}

function simulateScale(p: Person, window: TraceWindow): History {
  const { rng } = p;
  const h: History = { syncTimes: [], syncLevels: [], deaths: [], revivals: [] };
  const drainPerDay = rng.uniform(0.3, 2.5);
  let level = rng.uniform(3, 100);
  let dead = false;
  let at = window.from;
  const sync = (t: number, l: number) => {
    h.syncTimes.push(t);
    h.syncLevels.push(Math.max(0, Math.min(100, Math.round(l))));
  };
  const advance = (t: number) => {
    if (!dead) {
      const next = level - (drainPerDay * (t - at)) / DAY;
      if (next <= 0) {
        h.deaths.push(Math.round(at + (level / drainPerDay) * DAY));
        dead = true;
        level = 0;
      } else {
        level = next;
      }
    }
    at = t;
  };
  for (let t = window.from + rng.uniform(0, 7 * DAY); t < window.to; t += rng.uniform(4, 10) * DAY) {
    advance(t);
    if (dead) {
      // Stepping on a dead scale: sometimes that is when the batteries get replaced.
      if (rng.chance(0.5)) {
        dead = false;
        level = 100;
        h.revivals.push(t);
        sync(t + 10 * MINUTE, level);
      }
      continue;
    }
    sync(t, level);
    if (statusForLevel(level) !== 'High' && statusForLevel(level) !== 'Medium' && rng.chance(0.3)) {
      level = 100;
      sync(t + rng.uniform(10, 60) * MINUTE, level);
    }
  }
  advance(window.to);
  return h;
}
