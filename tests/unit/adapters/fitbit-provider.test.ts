import {
  FITBIT_SCOPES,
  FitbitProvider,
  fitbitErrorCode,
  localToUtcMillis,
} from '../../../src/adapters/fitbit-provider';
import { OAuthClient } from '../../../src/adapters/oauth-client';
import { MalformedResponseError, ProviderRetiredError, TokenRejectedError } from '../../../src/domain/errors';
import { FakeFetch, jsonReply } from '../../support/fakes';

const AUTH = 'https://www.fitbit.example.test/oauth2/authorize';
const API = 'https://api.fitbit.example.test';
const PROFILE = '/1/user/-/profile.json';
const DEVICES = '/1/user/-/devices.json';
const EST = -5 * 3600 * 1000;

function makeProvider(fake: FakeFetch) {
  const oauth = new OAuthClient({
    authorizationEndpoint: AUTH,
    tokenEndpoint: `${API}/oauth2/token`,
    revocationEndpoint: `${API}/oauth2/revoke`,
    clientId: 'TESTCLIENT',
    clientSecret: 'notarealsecret',
    clientAuth: 'basic',
    timeoutMs: 2000,
    errorCode: fitbitErrorCode,
    fetch: fake.fetch,
  });
  return new FitbitProvider({
    oauth,
    authorizationEndpoint: AUTH,
    apiBaseUrl: API,
    timeoutMs: 2000,
    fetch: fake.fetch,
  });
}

const profile = (user: Record<string, unknown> = {}) =>
  jsonReply(200, {
    user: { encodedId: 'ABC123', timezone: 'America/New_York', offsetFromUTCMillis: EST, ...user },
  });

describe('FitbitProvider', () => {
  it('asks for the settings and profile scopes with an S256 challenge', async () => {
    const start = await makeProvider(new FakeFetch()).startAuthorization(
      'https://signup.example.test/oauth/callback',
    );

    const q = new URL(start.url).searchParams;
    expect(q.get('scope')).toBe('settings profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(FITBIT_SCOPES).toEqual(['settings', 'profile']);
  });

  it.each([
    ['settings profile', true],
    ['profile activity settings', true],
    ['profile', false],
    ['', false],
  ])('decides whether %j covers what the service reads (%s)', (scope, expected) => {
    expect(makeProvider(new FakeFetch()).hasRequiredScope(scope)).toBe(expected);
  });

  it('reads the user id and time zone from the profile', async () => {
    const fake = new FakeFetch().on(PROFILE, profile());

    expect(await makeProvider(fake).getProfile('test-access-1')).toEqual({
      userId: 'ABC123',
      timeZone: 'America/New_York',
    });
    expect(fake.requests[0]?.headers.get('authorization')).toBe('Bearer test-access-1');
  });

  it("converts each device's local sync time to UTC with the profile's offset", async () => {
    const fake = new FakeFetch().on(PROFILE, profile()).on(
      DEVICES,
      jsonReply(200, [
        {
          id: '123',
          deviceVersion: 'Charge 6',
          type: 'TRACKER',
          battery: 'Low',
          batteryLevel: 14,
          lastSyncTime: '2026-11-23T07:00:00.000',
        },
        { id: 456, deviceVersion: 'Aria Air', type: 'SCALE', battery: 'High', lastSyncTime: 'yesterday' },
      ]),
    );

    const devices = await makeProvider(fake).listDevices('t');

    expect(devices).toEqual([
      {
        id: '123',
        name: 'Charge 6',
        type: 'TRACKER',
        batteryStatus: 'Low',
        batteryLevel: 14,
        lastSyncTime: '2026-11-23T12:00:00.000Z',
      },
      { id: '456', name: 'Aria Air', type: 'SCALE', batteryStatus: 'High' },
    ]);
  });

  it('treats a missing offset as UTC', async () => {
    const fake = new FakeFetch()
      .on(PROFILE, profile({ offsetFromUTCMillis: undefined }))
      .on(
        DEVICES,
        jsonReply(200, [{ id: '1', deviceVersion: 'Inspire 3', lastSyncTime: '2026-11-23T07:00:00' }]),
      );

    const [device] = await makeProvider(fake).listDevices('t');

    expect(device?.lastSyncTime).toBe('2026-11-23T07:00:00.000Z');
  });

  it('reports the retired API (HTTP 410) as ProviderRetiredError', async () => {
    const fake = new FakeFetch().on(PROFILE, jsonReply(410, {})).on(DEVICES, jsonReply(410, {}));

    await expect(makeProvider(fake).listDevices('t')).rejects.toBeInstanceOf(ProviderRetiredError);
  });

  it('maps a rejected token to TokenRejectedError', async () => {
    const fake = new FakeFetch()
      .on(PROFILE, jsonReply(401, { errors: [{ errorType: 'expired_token' }] }))
      .on(DEVICES, jsonReply(401, { errors: [{ errorType: 'expired_token' }] }));

    await expect(makeProvider(fake).getProfile('t')).rejects.toBeInstanceOf(TokenRejectedError);
  });

  it('rejects a devices answer that is not a list', async () => {
    const fake = new FakeFetch().on(PROFILE, profile()).on(DEVICES, jsonReply(200, { devices: [] }));

    await expect(makeProvider(fake).listDevices('t')).rejects.toBeInstanceOf(MalformedResponseError);
  });
});

describe('localToUtcMillis', () => {
  it.each([
    ['2026-11-23T07:00:00.000', EST, Date.parse('2026-11-23T12:00:00Z')],
    ['2026-11-23T07:00:00', EST, Date.parse('2026-11-23T12:00:00Z')],
    ['2026-11-23T07:00', 0, Date.parse('2026-11-23T07:00:00Z')],
    ['2026-11-23T23:30:00.000', 5.5 * 3600 * 1000, Date.parse('2026-11-23T18:00:00Z')],
    ['2026-11-23T01:00:00.000', -10 * 3600 * 1000, Date.parse('2026-11-23T11:00:00Z')],
  ])('reads local %s at offset %d ms as UTC', (local, offset, expected) => {
    expect(localToUtcMillis(local, offset)).toBe(expected);
  });

  it.each([
    ['2026-11-23T07:00:00Z'],
    ['2026-11-23T07:00:00+01:00'],
    ['2026-11-23'],
    ['2026-13-45T99:99:00'],
    [''],
    [null],
    [12345],
  ])('returns undefined for %p', (local) => {
    expect(localToUtcMillis(local, EST)).toBeUndefined();
  });
});

describe('fitbitErrorCode', () => {
  it.each([
    [{ errors: [{ errorType: 'invalid_grant' }], success: false }, 'invalid_grant'],
    [{ errors: [] }, undefined],
    [{ errors: [{ errorType: 7 }] }, undefined],
    [{ error: 'invalid_grant' }, undefined],
    [undefined, undefined],
  ])('reads %j as %p', (body, expected) => {
    expect(fitbitErrorCode(body)).toBe(expected);
  });
});
