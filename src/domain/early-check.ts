/**
 * Early checks on a sync signal (Google Health webhooks, issue 15): when a "new steps" or "new weight"
 * notification makes an opted-in subscriber due for a battery check ahead of schedule, and how far
 * the polling schedule relaxes for opted-in subscribers so that total provider requests do not grow.
 * Pure: no I/O, no clock; the use case and the bench (bench/sim) call the same functions.
 *
 * A notification only says that some data of one type arrived: steps mean a tracker (or the phone
 * itself) synced, weight that a scale did. It carries no battery reading, so it is only worth a
 * provider request when the answer could change what we text: a device of that kind near its low
 * level or already low, or one we have not seen sync for a while (it may have come back, or died).
 */
import { STATUS_LOW_LEVEL } from './battery-policy';
import type { DeviceMemory } from './subscriber';

/** The data types whose notifications mean a device synced. */
export type SyncDataType = 'steps' | 'weight';

export interface EarlyCheckSettings {
  /** At most one early check per subscriber per this period (issue 15: default 30 min). */
  debounceMs: number;
  /** The subscriber's threshold (percent). */
  threshold: number;
  /** A device whose level is at most this many points above where it first reads low is "near". */
  nearMarginPoints: number;
  /** A device whose last sync is at least this old (or unknown) is "not seen for a while". */
  unseenAfterMs: number;
}

export const DEFAULT_EARLY_CHECK = {
  debounceMs: 30 * 60_000,
  nearMarginPoints: 15,
  unseenAfterMs: 12 * 3600_000,
} as const;

export type EarlyCheckReason =
  /** A device of that kind is low (an open episode): it may now be Empty, or charged. */
  | 'low-device'
  /** A device of that kind is close to reading low. */
  | 'near-threshold'
  /** A device of that kind has not synced for a while (or never reported a sync time). */
  | 'not-seen'
  /** Nothing is remembered yet (no check has completed): any answer teaches something. */
  | 'no-memory'
  /** Due, but an early check ran less than `debounceMs` ago: check when that period ends. */
  | 'debounced'
  /** Every device of that kind is well charged and recently seen: the check could change nothing. */
  | 'nothing-to-learn'
  /** No remembered device is of that kind (e.g. steps from the phone, with only a scale paired). */
  | 'no-matching-device'
  /** Not a data type that implies a device sync. */
  | 'not-a-sync';

export interface EarlyCheckInput {
  /** The subscriber's per-device memory (Subscriber.devices). */
  devices: Record<string, DeviceMemory>;
  /** The notification's `data.dataType` as received (untrusted string). */
  dataType: string;
  /** Epoch ms of the last early check this subscriber got (absent: never). */
  lastEarlyCheckAt?: number;
  now: number;
  settings: EarlyCheckSettings;
}

export type EarlyCheckDecision =
  | {
      due: true;
      /** When to check: `now`, or the end of the debounce period. The use case sets
       *  nextCheckAt = min(nextCheckAt, checkAt) and records lastEarlyCheckAt = checkAt. */
      checkAt: number;
      /** What made it worth a check; with `debounced` the deferral is in `deferred`. */
      reason: Exclude<EarlyCheckReason, 'nothing-to-learn' | 'no-matching-device' | 'not-a-sync'>;
      /** Set when the check waits for the debounce period: the reason the check is worth it. */
      deferred?: Exclude<
        EarlyCheckReason,
        'debounced' | 'nothing-to-learn' | 'no-matching-device' | 'not-a-sync'
      >;
    }
  | { due: false; reason: 'nothing-to-learn' | 'no-matching-device' | 'not-a-sync' };

/** Which remembered device types a notification of `dataType` can be about. */
function kindsFor(dataType: SyncDataType): ReadonlySet<string> {
  // A device of unknown type could be either: it counts for both.
  return new Set(dataType === 'steps' ? ['TRACKER', 'UNKNOWN'] : ['SCALE', 'UNKNOWN']);
}

export function isSyncDataType(value: string): value is SyncDataType {
  return value === 'steps' || value === 'weight';
}

/** The level at which a remembered device first reads low (as the alert policy decides it). */
function lowLevel(memory: DeviceMemory, threshold: number): number {
  return memory.status !== undefined ? Math.max(threshold, STATUS_LOW_LEVEL) : threshold;
}

