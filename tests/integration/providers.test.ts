/** Both provider adapters against the sandbox's Google and legacy Fitbit emulation, over real HTTP. */
import { createHash } from 'node:crypto';
import {
  AccountNotLinkedError,
  InvalidGrantError,
  ProviderRetiredError,
  TokenRejectedError,
} from '../../src/domain/errors';
import type { HealthProvider } from '../../src/ports';
import { REDIRECT_URI, useTestSandbox } from './sandbox/helpers';
import { fitbitFor, googleFor } from './sandbox-providers';

const box = useTestSandbox({}, { perTest: false });

const google = () => googleFor(box);
const fitbit = () => fitbitFor(box);

/** Runs the provider's own authorization URL through the sandbox and exchanges the code. */
async function signIn(provider: HealthProvider, user: string, extra: Record<string, string> = {}) {
  const start = await provider.startAuthorization(REDIRECT_URI);
  const url = new URL(start.url);
  url.searchParams.set('sandbox_user', user);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  const response = await fetch(url, { redirect: 'manual' });
  const callback = new URL(response.headers.get('location') ?? '');
  expect(callback.searchParams.get('state')).toBe(start.state);
  const code = callback.searchParams.get('code') ?? '';
  return provider.exchangeCode(code, start.codeVerifier, REDIRECT_URI);
}

async function sandboxPost(path: string, body: unknown) {
  const response = await fetch(`${box.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function putDevices(user: string, devices: unknown[]) {
  const response = await fetch(`${box.url}/sandbox/users/${user}/devices`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(devices),
  });
  expect(response.status).toBe(200);
}

// Why neither adapter revokes a replaced refresh token (README: Security, Grants): both providers end
// the account's whole authorization of the app whichever token is revoked. The sandbox plays that as
// Google and Fitbit document it; this pins the adapters' declaration to the behaviour.
describe.each([
  ['GoogleHealthProvider', google, 'prov-rev-g'],
  ['FitbitProvider', fitbit, 'prov-rev-f'],
])('%s revocation', (_name, make, user) => {
  it("declares 'authorization': revoking the replaced token would end the grant that replaced it", async () => {
    const provider = make();
    const older = await signIn(provider, user);
    const newer = await signIn(provider, user);
    expect(newer.refreshToken).not.toBe(older.refreshToken);

    await provider.revoke(older.refreshToken);

    expect(provider.revocation).toBe('authorization');
    await expect(provider.refresh(newer.refreshToken)).rejects.toBeInstanceOf(InvalidGrantError);
  });
});

describe('GoogleHealthProvider against the sandbox', () => {
  it('signs in with PKCE, reads identity and time zone, and every page of devices', async () => {
    const provider = google();
    const tokens = await signIn(provider, 'prov-g1');
    await putDevices(
      'prov-g1',
      Array.from({ length: 12 }, (_, i) => ({
        deviceType: i === 11 ? 'SCALE' : 'TRACKER',
        batteryStatus: 'Medium',
        batteryLevel: 40 + i,
        deviceVersion: `Device ${i}`,
        lastSyncTime: '2026-11-23T10:00:00Z',
      })),
    );

    const profile = await provider.getProfile(tokens.accessToken);
    const devices = await provider.listDevices(tokens.accessToken);

    expect(provider.hasRequiredScope(tokens.scope)).toBe(true);
    expect(profile).toEqual({ userId: 'prov-g1', timeZone: 'America/New_York' });
    expect(devices).toHaveLength(12);
    expect(devices[11]).toMatchObject({
      name: 'Device 11',
      type: 'SCALE',
      batteryLevel: 51,
      batteryStatus: 'Medium',
    });
  });

  it.each([
    ['not-linked', 'not_linked'],
    ['legacy-login', 'legacy_login'],
  ])('reads a %s account as AccountNotLinkedError (%s)', async (kind, reason) => {
    const provider = google();
    const user = `prov-${kind}`;
    await sandboxPost(`/sandbox/users/${user}/unlink`, { kind });
    const tokens = await signIn(provider, user);

    const atSignUp = await provider.getProfile(tokens.accessToken).catch((e) => e);
    const atCheck = await provider.listDevices(tokens.accessToken).catch((e) => e);

    for (const error of [atSignUp, atCheck]) {
      expect(error).toBeInstanceOf(AccountNotLinkedError);
      expect(error.reason).toBe(reason);
    }
  });

  it('keeps the end of time-based access from refresh_token_expires_in', async () => {
    const tokens = await signIn(google(), 'prov-timed', { sandbox_grant_seconds: '86400' });

    expect(tokens.refreshExpiresAt).toBe(box.clock.now + 86_400_000);
  });

  it('reports no time zone when the settings have none', async () => {
    const provider = google();
    const tokens = await signIn(provider, 'prov-nozone');
    const put = await fetch(`${box.url}/sandbox/users/prov-nozone/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ timeZone: null }),
    });
    expect(put.status).toBe(200);

    expect(await provider.getTimeZone(tokens.accessToken)).toBeUndefined();
  });

  it('reports a rejected token after expiry, and refreshes it', async () => {
    const provider = google();
    const tokens = await signIn(provider, 'prov-g2');
    await fetch(`${box.url}/sandbox/users/prov-g2/expire-tokens`, { method: 'POST' });

    await expect(provider.listDevices(tokens.accessToken)).rejects.toBeInstanceOf(TokenRejectedError);
    const fresh = await provider.refresh(tokens.refreshToken);
    await expect(provider.listDevices(fresh.accessToken)).resolves.toHaveLength(1);
    expect(fresh.refreshToken).toBe(tokens.refreshToken);
  });

  it('turns a revoked grant into InvalidGrantError', async () => {
    const provider = google();
    const tokens = await signIn(provider, 'prov-g3');
    await provider.revoke(tokens.refreshToken);

    await expect(provider.refresh(tokens.refreshToken)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('turns a reused authorization code into InvalidGrantError', async () => {
    const provider = google();
    const start = await provider.startAuthorization(REDIRECT_URI);
    const url = new URL(start.url);
    url.searchParams.set('sandbox_user', 'prov-g4');
    const code =
      new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '').searchParams.get(
        'code',
      ) ?? '';
    await provider.exchangeCode(code, start.codeVerifier, REDIRECT_URI);

    await expect(provider.exchangeCode(code, start.codeVerifier, REDIRECT_URI)).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
  });

  it('sends an S256 challenge that matches the verifier it keeps', async () => {
    const start = await google().startAuthorization(REDIRECT_URI);
    const challenge = new URL(start.url).searchParams.get('code_challenge');

    expect(challenge).toBe(createHash('sha256').update(start.codeVerifier).digest('base64url'));
  });
});

