/**
 * GSM-7 accounting: a text that stays inside the GSM 03.38 alphabet costs one segment per 160
 * characters; one character outside it (an emoji, a curly quote) switches the text to UCS-2.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENDED = '^{}\\[~]|€\f';
const basic = new Set(BASIC);
const extended = new Set(EXTENDED);

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/** Length in GSM-7 septets (extended characters take two); Infinity when the text is not GSM-7. */
export function gsm7Length(text: string): number {
  let n = 0;
  for (const ch of text) {
    if (basic.has(ch)) n += 1;
    else if (extended.has(ch)) n += 2;
    else return Number.POSITIVE_INFINITY;
  }
  return n;
}

export const SINGLE_SEGMENT = 160;

export function fitsOneSegment(text: string): boolean {
  return gsm7Length(text) <= SINGLE_SEGMENT;
}
