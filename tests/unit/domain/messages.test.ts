import { gsm7Length, isGsm7, SINGLE_SEGMENT } from '../../../src/domain/gsm7';
import {
  type DeviceReading,
  describeLevel,
  displayName,
  fitList,
  MAX_DEVICE_NAME,
  MAX_TEXT,
  SERVICE_NAME,
  type StatusReading,
  texts,
} from '../../../src/domain/messages';

describe('displayName', () => {
  it('keeps an ordinary product name as it is', () => {
    expect(displayName('Pixel Watch 3')).toBe('Pixel Watch 3');
  });

  it('replaces characters outside GSM-7 with spaces and collapses runs of whitespace', () => {
    expect(displayName('  Charge™ 6 🔋  ')).toBe('Charge 6');
    expect(displayName('Sense\n\r\f2')).toBe('Sense 2');
    expect(displayName('Versa\t\t4')).toBe('Versa 4');
  });

  it('falls back to "Fitbit device" when nothing printable is left', () => {
    expect(displayName(undefined)).toBe('Fitbit device');
    expect(displayName('')).toBe('Fitbit device');
    expect(displayName('🔋⌚️')).toBe('Fitbit device');
    expect(displayName('   ')).toBe('Fitbit device');
  });

  it(`truncates names longer than ${MAX_DEVICE_NAME} characters with a full stop`, () => {
    const shown = displayName('Inspire 3 Special Edition Gold');
    expect(shown).toHaveLength(MAX_DEVICE_NAME);
    expect(shown).toBe('Inspire 3 Special E.');
  });

  it('keeps a name of exactly the maximum length untouched', () => {
    const name = 'A'.repeat(MAX_DEVICE_NAME);
    expect(displayName(name)).toBe(name);
  });

  it('does not leave a space before the truncation mark', () => {
    expect(displayName('abcdefghijklmnopqr stuvwxyz')).toBe('abcdefghijklmnopqr.');
  });

  it('always returns GSM-7 of at most the maximum length, whatever comes in', () => {
    const inputs = ['“Luxe” – ’23 edition 😀😀😀', '\u0000\u0001Ace\u202e3', 'ΑΒΓ abc δεζ', 'x'.repeat(500)];
    for (const input of inputs) {
      const shown = displayName(input);
      expect(isGsm7(shown)).toBe(true);
      expect(shown.length).toBeLessThanOrEqual(MAX_DEVICE_NAME);
      expect(shown).not.toMatch(/^\s|\s$|\s{2}/);
    }
  });
});

describe('describeLevel', () => {
  it.each([
    [{ name: 'a', level: 14 }, '14%'],
    [{ name: 'a', level: 14.6 }, '15%'],
    [{ name: 'a', level: -5 }, '0%'],
    [{ name: 'a', level: 140 }, '100%'],
    [{ name: 'a', level: Number.NaN, status: 'Low' }, 'low'],
    [{ name: 'a', status: 'EMPTY' }, 'empty'],
    [{ name: 'a', status: 'Medium' }, 'medium'],
    [{ name: 'a', status: 'Charging' }, 'unknown'],
    [{ name: 'a' }, 'unknown'],
  ] as Array<[DeviceReading, string]>)('describes %j as %s', (reading, expected) => {
    expect(describeLevel(reading)).toBe(expected);
  });
});

