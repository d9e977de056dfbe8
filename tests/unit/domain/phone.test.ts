import { isE164, maskPhone, parseMobileNumber } from '../../../src/domain/phone';

describe('parseMobileNumber', () => {
  it.each([
    ['2015550123', '+12015550123'],
    ['(201) 555-0123', '+12015550123'],
    ['201.555.0123', '+12015550123'],
    ['1-201-555-0123', '+12015550123'],
    ['  +1 (201) 555-0123  ', '+12015550123'],
    ['+1 415 555 2671', '+14155552671'],
  ])('reads the US national or international format %j as %s', (input, e164) => {
    expect(parseMobileNumber(input, 'US')).toEqual({ ok: true, e164 });
  });

  it.each([
    ['+44 7911 123456', 'US'],
    ['+447911123456', 'US'],
    ['+44 (0)7911 123456', 'US'],
    ['07911 123456', 'GB'],
  ])('reads the UK mobile %j (default country %s) as +447911123456', (input, country) => {
    expect(parseMobileNumber(input, country)).toEqual({ ok: true, e164: '+447911123456' });
  });

  it('uses the default country for national numbers only', () => {
    expect(parseMobileNumber('(201) 555-0123', 'GB')).toEqual({ ok: false, reason: 'invalid' });
    expect(parseMobileNumber('+1 201 555 0123', 'GB')).toEqual({ ok: true, e164: '+12015550123' });
  });

  it.each([
    ['a UK landline', '+44 20 7946 0018'],
    ['a US toll-free number', '+1 800 555 0123'],
    ['a 7-digit local number', '555-0123'],
    ['too few digits', '12345'],
    ['one digit too many', '+1 201 555 01234'],
    ['letters', 'call me maybe'],
    ['script', '<script>alert(1)</script>'],
  ])('rejects %s as invalid', (_what, input) => {
    expect(parseMobileNumber(input, 'US')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('rejects input longer than 64 characters even when it starts with a valid number', () => {
    expect(parseMobileNumber(`+12015550123${' '.repeat(60)}x`, 'US')).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it.each([
    ['an empty string', ''],
    ['whitespace only', '   \t '],
    ['undefined', undefined],
    ['null', null],
    ['a number', 2015550123],
    ['an array', ['+12015550123']],
    ['an object', { phone: '+12015550123' }],
  ])('reports %s as empty', (_what, input) => {
    expect(parseMobileNumber(input, 'US')).toEqual({ ok: false, reason: 'empty' });
  });

  it('does not throw on an unknown default country', () => {
    expect(parseMobileNumber('2015550123', 'ZZ').ok).toBe(false);
    expect(parseMobileNumber('+12015550123', 'ZZ')).toEqual({ ok: true, e164: '+12015550123' });
  });
});

describe('isE164', () => {
  it.each(['+12015550123', '+447911123456', '+1234567', '+123456789012345'])('accepts %s', (value) => {
    expect(isE164(value)).toBe(true);
  });

  it.each([
    '12015550123',
    '+02015550123',
    '+1 201 555 0123',
    '+123456',
    '+1234567890123456',
    '+1201555012a',
    '',
    ' +12015550123',
    '+12015550123\n',
  ])('rejects %j', (value) => {
    expect(isE164(value)).toBe(false);
  });

  it.each([undefined, null, 12015550123, {}])('rejects the non-string %p', (value) => {
    expect(isE164(value)).toBe(false);
  });
});

describe('maskPhone', () => {
  it.each(['+12015550123', '+447911123456', '+4915123456789', '+1234567', '+123456789012345'])(
    'shows only the leading country digit and the last 4 digits of %s',
    (phone) => {
      const masked = maskPhone(phone);
      expect(masked).toHaveLength(phone.length);
      expect(masked.endsWith(phone.slice(-4))).toBe(true);
      expect(masked.replace(/\D/g, '')).toBe(`${phone[1]}${phone.slice(-4)}`);
      expect(masked.slice(2, -4)).toMatch(/^\*+$/);
    },
  );

  it('masks +12015550123 as +1******0123', () => {
    expect(maskPhone('+12015550123')).toBe('+1******0123');
  });

  it.each(['2015550123', '(201) 555-0123', 'not a number', ''])(
    'does not echo the malformed value %j',
    (value) => {
      expect(maskPhone(value)).toBe('[invalid number]');
    },
  );
});
