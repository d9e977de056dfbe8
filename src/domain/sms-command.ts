/**
 * The SMS command grammar: what a person's reply means. Forgiving by design: case, accents,
 * whitespace and punctuation around words are ignored, the first word decides, common synonyms and
 * near-misses ("stauts") are accepted. Pure and total: any string gives a command, never a throw.
 */
import type { QuietHours } from './subscriber';

export type SnoozeSpec =
  /** No duration given: the default. */
  | { kind: 'default' }
  | { kind: 'for'; ms: number }
  /** Until the next time the local clock shows this, in minutes after midnight. */
  | { kind: 'until'; minuteOfDay: number }
  | { kind: 'tomorrow' }
  | { kind: 'invalid' };

export type SmsCommand =
  /** `code`: the sign-up's confirmation code, when the person typed one ("YES 4821"). */
  | { kind: 'yes'; code?: string }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'status' }
  | { kind: 'snooze'; spec: SnoozeSpec }
  | { kind: 'snoozeOff' }
  | { kind: 'delete' }
  /** `value` undefined: the number was missing or out of range. */
  | { kind: 'threshold'; value?: number }
  /** `hours` undefined: not understood; start == end turns quiet hours off. */
  | { kind: 'quiet'; hours?: QuietHours }
  | { kind: 'unknown' };

export const MIN_THRESHOLD = 5;
export const MAX_THRESHOLD = 50;

/** The carriers' standard opt-out words, plus STOPALL and REVOKE. */
export const OPT_OUT_WORDS = new Set([
  'ARRET',
  'CANCEL',
  'END',
  'OPT-OUT',
  'OPTOUT',
  'QUIT',
  'REMOVE',
  'STOP',
  'STOPALL',
  'TD',
  'UNSUBSCRIBE',
  'REVOKE',
]);
const YES_WORDS = new Set(['YES', 'Y', 'YEP', 'YEAH', 'YA', 'YUP', 'CONFIRM', 'OK', 'OKAY', 'SI', 'OUI']);
const START_WORDS = new Set(['START', 'UNSTOP']);
const HELP_WORDS = new Set(['HELP', 'INFO', '?', 'COMMANDS', 'MENU']);
const STATUS_WORDS = new Set(['STATUS', 'BATTERY', 'BATTERIES', 'LEVEL', 'LEVELS', 'BATT', 'CHECK']);
const SNOOZE_WORDS = new Set(['SNOOZE', 'PAUSE', 'MUTE', 'SLEEP']);
const RESUME_WORDS = new Set(['RESUME', 'UNSNOOZE', 'UNPAUSE', 'UNMUTE']);
const DELETE_WORDS = new Set(['DELETE', 'ERASE', 'FORGET']);
const THRESHOLD_WORDS = new Set(['THRESHOLD', 'LIMIT', 'ALERT', 'ALERTAT']);
const QUIET_WORDS = new Set(['QUIET', 'QUIETHOURS', 'NIGHT']);
const OFF_WORDS = new Set(['OFF', 'STOP', 'END', 'CANCEL', 'NONE', 'NO']);

/** Words long enough to recognise with one typo; short ones (STOP, YES) must be exact. */
const FUZZY: Array<[string, SmsCommand['kind']]> = [
  ['STATUS', 'status'],
  ['BATTERY', 'status'],
  ['SNOOZE', 'snooze'],
  ['RESUME', 'snoozeOff'],
  ['DELETE', 'delete'],
  ['THRESHOLD', 'threshold'],
  ['UNSUBSCRIBE', 'stop'],
];

/** Upper-cased words of a message: accents dropped, punctuation other than `-`, `:` and `?` as space. */
export function words(body: string): string[] {
  return (
    body
      .normalize('NFKD')
      // Accents off ("Arrêt" is ARRET), so words match however the phone spelled them.
      .replace(/\p{M}+/gu, '')
      .toUpperCase()
      .replace(/[^\p{L}\p{N}?:-]+/gu, ' ')
      .split(' ')
      .map((w) => w.replace(/^[-:]+|[-:]+$/g, ''))
      .filter((w) => w !== '')
  );
}

