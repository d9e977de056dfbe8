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

/** "about 9 h left" / "about 3 days left", or nothing when there is no sound estimate. */
export function timeLeft(hours: number | undefined): string {
  if (hours === undefined || !Number.isFinite(hours) || hours < 0) return '';
  if (hours < 1) return ', under 1 h left';
  if (hours < 48) return `, about ${Math.round(hours)} h left`;
  return `, about ${Math.round(hours / 24)} days left`;
}

export const texts = {
  confirm: (): string =>
    `${SERVICE_NAME}: reply YES to get texts when your Fitbit battery runs low. Up to 3 msgs/day. Msg&data rates may apply. Reply HELP for help, STOP to opt out.`,

  intro: (devices: DeviceReading[]): string => {
    if (devices.length === 0) {
      return `${SERVICE_NAME} is on. No Fitbit devices found on your account yet; we will check again. Reply STATUS anytime, HELP for help, STOP to stop.`;
    }
    const items = devices.map((d) => `${displayName(d.name)}: ${describeLevel(d)}`);
    return fitList(
      `${SERVICE_NAME} is on. `,
      items,
      '. We text when one runs low. Reply STATUS, HELP or STOP.',
    );
  },

  alreadyActive: (): string =>
    `${SERVICE_NAME}: you are already subscribed. Reply STATUS for battery levels, HELP for help, STOP to stop.`,

  help: (): string =>
    `${SERVICE_NAME}: texts when your Fitbit battery is low. Reply STATUS, SNOOZE, STOP to stop, START to resume. Msg&data rates may apply.`,

  pendingHint: (): string => `${SERVICE_NAME}: reply YES to confirm your sign-up, or STOP to opt out.`,

  notSubscribed: (signupUrl: string): string =>
    `${SERVICE_NAME}: this number is not signed up. Sign up at ${signupUrl} . Reply STOP to opt out.`,

  low: (device: DeviceReading, hoursLeft?: number): string =>
    `${displayName(device.name)} battery low: ${describeLevel(device)}${timeLeft(hoursLeft)}. Charge it soon. Reply SNOOZE to pause alerts, STOP to stop.`,

  empty: (device: DeviceReading): string =>
    `${displayName(device.name)} battery is EMPTY. Charge it now to keep tracking. Reply SNOOZE to pause alerts, STOP to stop.`,

  stale: (device: DeviceReading, hoursSinceSync: number): string =>
    `${displayName(device.name)} was low and has not synced for ${Math.min(999, Math.floor(hoursSinceSync))} h. It may have run out: charge it and open the Fitbit app.`,

  needsReauth: (signupUrl: string): string =>
    `${SERVICE_NAME} lost access to your Fitbit data; alerts are paused. Sign up again to resume: ${signupUrl}`,

  stopped: (): string =>
    `${SERVICE_NAME}: you are unsubscribed and will get no more texts. Reply START to resume.`,

  resumed: (): string =>
    `${SERVICE_NAME}: welcome back, battery alerts are on again. Reply STATUS for levels, HELP for help, STOP to stop.`,

  introUnavailable: (): string =>
    `${SERVICE_NAME} is on. We could not read your devices just now; we will keep checking. Reply HELP for help, STOP to stop.`,
};

/** The longest text a template may render: callers and tests hold every text to this. */
export const MAX_TEXT = SINGLE_SEGMENT;
