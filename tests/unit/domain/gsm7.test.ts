import { fitsOneSegment, gsm7Length, isGsm7, SINGLE_SEGMENT } from '../../../src/domain/gsm7';

describe('isGsm7', () => {
  it.each([
    ['plain ASCII text', 'Charge 6 battery low: 14%. Reply STOP.'],
    ['the basic set accents', 'èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà'],
    ['Greek capitals in the basic set', 'ΔΦΓΛΩΠΨΣΘΞ'],
    ['the extension table', '^{}\\[~]|€'],
    ['newlines', 'line one\nline two\r'],
    ['an empty string', ''],
  ])('accepts %s', (_what, text) => {
    expect(isGsm7(text)).toBe(true);
  });

  it.each([
    ['an emoji', 'Low battery 🔋'],
    ['a curly apostrophe', 'It’s low'],
    ['curly quotes', '“Charge 6”'],
    ['an en dash', 'Charge 6 – low'],
    ['a lower-case Greek letter', 'α'],
    ['CJK', '充電'],
    ['a tab', 'a\tb'],
    ['a non-breaking space', 'a\u00a0b'],
  ])('rejects %s', (_what, text) => {
    expect(isGsm7(text)).toBe(false);
  });
});

describe('gsm7Length', () => {
  it('counts one septet per basic character', () => {
    expect(gsm7Length('Hello, World!')).toBe(13);
  });

  it.each(['^', '{', '}', '\\', '[', '~', ']', '|', '€'])('counts the extended character %j as 2', (ch) => {
    expect(gsm7Length(`a${ch}b`)).toBe(4);
  });

  it('returns Infinity as soon as one character is outside GSM-7', () => {
    expect(gsm7Length('OK 👍')).toBe(Number.POSITIVE_INFINITY);
    expect(gsm7Length('’')).toBe(Number.POSITIVE_INFINITY);
  });

  it('returns 0 for an empty string', () => {
    expect(gsm7Length('')).toBe(0);
  });
});

describe('fitsOneSegment', () => {
  it('accepts exactly 160 basic characters and rejects 161', () => {
    expect(SINGLE_SEGMENT).toBe(160);
    expect(fitsOneSegment('a'.repeat(160))).toBe(true);
    expect(fitsOneSegment('a'.repeat(161))).toBe(false);
  });

  it('counts extended characters double against the limit', () => {
    expect(fitsOneSegment(`${'a'.repeat(158)}€`)).toBe(true);
    expect(fitsOneSegment(`${'a'.repeat(159)}€`)).toBe(false);
  });

  it('rejects a short text that would switch to UCS-2', () => {
    expect(fitsOneSegment('Hi 😀')).toBe(false);
  });
});
