import { OPT_OUT_WORDS, parseSmsCommand, type SmsCommand, words } from '../../../src/domain/sms-command';

type Kind = SmsCommand['kind'];

const rows: Array<[string, Kind]> = [
  // yes
  ['YES', 'yes'],
  [' yes! ', 'yes'],
  ['YES.', 'yes'],
  ['y', 'yes'],
  ['Y.', 'yes'],
  ['Yeah', 'yes'],
  ['yep', 'yes'],
  ['yup!!', 'yes'],
  ['ok', 'yes'],
  ['Okay', 'yes'],
  ['confirm', 'yes'],
  ['Yes please', 'yes'],
  ['yes?', 'yes'],
  ['Yes 👍', 'yes'],
  ['Ｙｅｓ', 'yes'],
  ['\u202eyes', 'yes'],
  // stop and every opt-out word
  ['STOP', 'stop'],
  ['stop', 'stop'],
  ['Stop.', 'stop'],
  ['STOP please', 'stop'],
  ['stop?', 'stop'],
  ['-stop-', 'stop'],
  ['🛑 STOP', 'stop'],
  ['ＳＴＯＰ', 'stop'],
  ['\u0000STOP\u0007', 'stop'],
  ['stop yes', 'stop'],
  ['opt out', 'stop'],
  ['Opt   Out!', 'stop'],
  ['opt-out', 'stop'],
  ['OPTOUT', 'stop'],
  ['stopall', 'stop'],
  ['Stop all', 'stop'],
  ['cancel', 'stop'],
  ['End', 'stop'],
  ['quit', 'stop'],
  ['remove', 'stop'],
  ['unsubscribe', 'stop'],
  ['arret', 'stop'],
  ['TD', 'stop'],
  ['revoke', 'stop'],
  // start
  ['START', 'start'],
  ['start.', 'start'],
  ['unstop', 'start'],
  ['Resume', 'snoozeOff'],
  // help
  ['HELP', 'help'],
  ['help?', 'help'],
  ['Info', 'help'],
  ['?', 'help'],
  ['???', 'help'],
  [' ? ', 'help'],
  // unknown
  ['', 'unknown'],
  ['   ', 'unknown'],
  ['\n\t\r', 'unknown'],
  ['👍', 'unknown'],
  ['🔋🔋🔋', 'unknown'],
  ['no', 'unknown'],
  ['yess', 'unknown'],
  ['stopp', 'stop'],
  ['opt', 'unknown'],
  ['opt in', 'unknown'],
  ['STATUS', 'status'],
  ['نعم', 'unknown'],
  ['\u200fלא', 'unknown'],
  ['...', 'unknown'],
  ['\u0000\u0001\u0002', 'unknown'],
  ['a'.repeat(1600), 'unknown'],
  [`YES ${'x'.repeat(1596)}`, 'yes'],
  [`${'STOP '.repeat(320)}`, 'stop'],
];

describe('parseSmsCommand', () => {
  it('has a table of at least 40 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(40);
  });

  it.each(rows.map(([body, kind]) => [JSON.stringify(body).slice(0, 40), body, kind] as const))(
    'reads %s as %s',
    (_label, body, kind) => {
      expect(parseSmsCommand(body)).toEqual({ kind: expect.any(String) });
      expect(parseSmsCommand(body).kind).toBe(kind);
    },
  );

  it.each([...OPT_OUT_WORDS])('treats the opt-out word %s as stop in any case', (word) => {
    expect(parseSmsCommand(word).kind).toBe('stop');
    expect(parseSmsCommand(word.toLowerCase()).kind).toBe('stop');
    expect(parseSmsCommand(` ${word}. `).kind).toBe('stop');
  });

  it('lets the first word decide', () => {
    expect(parseSmsCommand('help stop').kind).toBe('help');
    expect(parseSmsCommand('stop help').kind).toBe('stop');
  });
});

describe('words', () => {
  it('upper-cases, splits on punctuation and keeps inner hyphens and question marks', () => {
    expect(words(' opt-out, now?! ')).toEqual(['OPT-OUT', 'NOW?']);
  });

  it('returns nothing for text without letters or digits', () => {
    expect(words('!!! 🙂 ...')).toEqual([]);
  });
});
