/**
 * Properties of phone parsing and masking: total over any input, results always E.164 and stable
 * when parsed again, every way of writing a real mobile number reads the same, and a masked number
 * shows nothing but its first (country) digit and its last four.
 */
import fc from 'fast-check';
import { getCountries, parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import examples from 'libphonenumber-js/mobile/examples';
import { isE164, maskPhone, parseMobileNumber } from '../../src/domain/phone';
import { RUNS } from './arbitraries';

const COUNTRIES = getCountries();

const countryArb = fc.oneof(
  fc.constantFrom(...COUNTRIES),
  fc.string({ maxLength: 4 }),
  fc.constantFrom('', 'us', 'ZZ', 'XK', '001'),
);

/** A real, valid mobile number: a country's example with its last digits changed (kept if still valid). */
const mobileNumber = fc
  .record({
    country: fc.constantFrom(...COUNTRIES.filter((c) => examples[c] !== undefined)),
    tail: fc.integer({ min: 0, max: 9999 }),
  })
  .map(({ country, tail }) => {
    const example = examples[country] as string;
    const national = example.slice(0, -4) + String(tail).padStart(4, '0');
    const changed = parsePhoneNumberFromString(national, country);
    const number = changed?.isValid() ? changed : parsePhoneNumberFromString(example, country);
    if (!number) throw new Error(`no example for ${country}`);
    return { country, number };
  });

/** Strings shaped like phone numbers: digits with the separators people type. */
const phoneLike = fc
  .array(fc.constantFrom(...'0123456789', ' ', '-', '.', '(', ')', '+', '/', 'x', '#', '*', '\u00A0', '٣'), {
    maxLength: 80,
  })
  .map((chars) => chars.join(''));

const e164Arb = fc
  .tuple(
    fc.integer({ min: 1, max: 9 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 14 }),
  )
  .map(([first, rest]) => `+${first}${rest.join('')}`);

describe('phone numbers (properties)', () => {
  it('parseMobileNumber never throws on any value, and any ok result is E.164 that parses to itself', () => {
    const input = fc.oneof(
      fc.anything(),
      fc.string({ unit: 'binary', maxLength: 100 }),
      phoneLike,
      e164Arb,
      mobileNumber.map(({ number }) => number.formatInternational()),
    );
    fc.assert(
      fc.property(input, countryArb, countryArb, (value, country, otherCountry) => {
        const result = parseMobileNumber(value, country);
        if (!result.ok) {
          expect(['empty', 'invalid']).toContain(result.reason);
          return;
        }
        expect(isE164(result.e164)).toBe(true);
        expect(parseMobileNumber(result.e164, country)).toEqual(result);
        // E.164 carries its country: the default country no longer matters.
        expect(parseMobileNumber(result.e164, otherCountry)).toEqual(result);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads every usual way of writing a real mobile number as the same E.164', () => {
    fc.assert(
      fc.property(
        mobileNumber,
        countryArb,
        fc.constantFrom(' ', '  ', '\t', ''),
        ({ country, number }, other, pad) => {
          const e164 = number.number;
          expect(parseMobileNumber(`${pad}${number.formatNational()}${pad}`, country)).toEqual({
            ok: true,
            e164,
          });
          expect(parseMobileNumber(number.formatInternational(), other)).toEqual({ ok: true, e164 });
          expect(parseMobileNumber(e164, other)).toEqual({ ok: true, e164 });
          expect(parseMobileNumber(number.format('RFC3966'), other)).toEqual({ ok: true, e164 });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('says "empty" for blank input and anything that is not a string', () => {
    const blank = fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00A0', '\u3000'), { maxLength: 10 });
    fc.assert(
      fc.property(
        fc.oneof(
          blank.map((b) => b.join('')),
          fc.anything().filter((v) => typeof v !== 'string'),
        ),
        countryArb,
        (value, country) => {
          expect(parseMobileNumber(value, country)).toEqual({ ok: false, reason: 'empty' });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('maskPhone shows only the leading country digit and the last 4 digits of any E.164', () => {
    fc.assert(
      fc.property(e164Arb, (phone) => {
        const masked = maskPhone(phone);
        expect(masked).toHaveLength(phone.length);
        expect(masked.slice(0, 2)).toBe(phone.slice(0, 2));
        expect(masked.slice(-4)).toBe(phone.slice(-4));
        expect(masked.slice(2, -4)).toMatch(/^\*+$/);
        expect(masked.replace(/\D/g, '')).toBe(phone[1] + phone.slice(-4));
      }),
      { numRuns: RUNS },
    );
  });

  it('maskPhone of anything that is not E.164 reveals no digit at all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), phoneLike), (value) => {
        fc.pre(!isE164(value));
        expect(maskPhone(value)).toBe('[invalid number]');
      }),
      { numRuns: RUNS },
    );
  });
});