describe('FitbitProvider (legacy) against the sandbox', () => {
  it('signs in with Basic auth and converts local sync times to UTC', async () => {
    const provider = fitbit();
    const tokens = await signIn(provider, 'prov-f1');
    await putDevices('prov-f1', [
      { deviceType: 'TRACKER', batteryLevel: 33, lastSyncTime: '2026-11-23T10:00:00Z' },
    ]);

    const devices = await provider.listDevices(tokens.accessToken);

    expect(devices).toHaveLength(1);
    expect(devices[0]?.batteryLevel).toBe(33);
    expect(devices[0]?.lastSyncTime).toBe('2026-11-23T10:00:00.000Z');
  });

  it('gets a new refresh token on each refresh, and the old one dies', async () => {
    const provider = fitbit();
    const tokens = await signIn(provider, 'prov-f2');
    const first = await provider.refresh(tokens.refreshToken);
    box.clock.advance(3 * 60_000);

    expect(first.refreshToken).not.toBe(tokens.refreshToken);
    await expect(provider.refresh(tokens.refreshToken)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('reports the retired API (HTTP 410) as ProviderRetiredError', async () => {
    const provider = fitbit();
    const tokens = await signIn(provider, 'prov-f3');
    await fetch(`${box.url}/sandbox/legacy`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ retired: true }),
    });
    try {
      await expect(provider.listDevices(tokens.accessToken)).rejects.toBeInstanceOf(ProviderRetiredError);
      await expect(provider.refresh(tokens.refreshToken)).rejects.toBeInstanceOf(ProviderRetiredError);
    } finally {
      await fetch(`${box.url}/sandbox/legacy`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ retired: false }),
      });
    }
  });
});
