/**
 * Every text the service sends, in one place, each kept to one GSM-7 segment (160 characters).
 * Values that come from outside (device names) are cleaned to GSM-7 and shortened so a text never
 * spills into a second, billed segment or switches to UCS-2.
 */
import { fitsOneSegment, isGsm7, SINGLE_SEGMENT } from './gsm7';

export const SERVICE_NAME = 'Fitbit Battery SMS';
/** The longest device name a text will carry; real ones ("Pixel Watch 3", "Inspire 3") are shorter. */
export const MAX_DEVICE_NAME = 20;

export interface DeviceReading {
  name: string;
  level?: number;
  status?: string;
}

/** A device's name as it can appear in a text: GSM-7 only, single spaces, at most MAX_DEVICE_NAME. */
export function displayName(raw: string | undefined): string {
  const cleaned = [...(raw ?? '')]
    .map((ch) => (isGsm7(ch) && ch !== '\n' && ch !== '\r' && ch !== '\f' ? ch : ' '))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
  if (cleaned === '') return 'Fitbit device';
  return cleaned.length > MAX_DEVICE_NAME ? `${cleaned.slice(0, MAX_DEVICE_NAME - 1).trimEnd()}.` : cleaned;
}

export function describeLevel(reading: DeviceReading): string {
  if (typeof reading.level === 'number' && Number.isFinite(reading.level)) {
    return `${Math.round(Math.min(100, Math.max(0, reading.level)))}%`;
  }
  const status = (reading.status ?? '').toLowerCase();
  return ['high', 'medium', 'low', 'empty'].includes(status) ? status : 'unknown';
}

/**
 * Joins as many items as fit between `prefix` and `suffix` in one segment, then "+N more".
 * Items are tried in order, so callers put the most important first.
 */
export function fitList(prefix: string, items: string[], suffix: string, separator = ', '): string {
  const taken: string[] = [];
  for (let i = 0; i < items.length; i++) {
    const next = [...taken, items[i] as string];
    const left = items.length - next.length;
    const more = left > 0 ? ` +${left} more` : '';
    const text = `${prefix}${next.join(separator)}${more}${suffix}`;
    if (!fitsOneSegment(text)) break;
    taken.push(items[i] as string);
  }
  const left = items.length - taken.length;
  const more = left > 0 ? `${taken.length > 0 ? ' ' : ''}+${left} more` : '';
  return `${prefix}${taken.join(separator)}${more}${suffix}`;
}

export interface StatusReading extends DeviceReading {
  lastSyncTime?: string;
}

/** ", synced 2h ago" (or nothing when the sync time is unknown). */
export function syncedAgo(lastSyncTime: string | undefined, now: number): string {
  const at = lastSyncTime ? Date.parse(lastSyncTime) : Number.NaN;
  if (!Number.isFinite(at)) return '';
  const minutes = Math.max(0, Math.round((now - at) / 60_000));
  if (minutes < 60) return `, synced ${minutes}m ago`;
  if (minutes < 48 * 60) return `, synced ${Math.round(minutes / 60)}h ago`;
  return `, synced ${Math.min(999, Math.round(minutes / 1440))}d ago`;
}

/** Which clock quiet hours follow: the IANA name as the person's settings give it. */
export function zoneNote(timeZone: string): string {
  return ` Quiet hours: ${timeZone} time.`;
}

/** 22 -> "22:00". */
function clock(hour: number): string {
  return `${String(hour).padStart(2, '0')}:00`;
}

/** "about 9 h left" / "about 3 days left", or nothing when there is no sound estimate. */
export function timeLeft(hours: number | undefined): string {
  if (hours === undefined || !Number.isFinite(hours) || hours < 0) return '';
  if (hours < 1) return ', under 1 h left';
  if (hours < 48) return `, about ${Math.round(hours)} h left`;
  return `, about ${Math.round(hours / 24)} days left`;
}

