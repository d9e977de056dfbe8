import {
  GOOGLE_HEALTH_SCOPE,
  GoogleHealthProvider,
  googleErrorCode,
} from '../../../src/adapters/google-health-provider';
import { retryAfterSeconds } from '../../../src/adapters/http';
import { OAuthClient } from '../../../src/adapters/oauth-client';
import {
  AccountNotLinkedError,
  MalformedResponseError,
  ProviderRefusedError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
  TokenRejectedError,
} from '../../../src/domain/errors';
import { FakeFetch, hang, jsonReply, networkError, T0, textReply } from '../../support/fakes';

const AUTH = 'https://accounts.example.test/o/oauth2/v2/auth';
const API = 'https://health.example.test';
const DEVICES = '/v4/users/me/pairedDevices';

function makeProvider(fake: FakeFetch, timeoutMs = 2000) {
  const oauth = new OAuthClient({
    authorizationEndpoint: AUTH,
    tokenEndpoint: 'https://oauth.example.test/token',
    revocationEndpoint: 'https://oauth.example.test/revoke',
    clientId: 'test-client-id',
    clientSecret: 'not-a-real-secret',
    clientAuth: 'post',
    timeoutMs,
    errorCode: googleErrorCode,
    fetch: fake.fetch,
  });
  return new GoogleHealthProvider({
    oauth,
    authorizationEndpoint: AUTH,
    apiBaseUrl: API,
    timeoutMs,
    fetch: fake.fetch,
  });
}

const device = (n: number, extra: Record<string, unknown> = {}) => ({
  name: `users/me/pairedDevices/dev-${n}`,
  deviceVersion: `Charge ${n}`,
  deviceType: 'TRACKER',
  batteryStatus: 'HIGH',
  batteryLevel: 90,
  lastSyncTime: '2026-11-23T11:00:00Z',
  ...extra,
});

