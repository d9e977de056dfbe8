/**
 * The SMS command grammar: what a person's reply means. Forgiving by design: case, surrounding
 * whitespace and punctuation are ignored and the first word decides.
 */
export type SmsCommand =
  | { kind: 'yes' }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'unknown' };

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
const START_WORDS = new Set(['START', 'UNSTOP', 'RESUME']);
const HELP_WORDS = new Set(['HELP', 'INFO', '?']);

/** Upper-cased words of a message, punctuation other than `-` and `?` treated as space. */
export function words(body: string): string[] {
  return (
    body
      .normalize('NFKD')
      // Accents off ("Arrêt" is ARRET), so words match however the phone spelled them.
      .replace(/\p{M}+/gu, '')
      .toUpperCase()
      .replace(/[^\p{L}\p{N}?-]+/gu, ' ')
      .split(' ')
      .map((w) => w.replace(/^-+|-+$/g, ''))
      .filter((w) => w !== '')
  );
}

export function parseSmsCommand(body: string): SmsCommand {
  const all = words(body);
  const first = all[0];
  if (first === undefined) return { kind: 'unknown' };
  const bare = first.replace(/\?+$/, '') || first;
  if (OPT_OUT_WORDS.has(bare) || (bare === 'OPT' && all[1] === 'OUT')) return { kind: 'stop' };
  if (YES_WORDS.has(bare)) return { kind: 'yes' };
  if (START_WORDS.has(bare)) return { kind: 'start' };
  if (HELP_WORDS.has(bare) || /^\?+$/.test(first)) return { kind: 'help' };
  return { kind: 'unknown' };
}
