/**
 * The alert policy: given what we remember of a subscriber's devices and what the provider reports
 * now, which texts are due, what to remember, and when to look again. Pure: no I/O, no clock.
 *
 * - Low: status Low/Empty, or level at or below the threshold. One text per low episode per device;
 *   the episode ends only when the device is seen charged (threshold + hysteresis), so 20 -> 21 -> 19
 *   is one episode. Empty gets one more, more urgent text. A low device that stops syncing for
 *   `staleAfterMs` gets one "may have run out" text.
 * - Quiet hours hold texts until they end (then sent only if still true); a snooze holds them until
 *   it ends, and then a still-low device is texted once more.
 */

import type { Device } from './device';
import { addReading, estimateDrain, hoursUntil } from './drain';
import { texts } from './messages';
import { isQuiet, quietEnd } from './quiet-hours';
import type { DeviceMemory, Episode, QuietHours } from './subscriber';

export interface PolicySettings {
  threshold: number;
  /** Points above the threshold a device must reach to count as charged. */
  hysteresis: number;
  staleAfterMs: number;
  /** Scales sync when stepped on, often weekly: silence means less for them. */
  scaleStaleAfterMs: number;
  quietHours: QuietHours;
  timeZone: string;
  snoozeUntil?: number;
  minIntervalMs: number;
  maxIntervalMs: number;
}

export const DEFAULT_POLICY = {
  hysteresis: 10,
  staleAfterMs: 24 * 3600_000,
  scaleStaleAfterMs: 8 * 24 * 3600_000,
  minIntervalMs: 15 * 60_000,
  maxIntervalMs: 12 * 3600_000,
};

export type AlertKind = 'low' | 'empty' | 'stale' | 'reminder';

export interface Alert {
  deviceId: string;
  kind: AlertKind;
  text: string;
}

export interface Evaluation {
  devices: Record<string, DeviceMemory>;
  /** Texts to send now; the returned memory already records them as sent. */
  alerts: Alert[];
  /** Texts that are due but held by quiet hours or a snooze. */
  held: number;
  nextCheckAt: number;
  /** The snooze has ended and its reminders are in `alerts`: clear `snoozeUntil`. */
  snoozeEnded: boolean;
}

const HOUR = 3600_000;

/**
 * Fitbit reports status Low from about this level (UNCONFIRMED; the sandbox does the same), and a
 * Low status counts as low whatever the threshold: the schedule aims at whichever comes first.
 */
export const STATUS_LOW_LEVEL = 25;

function staleAfter(device: Device, settings: PolicySettings): number {
  return device.type === 'SCALE' ? settings.scaleStaleAfterMs : settings.staleAfterMs;
}

/** The level at which this device will first read as low. */
function lowAt(device: Device, settings: PolicySettings): number {
  return device.batteryStatus !== undefined
    ? Math.max(settings.threshold, STATUS_LOW_LEVEL)
    : settings.threshold;
}
/** How long a texted low device that the provider stopped listing is remembered. */
const ABSENT_MEMORY_MS = 30 * 24 * HOUR;

export function isLow(device: Device, threshold: number): boolean {
  if (device.batteryStatus === 'Low' || device.batteryStatus === 'Empty') return true;
  return device.batteryLevel !== undefined && device.batteryLevel <= threshold;
}

export function isCharged(
  device: Device,
  settings: Pick<PolicySettings, 'threshold' | 'hysteresis'>,
): boolean {
  // A device still reporting Low/Empty is not charged, whatever its level says: closing the episode
  // would reopen it at once, and text again, at every check (say level 30 with status Low).
  if (isLow(device, settings.threshold)) return false;
  if (device.batteryLevel !== undefined)
    return device.batteryLevel >= settings.threshold + settings.hysteresis;
  return device.batteryStatus === 'High' || device.batteryStatus === 'Medium';
}

function isEmpty(device: Device): boolean {
  return device.batteryStatus === 'Empty' || device.batteryLevel === 0;
}

