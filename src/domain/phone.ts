/**
 * Phone numbers: parsing what people type into E.164, and masking numbers for logs. Parsing is
 * libphonenumber-js with mobile-only metadata, so landlines and nonsense are rejected.
 */
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/mobile';

export type PhoneParseResult = { ok: true; e164: string } | { ok: false; reason: 'empty' | 'invalid' };

const MAX_INPUT_LENGTH = 64;

export function parseMobileNumber(input: unknown, defaultCountry: string): PhoneParseResult {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, reason: 'empty' };
  if (input.length > MAX_INPUT_LENGTH) return { ok: false, reason: 'invalid' };
  try {
    const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry as CountryCode);
    if (!parsed?.isValid()) return { ok: false, reason: 'invalid' };
    return { ok: true, e164: parsed.number };
  } catch {
    return { ok: false, reason: 'invalid' };
  }
}

/** The ISO country of an E.164 number (+1 numbers resolve to US, CA, ... by area code). */
export function countryOf(e164: string): string | undefined {
  try {
    return parsePhoneNumberFromString(e164)?.country;
  } catch {
    return undefined;
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

/** `+12015550123` -> `+1******0123`: enough to tell numbers apart in logs, not enough to dial. */
export function maskPhone(phone: string): string {
  if (!isE164(phone)) return '[invalid number]';
  return `${phone.slice(0, 2)}${'*'.repeat(phone.length - 6)}${phone.slice(-4)}`;
}