type WorthReason = 'low-device' | 'near-threshold' | 'not-seen';

/** Why a check of this device could change something, or undefined when it could not. */
function worth(memory: DeviceMemory, now: number, settings: EarlyCheckSettings): WorthReason | undefined {
  const sync = memory.lastSyncTime ? Date.parse(memory.lastSyncTime) : Number.NaN;
  const unseen = !Number.isFinite(sync) || now - sync >= settings.unseenAfterMs;
  // Low and already texted Empty: only charging is left to learn, and that texts nothing.
  if (memory.episode)
    return memory.episode.emptySentAt === undefined ? 'low-device' : unseen ? 'not-seen' : undefined;
  if (memory.status === 'Low' || memory.status === 'Empty') return 'low-device';
  const level = memory.level;
  if (typeof level === 'number' && Number.isFinite(level)) {
    if (level - lowLevel(memory, settings.threshold) <= settings.nearMarginPoints) return 'near-threshold';
  } else if (memory.status !== 'High') {
    // No level: Medium may be anywhere from 26 to 60 %, and no reading at all tells nothing.
    return 'near-threshold';
  }
  return unseen ? 'not-seen' : undefined;
}

const PRIORITY: readonly WorthReason[] = ['low-device', 'near-threshold', 'not-seen'];

/**
 * Whether a sync notification makes this subscriber due for an early check, and when. Total: any
 * data type string, any memory, any times. `lastEarlyCheckAt` is the time of the last early check
 * done or scheduled (the use case records `checkAt`): one in the future is a deferred check pending.
 */
export function earlyCheckDecision(input: EarlyCheckInput): EarlyCheckDecision {
  const { devices, dataType, lastEarlyCheckAt, now, settings } = input;
  if (!isSyncDataType(dataType)) return { due: false, reason: 'not-a-sync' };
  const memories = Object.values(devices);
  let reason: WorthReason | 'no-memory' | undefined;
  if (memories.length === 0) {
    reason = 'no-memory';
  } else {
    const kinds = kindsFor(dataType);
    const matching = memories.filter((m) => kinds.has(m.type));
    if (matching.length === 0) return { due: false, reason: 'no-matching-device' };
    const found = new Set(matching.map((m) => worth(m, now, settings)));
    reason = PRIORITY.find((r) => found.has(r));
    if (reason === undefined) return { due: false, reason: 'nothing-to-learn' };
  }
  if (lastEarlyCheckAt !== undefined && now - lastEarlyCheckAt < settings.debounceMs) {
    // A last early check still ahead of now is one already scheduled (deferred): it will do.
    const checkAt = lastEarlyCheckAt > now ? lastEarlyCheckAt : lastEarlyCheckAt + settings.debounceMs;
    return { due: true, checkAt, reason: 'debounced', deferred: reason };
  }
  return { due: true, checkAt: now, reason };
}

export interface RelaxSettings {
  /** The relaxed schedule looks no sooner than this after a check. */
  minIntervalMs: number;
  /** ... and stretches the adaptive interval by this factor ... */
  factor: number;
  /** ... up to this (the polling safety net when notifications are lost). */
  maxIntervalMs: number;
}

export const DEFAULT_RELAX: RelaxSettings = {
  minIntervalMs: 60 * 60_000,
  factor: 2,
  maxIntervalMs: 12 * 3600_000,
};

/**
 * The next scheduled check for an opted-in subscriber: the adaptive schedule's choice, stretched.
 * Syncs now announce themselves, so the close watch near the threshold is the notifications' job and
 * polling becomes the safety net for lost notifications and for devices that stop syncing (which no
 * notification reports). Never earlier than the adaptive choice, never later than `maxIntervalMs`
 * after now unless the adaptive choice itself is later (e.g. the end of quiet hours).
 */
export function relaxedNextCheckAt(now: number, adaptiveNextCheckAt: number, relax: RelaxSettings): number {
  if (!Number.isFinite(adaptiveNextCheckAt)) return adaptiveNextCheckAt;
  const interval = Math.max(0, adaptiveNextCheckAt - now);
  const stretched = Math.min(Math.max(interval * relax.factor, relax.minIntervalMs), relax.maxIntervalMs);
  return Math.max(adaptiveNextCheckAt, now + stretched);
}
