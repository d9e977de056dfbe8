/**
 * Properties of the SMS command grammar: total over any text (long, control characters, RTL, emoji,
 * lone surrogates), case, accents and the punctuation or whitespace around a command word never
 * change what it means, every opt-out word stops however it is dressed, and the numbers a command
 * carries are always in range.
 */
import fc from 'fast-check';
import {
  MAX_THRESHOLD,
  MIN_THRESHOLD,
  OPT_OUT_WORDS,
  parseSmsCommand,
  words,
} from '../../src/domain/sms-command';
import { RUNS } from './arbitraries';

/** Each command word alone, as the grammar documents it. */
const COMMAND_WORDS = [
  ...OPT_OUT_WORDS,
  'YES',
  'Y',
  'YEP',
  'OK',
  'CONFIRM',
  'OUI',
  'START',
  'UNSTOP',
  'HELP',
  'INFO',
  'COMMANDS',
  'MENU',
  'STATUS',
  'BATTERY',
  'LEVELS',
  'CHECK',
  'SNOOZE',
  'PAUSE',
  'MUTE',
  'RESUME',
  'UNSNOOZE',
  'DELETE',
  'ERASE',
  'FORGET',
  'THRESHOLD',
  'LIMIT',
  'QUIET',
  'NIGHT',
  'STAUTS',
  'SNOOZ',
];

const SPACES = [' ', '\t', '\n', '\r', '\u00A0', '\u2003', '\u3000', '\u200B', '\uFEFF'];
const MARKS = [
  '.',
  ',',
  '!',
  ';',
  '"',
  "'",
  '(',
  ')',
  '*',
  '~',
  '_',
  '/',
  '\\',
  '&',
  '#',
  '@',
  '$',
  '%',
  '^',
];
const MORE_MARKS = ['+', '=', '<', '>', '|', '«', '»', '¡', '¿', '…', '“', '”', '-', ':', '—', '·'];
const OTHER = ['👍', '🔋', '🙏🏽', '❤️', '\u200F', '\u202E', '\u200D', '\u0000', '\u0007', '\u001B', '\u007F'];

/** Characters that are never part of a word: whitespace, punctuation, symbols, emoji, controls. */
const decorationChar = fc.constantFrom(...SPACES, ...MARKS, ...MORE_MARKS, ...OTHER);
const decoration = fc.array(decorationChar, { maxLength: 6 }).map((cs) => cs.join(''));
/** Before the word: decoration, then question marks, dashes or colons glued to it ("?stop"). */
const leading = fc
  .tuple(decoration, fc.array(fc.constantFrom('?', '-', ':'), { maxLength: 3 }))
  .map(([d, glue]) => d + glue.join(''));
/** Right after the word: the punctuation that stays glued to it ("STOP?", "stop:?"). */
const glued = fc.array(fc.constantFrom('?', '-', ':'), { maxLength: 4 }).map((cs) => cs.join(''));
/** A separator before more text: at least one space-like or punctuation character. */
const separator = fc
  .tuple(fc.constantFrom(...SPACES.slice(0, 7), ',', '.', '!', ';', '/', '…'), decoration)
  .map(([a, b]) => a + b);

/** The word as a phone might send it: any case, sometimes accented, sometimes full-width. */
function dressed(word: string): fc.Arbitrary<string> {
  return fc
    .array(
      fc.record({ upper: fc.boolean(), accent: fc.constantFrom('', '', '', '\u0301', '\u0308', '\u0300') }),
      {
        minLength: word.length,
        maxLength: word.length,
      },
    )
    .chain((styles) =>
      fc.boolean().map((fullWidth) =>
        [...word]
          .map((ch, i) => {
            const style = styles[i] ?? { upper: true, accent: '' };
            const cased = style.upper ? ch.toUpperCase() : ch.toLowerCase();
            const wide =
              fullWidth && cased >= '!' && cased <= '~'
                ? String.fromCharCode(cased.charCodeAt(0) + 0xfee0)
                : cased;
            return /\p{L}/u.test(ch) ? wide + style.accent : wide;
          })
          .join(''),
      ),
    );
}