function syncTime(device: Device): number | undefined {
  const t = device.lastSyncTime ? Date.parse(device.lastSyncTime) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** Hours of battery left as of now, when the drain estimate is sound. */
function hoursLeft(device: Device, memory: DeviceMemory, now: number): number | undefined {
  const estimate = estimateDrain(memory.readings);
  const sync = syncTime(device);
  if (!estimate || device.batteryLevel === undefined || sync === undefined) return undefined;
  return hoursUntil(device.batteryLevel, 0, estimate) - (now - sync) / HOUR;
}

export function evaluate(
  memory: Record<string, DeviceMemory>,
  devices: Device[],
  now: number,
  settings: PolicySettings,
): Evaluation {
  const snoozed = settings.snoozeUntil !== undefined && settings.snoozeUntil > now;
  const snoozeEnded = settings.snoozeUntil !== undefined && settings.snoozeUntil <= now;
  const quiet = isQuiet(now, settings.timeZone, settings.quietHours);
  const next: Record<string, DeviceMemory> = {};
  const alerts: Alert[] = [];
  const candidates: number[] = [now + settings.maxIntervalMs];
  let held = 0;

  for (const device of devices) {
    // One memory per id: a second listing under the same id would overwrite the first one's
    // episode, and a low and a charged twin would then text at every check. The first one counts.
    if (Object.hasOwn(next, device.id)) continue;
    const previous = memory[device.id];
    const sync = syncTime(device);
    const readings =
      device.batteryLevel !== undefined && sync !== undefined
        ? addReading(previous?.readings, sync, device.batteryLevel)
        : previous?.readings;
    let episode: Episode | undefined = previous?.episode ? { ...previous.episode } : undefined;
    if (episode && isCharged(device, settings)) episode = undefined;
    if (!episode && isLow(device, settings.threshold)) episode = { startedAt: now };

    const mem: DeviceMemory = { name: device.name, type: device.type };
    if (device.batteryLevel !== undefined) mem.level = device.batteryLevel;
    if (device.batteryStatus) mem.status = device.batteryStatus;
    if (device.lastSyncTime) mem.lastSyncTime = device.lastSyncTime;
    if (readings?.length) mem.readings = readings;

    const due = episode ? dueAlert(device, episode, mem, now, settings, snoozeEnded) : undefined;
    if (due && episode) {
      if (snoozed || quiet) {
        held++;
      } else {
        alerts.push({ deviceId: device.id, ...due });
        markSent(episode, due.kind, now);
      }
    }
    if (episode) mem.episode = episode;
    next[device.id] = mem;
    candidates.push(nextLook(device, mem, now, settings));
  }

  // A device missing from one answer may be listed again at the next: forgetting its texted low
  // episode would text it again. Its memory is kept, unchanged, while that episode is recent.
  for (const [id, mem] of Object.entries(memory)) {
    const lowSentAt = mem.episode?.lowSentAt;
    if (!Object.hasOwn(next, id) && lowSentAt !== undefined && now - lowSentAt < ABSENT_MEMORY_MS)
      next[id] = mem;
  }

  if (held > 0)
    candidates.push(
      snoozed ? (settings.snoozeUntil as number) : quietEnd(now, settings.timeZone, settings.quietHours),
    );
  let nextCheckAt = Math.min(...candidates);
  nextCheckAt = Math.max(nextCheckAt, now + settings.minIntervalMs);
  // A look inside quiet hours could only lead to a held text: look when they end instead.
  if (isQuiet(nextCheckAt, settings.timeZone, settings.quietHours)) {
    nextCheckAt = quietEnd(nextCheckAt, settings.timeZone, settings.quietHours);
  }
  return { devices: next, alerts, held, nextCheckAt, snoozeEnded: snoozeEnded && !quiet };
}

function dueAlert(
  device: Device,
  episode: Episode,
  mem: DeviceMemory,
  now: number,
  settings: PolicySettings,
  snoozeEnded: boolean,
): { kind: AlertKind; text: string } | undefined {
  const sync = syncTime(device);
  const reading = { name: device.name, level: device.batteryLevel, status: device.batteryStatus };
  if (isEmpty(device) && episode.emptySentAt === undefined)
    return { kind: 'empty', text: texts.empty(reading) };
  const low = isLow(device, settings.threshold);
  if (low && episode.lowSentAt === undefined) {
    return { kind: 'low', text: texts.low(reading, hoursLeft(device, mem, now)) };
  }
  if (sync !== undefined && now - sync >= staleAfter(device, settings) && episode.staleSentAt === undefined) {
    return { kind: 'stale', text: texts.stale(reading, (now - sync) / HOUR) };
  }
  if (
    snoozeEnded &&
    low &&
    settings.snoozeUntil !== undefined &&
    episode.lowSentAt !== undefined &&
    episode.lowSentAt < settings.snoozeUntil &&
    !isEmpty(device)
  ) {
    return { kind: 'reminder', text: texts.low(reading, hoursLeft(device, mem, now)) };
  }
  return undefined;
}

function markSent(episode: Episode, kind: AlertKind, now: number): void {
  if (kind === 'empty') {
    episode.emptySentAt = now;
    episode.lowSentAt ??= now;
  } else if (kind === 'stale') {
    episode.staleSentAt = now;
  } else {
    episode.lowSentAt = now;
  }
}

/** When this device next deserves a look: rarely when full, often near the threshold. */
function nextLook(device: Device, mem: DeviceMemory, now: number, settings: PolicySettings): number {
  const sync = syncTime(device);
  if (mem.episode) {
    // Already low: watch for Empty, for charging, and for the sync going stale. An overdue stale
    // text (held by a snooze or quiet hours) is not a reason to look every few minutes.
    const staleAt =
      sync !== undefined && mem.episode.staleSentAt === undefined
        ? sync + staleAfter(device, settings)
        : Infinity;
    return Math.min(now + 2 * HOUR, staleAt > now ? staleAt : Number.POSITIVE_INFINITY);
  }
  if (device.batteryLevel === undefined) {
    return now + (device.batteryStatus === 'High' ? 6 : device.batteryStatus === 'Medium' ? 2 : 3) * HOUR;
  }
  const target = lowAt(device, settings);
  const margin = device.batteryLevel - target;
  const estimate = estimateDrain(mem.readings);
  if (estimate && sync !== undefined) {
    const crossing = sync + hoursUntil(device.batteryLevel, target, estimate) * HOUR;
    // Aim a little before the predicted crossing; once past it, look every 20 minutes.
    const aim = sync + (crossing - sync) * 0.8;
    return aim > now ? aim : now + 20 * 60_000;
  }
  const hours = margin > 40 ? 8 : margin > 25 ? 4 : margin > 15 ? 2 : margin > 8 ? 1 : 1 / 3;
  return now + hours * HOUR;
}