/** Optimal string alignment distance (Levenshtein plus adjacent swaps: "stauts" is 1 from "status"). */
export function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/** "STOPP", "SOTP", "STPO": a STOP typed in a hurry still stops; "SPOT" or "TOPS" do not. */
function looksLikeStop(word: string): boolean {
  if (/^S+T+O+P+$/.test(word)) return true;
  return (
    word.length === 4 &&
    word[0] === 'S' &&
    [...word].sort().join('') === 'OPST' &&
    editDistance(word, 'STOP') <= 1
  );
}

function fuzzyKind(word: string): SmsCommand['kind'] | undefined {
  if (word.length < 5) return undefined;
  for (const [target, kind] of FUZZY) if (editDistance(word, target) <= 1) return kind;
  return undefined;
}

export function parseSmsCommand(body: string): SmsCommand {
  // Punctuation kept inside words still only decorates their ends here: "STOP-?", "stop:?" and
  // "SNOOZE 2h?" mean what they say. A word of question marks alone stays: it asks for help.
  const all = words(body.slice(0, 1600))
    .map((w) => (/^\?+$/.test(w) ? w : w.replace(/^[-:?]+|[-:?]+$/g, '')))
    .filter((w) => w !== '');
  const first = all[0];
  if (first === undefined) return { kind: 'unknown' };
  const rest = all.slice(1);
  const bare = first.replace(/\?+$/, '') || first;
  if (/^\?+$/.test(first)) return { kind: 'help' };
  if (OPT_OUT_WORDS.has(bare) || (bare === 'OPT' && rest[0] === 'OUT') || looksLikeStop(bare))
    return { kind: 'stop' };
  if (YES_WORDS.has(bare)) {
    const code = rest.find((w) => /^\d{4}$/.test(w));
    return code === undefined ? { kind: 'yes' } : { kind: 'yes', code };
  }
  // "4821" alone, answering "reply YES 4821": the code says which sign-up, the reply says yes.
  if (/^\d{4}$/.test(bare) && rest.length === 0) return { kind: 'yes', code: bare };
  if (START_WORDS.has(bare)) return { kind: 'start' };
  if (HELP_WORDS.has(bare)) return { kind: 'help' };
  if (STATUS_WORDS.has(bare)) return { kind: 'status' };
  if (RESUME_WORDS.has(bare)) return { kind: 'snoozeOff' };
  if (DELETE_WORDS.has(bare)) return { kind: 'delete' };
  if (SNOOZE_WORDS.has(bare)) return snooze(rest);
  if (THRESHOLD_WORDS.has(bare)) return threshold(rest);
  if (QUIET_WORDS.has(bare)) return quiet(rest);
  switch (fuzzyKind(bare)) {
    case 'status':
      return { kind: 'status' };
    case 'snooze':
      return snooze(rest);
    case 'snoozeOff':
      return { kind: 'snoozeOff' };
    case 'delete':
      return { kind: 'delete' };
    case 'threshold':
      return threshold(rest);
    case 'stop':
      return { kind: 'stop' };
    default:
      return { kind: 'unknown' };
  }
}

function snooze(rest: string[]): SmsCommand {
  if (rest[0] && OFF_WORDS.has(rest[0])) return { kind: 'snoozeOff' };
  return { kind: 'snooze', spec: parseSnoozeSpec(rest) };
}

const UNIT_MS: Record<string, number> = {
  M: 60_000,
  MIN: 60_000,
  MINS: 60_000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  H: 3600_000,
  HR: 3600_000,
  HRS: 3600_000,
  HOUR: 3600_000,
  HOURS: 3600_000,
  D: 86400_000,
  DAY: 86400_000,
  DAYS: 86400_000,
  W: 7 * 86400_000,
  WK: 7 * 86400_000,
  WEEK: 7 * 86400_000,
  WEEKS: 7 * 86400_000,
};
const NUMBER_WORDS: Record<string, number> = {
  A: 1,
  AN: 1,
  ONE: 1,
  TWO: 2,
  THREE: 3,
  FOUR: 4,
  FIVE: 5,
  SIX: 6,
  SEVEN: 7,
  EIGHT: 8,
  NINE: 9,
  TEN: 10,
  TWELVE: 12,
};

