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
import { estimateDrain } from './drain';
import type { DeviceMemory } from './subscriber';

/** The data types whose notifications mean a device synced. */
export type SyncDataType = 'steps' | 'weight';

export interface EarlyCheckSettings {
  /** At most one early check per subscriber per this period (issue 15: default 30 min). */
  debounceMs: number;
  /**
   * The least drain assumed (%/hour) when carrying a reading forward. The drain estimate averages
   * day and night, and people wear trackers (and drain them) by day, so it is doubled; an estimate
   * below this floor, or none, gives way to it. Erring fast costs an early check that finds nothing;
   * erring slow misses the sync that crossed the threshold.
   */
  assumedDrainPerHour: number;
  /** The subscriber's threshold (percent). */
  threshold: number;
  /**
   * A device whose level now (its last level carried forward at the pessimistic drain above) is at
   * most this many points above where it first reads low (or Empty, once low) is "near".
   */
  nearMarginPoints: number;
  /** A device whose last sync is at least this old (or unknown) is "not seen for a while". */
  unseenAfterMs: number;
}

export const DEFAULT_EARLY_CHECK = {
  debounceMs: 30 * 60_000,
  assumedDrainPerHour: 1.5,
  nearMarginPoints: 1,
  unseenAfterMs: 12 * 3600_000,
} as const;

export type EarlyCheckReason =
  /** A device of that kind is low and near Empty (or its low text is held): a reading may text. */
  | 'low-device'
  /** A device of that kind is close to reading low. */
  | 'near-threshold'
  /** A device of that kind has not synced for a while (or never reported a sync time). */
  | 'not-seen'
  /** Nothing is remembered yet (no check has completed): any answer teaches something. */
  | 'no-memory'
  /** Worth it, but an early check ran (or is scheduled) less than `debounceMs` ago: check when that period ends. */
  | 'debounced'
  /** Every device of that kind is far from its next text and recently seen: the check could change nothing. */
  | 'nothing-to-learn'
  /** No remembered device is of that kind (e.g. steps from the phone, with only a scale paired). */
  | 'no-matching-device'
  /** Not a data type that implies a device sync. */
  | 'not-a-sync';

export interface EarlyCheckInput {
  /** The subscriber's per-device memory (Subscriber.devices). */
  devices: Record<string, DeviceMemory>;
  /**
   * Epoch ms of the last completed check (Subscriber.lastCheckedAt; absent: none yet, or a record
   * from before the field). An empty `devices` after a check means the account has no device (steps
   * from the phone): that is known, not "no memory".
   */
  lastCheckedAt?: number;
  /** The notification's `data.dataType` as received (untrusted string). */
  dataType: string;
  /** Epoch ms of the last early check run at once on a notification (absent: never). */
  lastEarlyCheckAt?: number;
  /** Epoch ms of the check a debounced notification scheduled for the period's end (absent: none). */
  pendingEarlyCheckAt?: number;
  now: number;
  settings: EarlyCheckSettings;
}