describe('GoogleHealthProvider', () => {
  it('asks for offline access to the health settings scope with an S256 challenge', async () => {
    const provider = makeProvider(new FakeFetch());

    const start = await provider.startAuthorization('https://signup.example.test/oauth/callback');

    const q = new URL(start.url).searchParams;
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('scope')).toBe(GOOGLE_HEALTH_SCOPE);
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(provider.authorizationOrigin).toBe('https://accounts.example.test');
  });

  it.each([
    [GOOGLE_HEALTH_SCOPE, true],
    [`openid ${GOOGLE_HEALTH_SCOPE} email`, true],
    ['openid email', false],
    [`${GOOGLE_HEALTH_SCOPE}.extra`, false],
    ['', false],
  ])('decides whether %j covers what the service reads (%s)', (scope, expected) => {
    expect(makeProvider(new FakeFetch()).hasRequiredScope(scope)).toBe(expected);
  });

  it('reads the user id and time zone', async () => {
    const fake = new FakeFetch()
      .on('/v4/users/me/identity', jsonReply(200, { healthUserId: 'ABC-123' }))
      .on('/v4/users/me/settings', jsonReply(200, { timeZone: 'Europe/Paris' }));

    const profile = await makeProvider(fake).getProfile('test-access-1');

    expect(profile).toEqual({ userId: 'ABC-123', timeZone: 'Europe/Paris' });
    expect(fake.requests.every((r) => r.headers.get('authorization') === 'Bearer test-access-1')).toBe(true);
  });

  it('reports no time zone (never a made-up UTC) when the settings have none', async () => {
    const fake = new FakeFetch()
      .on('/v4/users/me/identity', jsonReply(200, { name: 'users/me/identity', healthUserId: 'ABC-123' }))
      .on('/v4/users/me/settings', jsonReply(200, { name: 'users/me/settings' }));

    expect((await makeProvider(fake).getProfile('t')).timeZone).toBeUndefined();
  });

  it('reads the time zone alone from users/me/settings', async () => {
    const fake = new FakeFetch().on(
      '/v4/users/me/settings',
      jsonReply(200, { name: 'users/me/settings', timeZone: 'Asia/Kathmandu', utcOffset: '20700s' }),
    );

    expect(await makeProvider(fake).getTimeZone('t')).toBe('Asia/Kathmandu');
    expect(fake.requests.map((r) => r.url.pathname)).toEqual(['/v4/users/me/settings']);
  });

  const googleError = (code: number, status: string, message: string, reason?: string) => ({
    error: {
      code,
      message,
      status,
      details: reason
        ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'health.googleapis.com' }]
        : [],
    },
  });

  it.each([
    ['identity', '/v4/users/me/identity'],
    ['settings', '/v4/users/me/settings'],
  ])(
    'reads 400 FAILED_PRECONDITION ACCOUNT_NOT_LINKED on %s as an account with no Fitbit data',
    async (_what, path) => {
      const unlinked = jsonReply(
        400,
        googleError(
          400,
          'FAILED_PRECONDITION',
          'The account is not linked to Google Health.',
          'ACCOUNT_NOT_LINKED',
        ),
      );
      const fake = new FakeFetch()
        .on('/v4/users/me/identity', jsonReply(200, { healthUserId: 'ABC-123' }))
        .on('/v4/users/me/settings', jsonReply(200, {}))
        .on(path, unlinked);

      const error = await makeProvider(fake)
        .getProfile('t')
        .catch((e) => e);

      expect(error).toBeInstanceOf(AccountNotLinkedError);
      expect(error.reason).toBe('not_linked');
    },
  );

  it('reads ACCOUNT_NOT_LINKED on the devices call the same way (an account unlinked after sign-up)', async () => {
    const fake = new FakeFetch().on(
      DEVICES,
      jsonReply(400, googleError(400, 'FAILED_PRECONDITION', 'not linked', 'ACCOUNT_NOT_LINKED')),
    );

    await expect(makeProvider(fake).listDevices('t')).rejects.toMatchObject({
      name: 'AccountNotLinkedError',
      reason: 'not_linked',
    });
  });

  it('reads 403 PERMISSION_DENIED without a reason as consent from a legacy Fitbit login', async () => {
    const fake = new FakeFetch()
      .on(
        '/v4/users/me/identity',
        jsonReply(403, googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission')),
      )
      .on('/v4/users/me/settings', jsonReply(200, {}));

    await expect(makeProvider(fake).getProfile('t')).rejects.toMatchObject({
      name: 'AccountNotLinkedError',
      reason: 'legacy_login',
    });
  });

  it('keeps a 403 for missing scopes (ACCESS_TOKEN_SCOPE_INSUFFICIENT) a plain refusal', async () => {
    const fake = new FakeFetch().on(
      DEVICES,
      jsonReply(
        403,
        googleError(
          403,
          'PERMISSION_DENIED',
          'Request had insufficient authentication scopes.',
          'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
        ),
      ),
    );

    const error = await makeProvider(fake)
      .listDevices('t')
      .catch((e) => e);

    expect(error).toBeInstanceOf(ProviderRefusedError);
    expect(error).not.toBeInstanceOf(AccountNotLinkedError);
  });

  it('keeps the id after pairedDevices/ as an opaque string, whatever its shape', async () => {
    const fake = new FakeFetch().on(
      DEVICES,
      jsonReply(200, {
        pairedDevices: [
          device(1, { name: 'users/AbC-123/pairedDevices/0x7F_ab.c~9' }),
          device(2, { name: 'users/me/pairedDevices/00042' }),
          device(3, { name: 'unexpected-shape' }),
        ],
      }),
    );

    const ids = (await makeProvider(fake).listDevices('t')).map((d) => d.id);

    expect(ids).toEqual(['0x7F_ab.c~9', '00042', 'unexpected-shape']);
  });

  it.each([['has/slash'], [''], ['a'.repeat(64)], [42]])(
    'rejects the unusable user id %p as malformed',
    async (healthUserId) => {
      const fake = new FakeFetch()
        .on('/v4/users/me/identity', jsonReply(200, { healthUserId }))
        .on('/v4/users/me/settings', jsonReply(200, {}));

      await expect(makeProvider(fake).getProfile('t')).rejects.toBeInstanceOf(MalformedResponseError);
    },
  );

  it('follows pagination and returns the devices of every page', async () => {
    const fake = new FakeFetch().on(
      DEVICES,
      jsonReply(200, { pairedDevices: [device(1), device(2)], nextPageToken: 'page-2' }),
      jsonReply(200, { pairedDevices: [device(3)], nextPageToken: 'page-3' }),
      jsonReply(200, { pairedDevices: [device(4)] }),
    );

    const devices = await makeProvider(fake).listDevices('test-access-1');

    expect(devices.map((d) => d.id)).toEqual(['dev-1', 'dev-2', 'dev-3', 'dev-4']);
    const pages = fake.to(DEVICES).map((r) => r.url.searchParams);
    expect(pages.map((q) => q.get('pageToken'))).toEqual([null, 'page-2', 'page-3']);
    expect(pages.every((q) => q.get('pageSize') === '100')).toBe(true);
    expect(devices[0]).toEqual({
      id: 'dev-1',
      name: 'Charge 1',
      type: 'TRACKER',
      batteryStatus: 'High',
      batteryLevel: 90,
      lastSyncTime: '2026-11-23T11:00:00.000Z',
    });
  });

  it('stops at an empty next-page token and copes with a page without devices', async () => {
    const fake = new FakeFetch().on(DEVICES, jsonReply(200, { nextPageToken: '' }));

    expect(await makeProvider(fake).listDevices('t')).toEqual([]);
    expect(fake.to(DEVICES)).toHaveLength(1);
  });

  it('refuses to page forever', async () => {
    const fake = new FakeFetch().on(
      DEVICES,
      jsonReply(200, { pairedDevices: [device(1)], nextPageToken: 'again' }),
    );

    await expect(makeProvider(fake).listDevices('t')).rejects.toBeInstanceOf(MalformedResponseError);
    expect(fake.to(DEVICES)).toHaveLength(20);
  });

  it.each([
    ['401', jsonReply(401, { error: { status: 'UNAUTHENTICATED' } }), TokenRejectedError],
    [
      '403',
      jsonReply(403, { error: { status: 'PERMISSION_DENIED', message: 'Injected' } }),
      ProviderRefusedError,
    ],
    [
      '403 "The caller does not have permission"',
      jsonReply(403, {
        error: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
      }),
      AccountNotLinkedError,
    ],
    ['403 with no Google body', jsonReply(403, {}), ProviderRefusedError],
    ['404', jsonReply(404, {}), ProviderRefusedError],
    ['410', jsonReply(410, {}), ProviderRetiredError],
    ['429', jsonReply(429, {}), RateLimitedError],
    ['500', textReply(500, 'oops'), ProviderUnavailableError],
    ['503', jsonReply(503, {}), ProviderUnavailableError],
    ['200 with HTML', textReply(200, '<html>captive portal</html>'), MalformedResponseError],
    ['200 with the wrong shape', jsonReply(200, { pairedDevices: 'none' }), MalformedResponseError],
    ['a network error', networkError(), ProviderUnavailableError],
  ])('maps HTTP %s on the devices call to the typed error', async (_what, reply, type) => {
    const fake = new FakeFetch().on(DEVICES, reply);

    await expect(makeProvider(fake).listDevices('t')).rejects.toBeInstanceOf(type);
  });

  it('carries Retry-After seconds on RateLimitedError', async () => {
    const fake = new FakeFetch().on(DEVICES, jsonReply(429, {}, { 'retry-after': '120' }));

    const error = await makeProvider(fake)
      .listDevices('t')
      .catch((e) => e);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterSeconds).toBe(120);
  });

  it('gives up at its deadline with ProviderUnavailableError', async () => {
    const fake = new FakeFetch().on(DEVICES, hang());

    await expect(makeProvider(fake, 100).listDevices('t')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('keeps the access token out of error messages', async () => {
    const fake = new FakeFetch().on(DEVICES, networkError());

    const error = await makeProvider(fake)
      .listDevices('test-access-1')
      .catch((e) => e);

    expect(String(error.message)).not.toContain('test-access-1');
  });
});

describe('retryAfterSeconds', () => {
  const withHeader = (value?: string) =>
    new Response(null, { status: 429, headers: value === undefined ? {} : { 'retry-after': value } });

  it.each([
    ['30', 30],
    ['0', 0],
    ['999999', 86400],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %p as %p seconds', (value, expected) => {
    expect(retryAfterSeconds(withHeader(value), T0)).toBe(expected);
  });

  it('reads an HTTP date relative to now', () => {
    expect(retryAfterSeconds(withHeader(new Date(T0 + 90_000).toUTCString()), T0)).toBe(90);
    expect(retryAfterSeconds(withHeader(new Date(T0 - 90_000).toUTCString()), T0)).toBe(0);
  });
});

describe('googleErrorCode', () => {
  it.each([
    [{ error: 'invalid_grant' }, 'invalid_grant'],
    [{ error: { status: 'UNAUTHENTICATED' } }, undefined],
    [undefined, undefined],
    ['invalid_grant', undefined],
  ])('reads %j as %p', (body, expected) => {
    expect(googleErrorCode(body)).toBe(expected);
  });
});