/** Text of every kind, including lone surrogates and messages longer than the 1,600-character cap. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', minLength: 1500, maxLength: 2000 }),
  fc
    .array(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      { maxLength: 100 },
    )
    .map((cs) => cs.join('')),
  fc
    .array(fc.constantFrom(...SPACES, ...OTHER, 'STOP', 'snooze', '3h', '?', '-', ':', 'ا', 'ש'), {
      maxLength: 40,
    })
    .map((p) => p.join('')),
);

describe('SMS command grammar (properties)', () => {
  it('never throws and always answers a known command kind, for any text', () => {
    const kinds = [
      'yes',
      'stop',
      'start',
      'help',
      'status',
      'snooze',
      'snoozeOff',
      'delete',
      'threshold',
      'quiet',
      'unknown',
    ];
    fc.assert(
      fc.property(anyText, (body) => {
        const command = parseSmsCommand(body);
        expect(kinds).toContain(command.kind);
        for (const word of words(body)) expect(word).toBe(word.toUpperCase());
      }),
      { numRuns: RUNS },
    );
  });

  it('case, accents and the punctuation or whitespace around a command word never change its meaning', () => {
    const arb = fc
      .constantFrom(...COMMAND_WORDS)
      .chain((word) => fc.tuple(fc.constant(word), leading, dressed(word), glued, decoration));
    fc.assert(
      fc.property(arb, ([word, before, shown, attached, after]) => {
        expect(parseSmsCommand(`${before}${shown}${attached}${after}`)).toEqual(parseSmsCommand(word));
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ['STOP-?', { kind: 'stop' }],
    ['stop:?', { kind: 'stop' }],
    ['¿Stop?', { kind: 'stop' }],
    ['?stop', { kind: 'stop' }],
    ['help-?', { kind: 'help' }],
    ['Snooze 2h?', { kind: 'snooze', spec: { kind: 'for', ms: 2 * 3600_000 } }],
    ['threshold 15?', { kind: 'threshold', value: 15 }],
    ['QUIET 22-7?', { kind: 'quiet', hours: { start: 22, end: 7 } }],
    [' ? ', { kind: 'help' }],
    ['??', { kind: 'help' }],
  ])('reads %j as %j (a question mark glued to a word is punctuation)', (body, expected) => {
    expect(parseSmsCommand(body)).toEqual(expected);
  });

  it('every opt-out word stops, however it is dressed and whatever follows it', () => {
    const optOut = fc.constantFrom(...OPT_OUT_WORDS, 'OPT OUT', 'opt out', 'Stop', 'stopp', 'SOTP', 'Arrêt');
    const arb = optOut.chain((word) =>
      fc.tuple(decoration, dressed(word), fc.option(fc.tuple(separator, anyText), { nil: undefined })),
    );
    fc.assert(
      fc.property(arb, ([before, shown, rest]) => {
        const body = `${before}${shown}${rest ? rest[0] + rest[1] : ''}`;
        expect(parseSmsCommand(body)).toEqual({ kind: 'stop' });
      }),
      { numRuns: RUNS },
    );
  });

  it('the first word decides, even in a 1,600-character message', () => {
    const arb = fc.tuple(
      fc.constantFrom('STATUS', 'HELP', 'DELETE', 'START', 'YES', 'RESUME'),
      separator,
      fc.string({ unit: 'binary', minLength: 1000, maxLength: 3000 }),
    );
    fc.assert(
      fc.property(arb, ([word, sep, tail]) => {
        expect(parseSmsCommand(`${word}${sep}${tail}`)).toEqual(parseSmsCommand(word));
      }),
      { numRuns: 100 },
    );
  });

  const numberish = fc.oneof(
    fc.integer({ min: -100, max: 200 }).map(String),
    fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
    fc.double().map(String),
    fc.constantFrom(
      '%',
      'AM',
      'PM',
      'TO',
      '-',
      ':',
      'OFF',
      'NOON',
      'MIDNIGHT',
      '10PM',
      '7:30AM',
      '22:00',
      '07:00',
      '24',
      '0',
    ),
    fc.string({ maxLength: 5 }),
  );

  it('a threshold, when one is understood, is a whole number from 5 to 50', () => {
    const arb = fc.tuple(
      fc.constantFrom('threshold', 'LIMIT', 'alert', 'alertat', 'thershold'),
      fc.array(numberish, { maxLength: 4 }),
    );
    fc.assert(
      fc.property(arb, ([word, rest]) => {
        const command = parseSmsCommand(`${word} ${rest.join(' ')}`);
        expect(command.kind).toBe('threshold');
        if (command.kind === 'threshold' && command.value !== undefined) {
          expect(Number.isInteger(command.value)).toBe(true);
          expect(command.value).toBeGreaterThanOrEqual(MIN_THRESHOLD);
          expect(command.value).toBeLessThanOrEqual(MAX_THRESHOLD);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reads any threshold from 5 to 50, written with or without % and decoration', () => {
    const arb = fc.tuple(
      fc.integer({ min: MIN_THRESHOLD, max: MAX_THRESHOLD }),
      fc.constantFrom('', '%', ' %', '% '),
      decoration,
      separator,
    );
    fc.assert(
      fc.property(arb, ([value, percent, after, sep]) => {
        expect(parseSmsCommand(`Threshold${sep}${value}${percent}${after}`)).toEqual({
          kind: 'threshold',
          value,
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('quiet hours, when understood, are whole hours from 0 to 23', () => {
    const arb = fc.tuple(
      fc.constantFrom('quiet', 'QUIETHOURS', 'night'),
      fc.array(numberish, { maxLength: 5 }),
    );
    fc.assert(
      fc.property(arb, ([word, rest]) => {
        const command = parseSmsCommand(`${word} ${rest.join(' ')}`);
        expect(command.kind).toBe('quiet');
        if (command.kind === 'quiet' && command.hours) {
          for (const hour of [command.hours.start, command.hours.end]) {
            expect(Number.isInteger(hour)).toBe(true);
            expect(hour).toBeGreaterThanOrEqual(0);
            expect(hour).toBeLessThanOrEqual(23);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('reads "QUIET a-b" in 24-hour and 12-hour forms as the same hours', () => {
    const twelve = (h: number) => `${h % 12 === 0 ? 12 : h % 12}${h < 12 ? 'am' : 'pm'}`;
    const arb = fc.tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 23 }),
      fc.constantFrom('-', ' - ', ' ', ' to ', '–'),
      fc.boolean(),
    );
    fc.assert(
      fc.property(arb, ([start, end, sep, useTwelve]) => {
        fc.pre(sep !== '–' || !useTwelve);
        const a = useTwelve ? twelve(start) : `${start}`;
        const b = useTwelve ? twelve(end) : `${String(end).padStart(2, '0')}:00`;
        const command = parseSmsCommand(`QUIET ${a}${sep}${b}`);
        expect(command).toEqual({ kind: 'quiet', hours: { start, end } });
      }),
      { numRuns: RUNS },
    );
  });
});