export type EarlyCheckDecision =
  | {
      due: true;
      /**
       * When to check. `now`: check at once. Later (debounced): set nextCheckAt = min(nextCheckAt,
       * checkAt). Either way store `next`.
       */
      checkAt: number;
      /** What made it worth a check; with `debounced` the deferral is in `deferred`. */
      reason: Exclude<EarlyCheckReason, 'nothing-to-learn' | 'no-matching-device' | 'not-a-sync'>;
      /** What the use case stores for the next decision (replacing both fields; absent = cleared). */
      next: { lastEarlyCheckAt?: number; pendingEarlyCheckAt?: number };
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

/**
 * The level at which a device reads Empty: status Empty from 5 % where a status is reported (the
 * sandbox's and the simulator's mapping; UNCONFIRMED for real devices), else 0 %.
 */
function emptyLevel(memory: DeviceMemory): number {
  return memory.status !== undefined ? 5 : 0;
}

/**
 * The level now: the last level carried forward at a pessimistic drain (so a reading that has aged
 * counts as lower than it was).
 */
function predictedLevel(
  memory: DeviceMemory,
  sync: number,
  now: number,
  settings: EarlyCheckSettings,
): number | undefined {
  const level = memory.level;
  if (typeof level !== 'number' || !Number.isFinite(level)) return undefined;
  if (!Number.isFinite(sync) || now <= sync) return level;
  const estimated = 2 * (estimateDrain(memory.readings)?.ratePerHour ?? 0);
  const rate = Math.max(estimated, settings.assumedDrainPerHour);
  return level - (rate * (now - sync)) / 3600_000;
}

type WorthReason = 'low-device' | 'near-threshold' | 'not-seen';

/** Why a check of this device could change something, or undefined when it could not. */
function worth(memory: DeviceMemory, now: number, settings: EarlyCheckSettings): WorthReason | undefined {
  const sync = memory.lastSyncTime ? Date.parse(memory.lastSyncTime) : Number.NaN;
  const unseen = !Number.isFinite(sync) || now - sync >= settings.unseenAfterMs;
  const predicted = predictedLevel(memory, sync, now, settings);
  const episode = memory.episode;
  if (episode) {
    // Low: a held low text, or Empty, is what a reading could still bring; charging texts nothing.
    if (episode.lowSentAt === undefined) return 'low-device';
    if (episode.emptySentAt === undefined) {
      if (predicted === undefined || predicted - emptyLevel(memory) <= settings.nearMarginPoints)
        return 'low-device';
    }
  } else if (memory.status === 'Low' || memory.status === 'Empty') {
    return 'low-device';
  } else if (predicted === undefined) {
    // No level: Medium may be anywhere from 26 to 60 %. With neither level nor status a reading
    // teaches nothing new unless the device has been away a while (else every sync would check).
    if (memory.status !== undefined && memory.status !== 'High') return 'near-threshold';
  } else if (predicted - lowLevel(memory, settings.threshold) <= settings.nearMarginPoints) {
    return 'near-threshold';
  }
  return unseen ? 'not-seen' : undefined;
}

const PRIORITY: readonly WorthReason[] = ['low-device', 'near-threshold', 'not-seen'];

/**
 * Whether a sync notification makes this subscriber due for an early check, and when. Total: any
 * data type string, any memory, any times. At most one early check per `debounceMs`, counting both
 * the checks run at once and the ones scheduled for a period's end.
 */
export function earlyCheckDecision(input: EarlyCheckInput): EarlyCheckDecision {
  const { devices, dataType, lastCheckedAt, lastEarlyCheckAt, pendingEarlyCheckAt, now, settings } = input;
  if (!isSyncDataType(dataType)) return { due: false, reason: 'not-a-sync' };
  const memories = Object.values(devices);
  let reason: WorthReason | 'no-memory' | undefined;
  // Only before any check completed: a known empty memory (no devices) must not check on every sync.
  if (memories.length === 0 && lastCheckedAt === undefined) {
    reason = 'no-memory';
  } else {
    const kinds = kindsFor(dataType);
    const matching = memories.filter((m) => kinds.has(m.type));
    if (matching.length === 0) return { due: false, reason: 'no-matching-device' };
    const found = new Set(matching.map((m) => worth(m, now, settings)));
    reason = PRIORITY.find((r) => found.has(r));
    if (reason === undefined) return { due: false, reason: 'nothing-to-learn' };
  }
  // A scheduled check whose time has come counts as done (the dispatcher runs it, or has).
  const pendingDone = pendingEarlyCheckAt !== undefined && pendingEarlyCheckAt <= now;
  const last = Math.max(lastEarlyCheckAt ?? -Infinity, pendingDone ? pendingEarlyCheckAt : -Infinity);
  if (!(now - last < settings.debounceMs))
    return { due: true, checkAt: now, reason, next: { lastEarlyCheckAt: now } };
  // Inside the period the signal is kept, not dropped: one check when the period ends.
  const checkAt =
    pendingEarlyCheckAt !== undefined && !pendingDone
      ? pendingEarlyCheckAt
      : Math.max(last, now - settings.debounceMs) + settings.debounceMs;
  // A scheduled check that has run becomes the last one, so the new schedule cannot forget it.
  const next = Number.isFinite(last)
    ? { lastEarlyCheckAt: last, pendingEarlyCheckAt: checkAt }
    : { pendingEarlyCheckAt: checkAt };
  return { due: true, checkAt, reason: 'debounced', deferred: reason, next };
}

export interface RelaxSettings {
  /** The relaxed schedule looks no sooner than this after a check. */
  minIntervalMs: number;
  /** ... and stretches the adaptive interval by this factor ... */
  factor: number;
  /** ... up to this (the polling safety net when notifications are lost). */
  maxIntervalMs: number;
}

/**
 * Polling relaxes only while notifications are seen to arrive: a verified one within this long. A
 * webhook never registered, a wrong secret or keyset, or a Google outage then costs the relaxed
 * schedule within a day, instead of leaving opted-in people polled 1-12 h apart with no early checks.
 * A day, because a person who does not wear or sync a tracker for hours sends nothing either.
 */
export const NOTIFICATIONS_ARRIVING_WITHIN_MS = 24 * 3600_000;
/**
 * The subscriber's `lastNotificationAt` is rewritten only when older than this, so a stream of
 * notifications costs a write every few hours rather than one each (well inside the day above).
 */
export const NOTIFICATION_MARK_REFRESH_MS = 3 * 3600_000;

/** Whether a verified notification arrived recently enough for polling to rely on them. */
export function notificationsArriving(lastNotificationAt: number | undefined, now: number): boolean {
  return lastNotificationAt !== undefined && now - lastNotificationAt < NOTIFICATIONS_ARRIVING_WITHIN_MS;
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