describe('fitList', () => {
  it('joins every item when they all fit', () => {
    expect(fitList('Devices: ', ['a', 'b', 'c'], '.')).toBe('Devices: a, b, c.');
  });

  it('adds "+N more" for the items that do not fit in one segment', () => {
    const items = Array.from({ length: 20 }, (_, i) => `Device number ${String(i).padStart(2, '0')}`);
    const text = fitList('On: ', items, '. End.');
    const shown = text.match(/Device number \d\d/g) ?? [];
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(items.length);
    expect(text).toContain(` +${items.length - shown.length} more. End.`);
    expect(gsm7Length(text)).toBeLessThanOrEqual(SINGLE_SEGMENT);
  });

  it('keeps items in the order given', () => {
    const items = Array.from({ length: 20 }, (_, i) => `Item ${String(i).padStart(3, '0')} xxxxxxxx`);
    const text = fitList('', items, '');
    const shown = text.match(/Item \d{3}/g) ?? [];
    expect(shown).toEqual(items.slice(0, shown.length).map((i) => i.slice(0, 8)));
  });

  it('says only "+N more" when not even the first item fits', () => {
    expect(fitList('P ', ['x'.repeat(200), 'y'], ' S')).toBe('P +2 more S');
  });

  it('returns prefix and suffix for an empty list', () => {
    expect(fitList('P', [], 'S')).toBe('PS');
  });

  it('stops at the first item that does not fit rather than skipping to smaller ones', () => {
    const text = fitList('', ['a'.repeat(100), 'b'.repeat(100), 'c'], '');
    expect(text).toBe(`${'a'.repeat(100)} +2 more`);
  });
});

const longestName = 'W'.repeat(MAX_DEVICE_NAME);
const NOW = Date.parse('2026-11-23T12:00:00Z');
const manyDevices = (n: number, extra: Partial<StatusReading> = {}): StatusReading[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `${'W'.repeat(MAX_DEVICE_NAME - 2)}${String(i).padStart(2, '0')}`,
    level: 100,
    ...extra,
  }));
/** A deployed sign-up URL of about 60 characters. */
const longSignupUrl = 'https://fitbit-battery-sms-prod.example-domain-name.org/join/';
/** The longest IANA zone name Intl knows. */
const longestZone = Intl.supportedValuesOf('timeZone').reduce((a, b) => (b.length > a.length ? b : a));

/**
 * The worst realistic arguments for every template. Typed over `keyof typeof texts`, so a new
 * template does not compile until it is listed here, and the loop below checks them all.
 */
const worstCases: { [K in keyof typeof texts]: Array<Parameters<(typeof texts)[K]>> } = {
  confirm: [['0000'], ['9999']],
  confirmTakeover: [['0000'], ['9999']],
  yesNeedsCode: [[]],
  yesWrongCode: [[]],
  intro: [
    [[], longestZone],
    [[{ name: longestName, level: 100 }], longestZone],
    [manyDevices(2), longestZone],
    [manyDevices(3), longestZone],
    [manyDevices(4), longestZone],
    [manyDevices(30), longestZone],
    [manyDevices(30, { level: undefined, status: 'Medium' }), longestZone],
    [manyDevices(30, { level: undefined, status: 'unexpected' }), longestZone],
    [
      [
        { name: '€'.repeat(40), level: 100 },
        { name: '{[|]}'.repeat(10), level: 100 },
      ],
      longestZone,
    ],
    [[{ name: '😀 “Luxe” ’23 ™ edition with a very long name', level: 100 }], longestZone],
  ],
  alreadyActive: [[]],
  help: [[]],
  pendingHint: [[]],
  notSubscribed: [[longSignupUrl], ['https://x.test/']],
  low: [
    [{ name: longestName, level: 100 }, 24 * 999],
    [{ name: longestName, level: 5 }, 47.4],
    [{ name: longestName, status: 'medium' }, 0.5],
    [{ name: '€'.repeat(40), level: 100 }, 24 * 999],
    [{ name: longestName, level: 100 }],
  ],
  empty: [[{ name: longestName, status: 'Empty' }], [{ name: '{[|]}'.repeat(10) }]],
  stale: [
    [{ name: longestName, level: 100 }, 5000],
    [{ name: '€'.repeat(40), level: 3 }, 998.9],
  ],
  needsReauth: [[longSignupUrl], ['https://x.test/']],
  accountUnlinked: [[longSignupUrl], ['https://x.test/']],
  accessEnding: [
    [1, longSignupUrl],
    [3, longSignupUrl],
    [99, 'https://x.test/'],
  ],
  stopped: [[]],
  resumed: [[]],
  introUnavailable: [[longestZone], ['UTC']],
  hint: [[]],
  status: [
    [[], NOW, longestZone],
    [[{ name: longestName, level: 100, lastSyncTime: '2020-01-01T00:00:00Z' }], NOW, longestZone],
    [manyDevices(6, { lastSyncTime: new Date(NOW - 47 * 3600_000).toISOString() }), NOW, longestZone],
    [
      manyDevices(30, { level: undefined, status: 'Medium', lastSyncTime: '2026-11-23T11:59:00Z' }),
      NOW,
      longestZone,
    ],
  ],
  statusStale: [
    [[], NOW],
    [manyDevices(6, { lastSyncTime: '1999-01-01T00:00:00Z' }), NOW],
    [[{ name: '€'.repeat(40), level: 5, lastSyncTime: 'not a date' }], NOW],
  ],
  snoozed: [['Wed 12:45 PM'], ['Wed 8:00 AM']],
  snoozeInvalid: [[]],
  snoozeOff: [[]],
  thresholdSet: [[50], [5]],
  thresholdInvalid: [[]],
  quietSet: [
    [22, 7],
    [23, 23],
  ],
  quietOff: [[]],
  quietInvalid: [[]],
  stoppedHint: [[]],
  deleted: [[longSignupUrl], ['https://x.test/']],
};

