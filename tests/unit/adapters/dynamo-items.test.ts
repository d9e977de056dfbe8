/** Stored items to domain types and back: units converted, older items accepted, malformed ones refused. */
import {
  phoneAttributes,
  readPhone,
  readSignup,
  readSubscriber,
  signupAttributes,
  subscriberAttributes,
} from '../../../src/adapters/dynamo-items';
import { UnreadableRecordError } from '../../../src/domain/errors';
import { aSubscriber, PHONE, T0 } from '../../support/fakes';

describe('dynamo items', () => {
  it('stores a subscriber expiry as epoch seconds, rounded up, and reads it back in ms', () => {
    const stored = subscriberAttributes(aSubscriber({ expiresAtMs: T0 + 1 }));

    expect(stored).toMatchObject({ expiresAt: T0 / 1000 + 1, ttl: T0 / 1000 + 1 });
    expect(stored).not.toHaveProperty('expiresAtMs');
    expect(readSubscriber({ pk: 'SUB#x', kind: 'subscriber', dueShard: 'DUE#1', ...stored })).toEqual(
      aSubscriber({ expiresAtMs: T0 + 1000 }),
    );
  });

  it('leaves the table attributes (pk, kind, ttl, dueShard) and unknown old ones out of the domain record', () => {
    const read = readSubscriber({
      pk: 'SUB#google#USER1',
      kind: 'subscriber',
      dueShard: 'DUE#3',
      retiredField: 'from an older release',
      ...subscriberAttributes(aSubscriber()),
    });

    expect(read).toEqual(aSubscriber());
  });

  it('converts pending claims between epoch seconds (stored) and ms (domain)', () => {
    const record = {
      phone: PHONE,
      version: 2,
      pending: { 'google#A': { code: '1234', expiresAtMs: T0 + 60_000 } },
    };

    const stored = phoneAttributes(record, T0 + 60_000);

    expect(stored).toEqual({
      phone: PHONE,
      version: 2,
      pending: { 'google#A': { code: '1234', expiresAt: (T0 + 60_000) / 1000 } },
      ttl: (T0 + 60_000) / 1000,
    });
    expect(readPhone({ pk: `PHONE#${PHONE}`, kind: 'phone', ...stored })).toEqual(record);
  });

  it('reads a phone item from before the optimistic lock as version 0', () => {
    expect(
      readPhone({ pk: `PHONE#${PHONE}`, kind: 'phone', phone: PHONE, ownerId: 'google#A', pendingId: 'x' }),
    ).toEqual({
      phone: PHONE,
      ownerId: 'google#A',
      version: 0,
    });
  });

  it('keeps a sign-up state expiry in ms both ways, with a TTL in seconds', () => {
    const signup = {
      state: 's',
      codeVerifier: 'v',
      phone: PHONE,
      browserBinding: 'b',
      expiresAtMs: T0 + 500,
    };

    const stored = signupAttributes(signup);

    expect(stored).toEqual({
      state: 's',
      codeVerifier: 'v',
      phone: PHONE,
      browserBinding: 'b',
      expiresAt: T0 + 500,
      ttl: T0 / 1000 + 1,
    });
    expect(readSignup(stored)).toEqual(signup);
  });

  it('refuses a malformed item naming its kind and the paths at fault, not the values', () => {
    const { tokens, ...rest } = aSubscriber();
    const read = () =>
      readSubscriber({ ...rest, tokens: { ...tokens, refreshToken: 42 }, threshold: 'twenty' });

    expect(read).toThrow(UnreadableRecordError);
    expect(read).toThrow(
      /^stored subscriber record is malformed \(tokens\.refreshToken: invalid_type; threshold: invalid_type\)$/,
    );
    expect(() => readPhone({ phone: PHONE, pending: { a: { code: '1' } } })).toThrow(
      /stored phone record is malformed \(pending\.a\.expiresAt: invalid_type\)/,
    );
    expect(() => readSignup({})).toThrow(/stored signup record is malformed/);
  });
});