/** "90m", "3h", "2 days", "a week", "until 8am", "til 7:30 pm", "tomorrow", "" (the default). */
export function parseSnoozeSpec(tokens: string[]): SnoozeSpec {
  const list = tokens.filter((t) => t !== 'FOR' && t !== 'FOR:');
  const head = list[0];
  if (head === undefined) return { kind: 'default' };
  if (head === 'TOMORROW') return { kind: 'tomorrow' };
  if (['UNTIL', 'TIL', 'TILL', 'UNTILL', 'TO'].includes(head)) {
    if (list[1] === 'TOMORROW') return { kind: 'tomorrow' };
    const minuteOfDay = parseClock(list.slice(1));
    return minuteOfDay === undefined ? { kind: 'invalid' } : { kind: 'until', minuteOfDay };
  }
  // "8am" on its own reads as a time of day.
  if (/^\d{1,2}(:\d{2})?(AM|PM)$/.test(head) || (list[1] && /^(AM|PM)$/.test(list[1]))) {
    const minuteOfDay = parseClock(list);
    return minuteOfDay === undefined ? { kind: 'invalid' } : { kind: 'until', minuteOfDay };
  }
  const joined = /^(\d+(?:\.\d+)?)([A-Z]+)$/.exec(head);
  const amount = joined ? Number(joined[1]) : (NUMBER_WORDS[head] ?? Number(head));
  const unit = joined ? joined[2] : (list[1] ?? 'H');
  const unitMs = unit === undefined ? undefined : UNIT_MS[unit];
  if (!Number.isFinite(amount) || amount <= 0 || unitMs === undefined) return { kind: 'invalid' };
  const ms = Math.round(amount * unitMs);
  // Number() reads "1E-9" too: an amount that rounds to under a minute would "snooze" until now.
  return ms >= 60_000 ? { kind: 'for', ms } : { kind: 'invalid' };
}

/** "8", "8am", "8 am", "7:30pm", "19:30", "NOON", "MIDNIGHT" -> minutes after midnight. */
export function parseClock(tokens: string[]): number | undefined {
  const text = tokens.join('');
  if (text === 'NOON') return 12 * 60;
  if (text === 'MIDNIGHT') return 0;
  const m = /^(\d{1,2})(?::(\d{2}))?(AM|PM)?$/.exec(text);
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  if (minute > 59) return undefined;
  if (m[3]) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (m[3] === 'PM' ? 12 : 0);
  } else if (hour > 23) {
    return undefined;
  }
  return hour * 60 + minute;
}

function threshold(rest: string[]): SmsCommand {
  const raw = rest.find((w) => /^\d+%?$/.test(w) || w === '%');
  const value = raw ? Number(raw.replace('%', '')) : Number.NaN;
  if (!Number.isInteger(value) || value < MIN_THRESHOLD || value > MAX_THRESHOLD)
    return { kind: 'threshold' };
  return { kind: 'threshold', value };
}

/** "22-7", "22 7", "10pm-7am", "22:00-07:00", "OFF". */
function quiet(rest: string[]): SmsCommand {
  if (rest[0] && OFF_WORDS.has(rest[0])) return { kind: 'quiet', hours: { start: 0, end: 0 } };
  const text = rest.join(' ').replace(/\s*-\s*|\s+TO\s+/g, ' ');
  const parts = text.split(' ').filter(Boolean);
  // Re-attach a separated AM/PM to its number ("10 PM 7 AM").
  const times: string[] = [];
  for (const part of parts) {
    if ((part === 'AM' || part === 'PM') && times.length > 0) times[times.length - 1] += part;
    else times.push(part);
  }
  if (times.length !== 2) return { kind: 'quiet' };
  const [start, end] = times.map((t) => parseClock([t]));
  if (start === undefined || end === undefined || start % 60 !== 0 || end % 60 !== 0)
    return { kind: 'quiet' };
  return { kind: 'quiet', hours: { start: start / 60, end: end / 60 } };
}