describe('texts', () => {
  it('is checked with a sign-up URL of about 60 characters', () => {
    expect(longSignupUrl.length).toBeGreaterThanOrEqual(60);
  });

  it('has worst-case arguments listed for every template', () => {
    expect(Object.keys(worstCases).sort()).toEqual(Object.keys(texts).sort());
  });

  it.each(Object.keys(texts))('renders %s in one GSM-7 segment with the longest realistic values', (key) => {
    const template = texts[key as keyof typeof texts] as (...args: unknown[]) => string;
    const cases = worstCases[key as keyof typeof worstCases] as unknown[][] | undefined;
    expect(cases?.length).toBeGreaterThan(0);
    for (const args of cases ?? []) {
      const text = template(...args);
      expect(isGsm7(text)).toBe(true);
      expect(gsm7Length(text)).toBeLessThanOrEqual(MAX_TEXT);
    }
  });

  it('lists every device with its level when a few are paired', () => {
    const text = texts.intro(
      [
        { name: 'Charge 6', level: 80 },
        { name: 'Aria Air', status: 'Low' },
      ],
      'Europe/Paris',
    );
    expect(text).toBe(
      `${SERVICE_NAME} is on. Charge 6: 80%, Aria Air: low. We text when one runs low. Quiet hours: Europe/Paris time. Reply STATUS, HELP or STOP.`,
    );
  });

  it('summarises the devices that do not fit as "+N more"', () => {
    const text = texts.intro(manyDevices(30), 'UTC');
    const shown = (text.match(/W{18}\d\d: 100%/g) ?? []).length;
    expect(shown).toBeGreaterThan(0);
    expect(text).toContain(`+${30 - shown} more.`);
  });

  it('says no devices were found when the account has none', () => {
    expect(texts.intro([], 'Asia/Kolkata')).toContain('No Fitbit devices found');
  });

  it('says which zone quiet hours follow in the introduction and in STATUS', () => {
    expect(texts.intro([], 'Asia/Kolkata')).toContain('Quiet hours: Asia/Kolkata time.');
    expect(texts.introUnavailable('Asia/Kolkata')).toContain('Quiet hours: Asia/Kolkata time.');
    expect(texts.status([{ name: 'Charge 6', level: 50 }], NOW, 'Pacific/Chatham')).toContain(
      'Quiet hours: Pacific/Chatham time.',
    );
    expect(texts.status([], NOW, 'Pacific/Chatham')).toContain('Quiet hours: Pacific/Chatham time.');
  });

  it('quotes the sign-up URL in the not-subscribed reply', () => {
    expect(texts.notSubscribed(longSignupUrl)).toContain(` ${longSignupUrl} `);
  });

  it('tells people how to opt out in every text that starts or restarts messages', () => {
    for (const text of [texts.confirm('1234'), texts.intro([], 'UTC'), texts.resumed(), texts.help()]) {
      expect(text).toMatch(/STOP/);
    }
  });
});
