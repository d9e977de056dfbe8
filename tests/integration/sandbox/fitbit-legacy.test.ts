/** Legacy Fitbit emulation: single-use refresh tokens with the 2-minute replay, API shapes, the 410 switch. */
import {
  authorizeUrl,
  basic,
  fitbitTokens,
  getJson,
  pkce,
  postForm,
  sendJsonTo,
  useTestSandbox,
} from './helpers';

const t = useTestSandbox();

function refresh(token: string) {
  return postForm(`${t.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: token }, basic());
}

describe('Fitbit token endpoint', () => {
  it('issues an 8-hour token pair with the user id', async () => {
    const { verifier, challenge } = pkce();
    const res = await fetch(
      authorizeUrl(t.url, 'fitbit', { sandbox_user: 'bob', code_challenge: challenge }),
      {
        redirect: 'manual',
      },
    );
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await postForm(
      `${t.url}/oauth2/token`,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'http://127.0.0.1:9999/oauth/callback',
        code_verifier: verifier,
      },
      basic(),
    );
    expect(tokens.status).toBe(200);
    expect(tokens.body).toEqual(
      expect.objectContaining({ expires_in: 28800, token_type: 'Bearer', scope: 'settings profile' }),
    );
    expect(tokens.body.user_id).toMatch(/^\d+$/);
  });

  it('refuses a token request without HTTP Basic client credentials', async () => {
    const res = await postForm(`${t.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'invalid_client' })],
      success: false,
    });
  });

  it('rotates the refresh token, replays the same answer within 2 minutes, then refuses the old one', async () => {
    const first = await fitbitTokens(t.url);
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);

    t.clock.advance(90 * 1000);
    const replay = await refresh(first.refresh_token);
    expect(replay).toEqual(second);

    t.clock.advance(31 * 1000);
    const late = await refresh(first.refresh_token);
    expect(late.status).toBe(400);
    expect(late.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'invalid_grant' })],
      success: false,
    });

    expect((await refresh(second.body.refresh_token as string)).status).toBe(200);
    const user = await getJson(`${t.url}/sandbox/users/bob`);
    expect((user.body.counters as { tokenRefreshes: unknown }).tokenRefreshes).toEqual({
      google: 0,
      fitbit: 2,
    });
  });

  it("revoking an older grant's token also ends the user's newer grant, as Fitbit documents", async () => {
    const older = await fitbitTokens(t.url);
    const newer = await fitbitTokens(t.url);
    expect(newer.refresh_token).not.toBe(older.refresh_token);

    expect((await postForm(`${t.url}/oauth2/revoke`, { token: older.access_token }, basic())).status).toBe(
      200,
    );

    expect((await refresh(newer.refresh_token)).body.errors).toEqual([
      expect.objectContaining({ errorType: 'invalid_grant' }),
    ]);
  });

  it('refuses the refresh token after /oauth2/revoke', async () => {
    const tokens = await fitbitTokens(t.url);
    const revoked = await postForm(`${t.url}/oauth2/revoke`, { token: tokens.refresh_token }, basic());
    expect(revoked.status).toBe(200);
    expect((await refresh(tokens.refresh_token)).body.errors).toEqual([
      expect.objectContaining({ errorType: 'invalid_grant' }),
    ]);
  });
});

describe('Fitbit Web API', () => {
  it('lists devices with legacy field names and the sync time in the user local time', async () => {
    const tokens = await fitbitTokens(t.url);
    await sendJsonTo(`${t.url}/sandbox/users/bob/devices`, 'PUT', [
      {
        name: 'users/bob/pairedDevices/816713257',
        deviceType: 'TRACKER',
        batteryStatus: 'Low',
        batteryLevel: 14,
        lastSyncTime: '2026-11-20T14:03:11Z',
        deviceVersion: 'Charge 6',
        macAddress: '16ADD56D54GD',
        features: ['STEPS'],
      },
    ]);
    const res = await getJson(`${t.url}/1/user/-/devices.json`, tokens.access_token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      {
        battery: 'Low',
        batteryLevel: 14,
        deviceVersion: 'Charge 6',
        features: ['STEPS'],
        id: '816713257',
        lastSyncTime: '2026-11-20T09:03:11.000',
        mac: '16ADD56D54GD',
        type: 'TRACKER',
      },
    ]);
  });

  it('returns the profile time zone and its offset', async () => {
    const tokens = await fitbitTokens(t.url);
    const res = await getJson(`${t.url}/1/user/-/profile.json`, tokens.access_token);
    expect(res.body.user).toEqual(
      expect.objectContaining({
        encodedId: tokens.user_id,
        timezone: 'America/New_York',
        offsetFromUTCMillis: -18000000,
      }),
    );
  });

  it('answers expired_token after the access token expires and invalid_token for garbage', async () => {
    const tokens = await fitbitTokens(t.url);
    t.clock.advance(28800 * 1000);
    const expired = await getJson(`${t.url}/1/user/-/devices.json`, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'expired_token' })],
      success: false,
    });
    const garbage = await getJson(`${t.url}/1/user/-/devices.json`, 'nope');
    expect(garbage.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'invalid_token' })],
      success: false,
    });
  });

  it('does not accept Google tokens', async () => {
    const { access_token } = await fitbitTokens(t.url);
    expect((await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token)).status).toBe(401);
  });
});

describe('retired legacy API', () => {
  it('answers 410 Gone on authorize, token and API once retired, and comes back when switched off', async () => {
    const tokens = await fitbitTokens(t.url);
    expect((await sendJsonTo(`${t.url}/sandbox/legacy`, 'POST', { retired: true })).status).toBe(200);
    const { challenge } = pkce();
    const authorize = await fetch(
      authorizeUrl(t.url, 'fitbit', { sandbox_user: 'bob', code_challenge: challenge }),
      {
        redirect: 'manual',
      },
    );
    expect(authorize.status).toBe(410);
    expect((await refresh(tokens.refresh_token)).status).toBe(410);
    expect((await getJson(`${t.url}/1/user/-/devices.json`, tokens.access_token)).status).toBe(410);
    await sendJsonTo(`${t.url}/sandbox/legacy`, 'POST', { retired: false });
    expect((await getJson(`${t.url}/1/user/-/devices.json`, tokens.access_token)).status).toBe(200);
  });
});