export const texts = {
  /** The code is the sign-up's own: only "YES <code>" confirms when a bare YES could be ambiguous. */
  confirm: (code: string): string =>
    `${SERVICE_NAME}: reply YES ${code} to get texts when your Fitbit battery runs low. Up to 3 msgs/day. Msg&data rates may apply. HELP for help, STOP to opt out.`,

  /** The number already hears another account's alerts: say so, and that doing nothing changes nothing. */
  confirmTakeover: (code: string): string =>
    `${SERVICE_NAME}: this number already gets alerts for a Fitbit account. To switch them to a new one, reply YES ${code}. Ignore this to keep things as they are.`,

  yesNeedsCode: (): string =>
    `${SERVICE_NAME}: to confirm a new sign-up for this number, reply YES and the 4-digit code from its text, e.g. YES 1234. Nothing changes until you do.`,

  yesWrongCode: (): string =>
    `${SERVICE_NAME}: that code matches no sign-up for this number. Reply YES and the 4-digit code from our latest text, e.g. YES 1234.`,

  intro: (devices: DeviceReading[], timeZone: string): string => {
    if (devices.length === 0) {
      return `${SERVICE_NAME} is on. No Fitbit devices found yet; we will check again.${zoneNote(timeZone)} Reply HELP or STOP.`;
    }
    const items = devices.map((d) => `${displayName(d.name)}: ${describeLevel(d)}`);
    return fitList(
      `${SERVICE_NAME} is on. `,
      items,
      `. We text when one runs low.${zoneNote(timeZone)} Reply STATUS, HELP or STOP.`,
    );
  },

  alreadyActive: (): string =>
    `${SERVICE_NAME}: you are already subscribed. Reply STATUS for battery levels, HELP for help, STOP to stop.`,

  help: (): string =>
    `${SERVICE_NAME}: Fitbit low-battery texts. Reply STATUS, SNOOZE 3h, THRESHOLD 15, QUIET 22-7, STOP to end, DELETE to erase. Msg&data rates may apply.`,

  hint: (): string =>
    `${SERVICE_NAME} commands: STATUS, SNOOZE 3h, SNOOZE OFF, THRESHOLD 15, QUIET 22-7, HELP, STOP.`,

  status: (devices: StatusReading[], now: number, timeZone: string): string => {
    if (devices.length === 0)
      return `${SERVICE_NAME}: no Fitbit devices found on your account.${zoneNote(timeZone)}`;
    const items = devices.map(
      (d) => `${displayName(d.name)}: ${describeLevel(d)}${syncedAgo(d.lastSyncTime, now)}`,
    );
    return fitList('', items, `.${zoneNote(timeZone)}`, '. ');
  },

  statusStale: (devices: StatusReading[], now: number): string => {
    if (devices.length === 0)
      return `${SERVICE_NAME}: Fitbit is not answering right now and we have no reading yet. Try again later.`;
    const items = devices.map(
      (d) => `${displayName(d.name)}: ${describeLevel(d)}${syncedAgo(d.lastSyncTime, now)}`,
    );
    return fitList('Fitbit is not answering; last known: ', items, '', '. ');
  },

  snoozed: (untilLocal: string): string =>
    `${SERVICE_NAME}: alerts snoozed until ${untilLocal}. Reply SNOOZE OFF to turn them back on sooner.`,

  snoozeInvalid: (): string =>
    `Sorry, try SNOOZE 3h, SNOOZE 2 days, SNOOZE UNTIL 8AM or SNOOZE TOMORROW (up to 7 days).`,

  snoozeOff: (): string => `${SERVICE_NAME}: alerts are back on. Reply SNOOZE to pause them, STOP to stop.`,

  thresholdSet: (percent: number): string =>
    `${SERVICE_NAME}: you will now get an alert when a battery is at ${percent}% or below.`,

  thresholdInvalid: (): string => `Send THRESHOLD and a number from 5 to 50, for example THRESHOLD 15.`,

  quietSet: (start: number, end: number): string =>
    `${SERVICE_NAME}: quiet hours now ${clock(start)}-${clock(end)}. Alerts due then wait until ${clock(end)}.`,

  quietOff: (): string => `${SERVICE_NAME}: quiet hours off. Alerts may come at any time of day or night.`,

  quietInvalid: (): string => `Send QUIET and two hours, for example QUIET 22-7, or QUIET OFF.`,

  stoppedHint: (): string =>
    `${SERVICE_NAME}: you are unsubscribed. Reply START to turn battery alerts back on.`,

  deleted: (signupUrl: string): string =>
    `${SERVICE_NAME}: your data is deleted. This is our last text. Sign up again anytime: ${signupUrl}`,

  pendingHint: (): string =>
    `${SERVICE_NAME}: reply YES and the code from our text to confirm your sign-up, or STOP to opt out.`,

  notSubscribed: (signupUrl: string): string =>
    `${SERVICE_NAME}: this number is not signed up. Sign up at ${signupUrl} . Reply STOP to opt out.`,

  low: (device: DeviceReading, hoursLeft?: number): string =>
    `${displayName(device.name)} battery low: ${describeLevel(device)}${timeLeft(hoursLeft)}. Charge it soon. Reply SNOOZE to pause alerts, STOP to stop.`,

  empty: (device: DeviceReading): string =>
    `${displayName(device.name)} battery is EMPTY. Charge it now to keep tracking. Reply SNOOZE to pause alerts, STOP to stop.`,

  stale: (device: DeviceReading, hoursSinceSync: number): string =>
    `${displayName(device.name)} was low and has not synced for ${Math.min(999, Math.floor(hoursSinceSync))} h. It may have run out: charge it and open the Fitbit app.`,

  accountUnlinked: (signupUrl: string): string =>
    `${SERVICE_NAME} stopped: your Google account has no Fitbit data. Link it, then sign up: ${signupUrl}`,

  accessEnding: (days: number, signupUrl: string): string =>
    `${SERVICE_NAME}: the access you gave us ends in ${Math.min(99, Math.max(1, Math.round(days)))} day${days === 1 ? '' : 's'}, then alerts stop. Renew it here: ${signupUrl}`,

  needsReauth: (signupUrl: string): string =>
    `${SERVICE_NAME} lost access to your Fitbit data; alerts are paused. Sign up again to resume: ${signupUrl}`,

  stopped: (): string =>
    `${SERVICE_NAME}: you are unsubscribed and will get no more texts. Reply START to resume.`,

  resumed: (): string =>
    `${SERVICE_NAME}: welcome back, battery alerts are on again. Reply STATUS for levels, HELP for help, STOP to stop.`,

  introUnavailable: (timeZone: string): string =>
    `${SERVICE_NAME} is on. We could not read your devices just now; we will keep checking.${zoneNote(timeZone)} Reply HELP or STOP.`,
};

/** The longest text a template may render: callers and tests hold every text to this. */
export const MAX_TEXT = SINGLE_SEGMENT;
