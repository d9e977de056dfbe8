/**
 * The sandbox plays the Google account states real people are in: an account with no Google Health
 * profile or a legacy Fitbit login (unlink / link), faults with any ErrorInfo reason, every Health
 * API error in Google's format, grants for a limited time and an app in "testing" status.
 */
import {
  CLIENT_ID,
  CLIENT_SECRET,
  getJson,
  googleCode,
  googleTokens,
  pkce,
  postForm,
  REDIRECT_URI,
  sendJsonTo,
  useTestSandbox,
} from './helpers';

const t = useTestSandbox();

const DAY = 24 * 3600 * 1000;
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/** Asserts Google's error shape and returns its ErrorInfo reason. */
function googleReason(body: Record<string, unknown>, code: number, status: string): string {
  const error = body.error as { code: number; message: string; status: string; details: unknown[] };
  expect(error).toMatchObject({ code, status, message: expect.any(String) });
  expect(error.details).toEqual([
    expect.objectContaining({ '@type': ERROR_INFO, reason: expect.any(String), domain: 'googleapis.com' }),
  ]);
  return (error.details[0] as { reason: string }).reason;
}

async function exchange(extra: Record<string, string> = {}, user = 'gina') {
  const { verifier, challenge } = pkce();
  const code = await googleCode(t.url, user, challenge, extra);
  return postForm(`${t.url}/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    code_verifier: verifier,
  });
}

const refresh = (refreshToken: string) =>
  postForm(`${t.url}/token`, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  });

describe('unlink and link', () => {
  it('answers every Health API call of an unlinked user 400 FAILED_PRECONDITION ACCOUNT_NOT_LINKED', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    expect((await sendJsonTo(`${t.url}/sandbox/users/gina/unlink`, 'POST', {})).status).toBe(200);

    for (const path of ['identity', 'settings', 'pairedDevices']) {
      const res = await getJson(`${t.url}/v4/users/me/${path}`, access_token);
      expect(res.status).toBe(400);
      expect(googleReason(res.body, 400, 'FAILED_PRECONDITION')).toBe('ACCOUNT_NOT_LINKED');
    }
  });

  it('plays consent from a legacy Fitbit login as 403 "The caller does not have permission"', async () => {
    await sendJsonTo(`${t.url}/sandbox/users/gina/unlink`, 'POST', { kind: 'legacy-login' });
    const { access_token } = await googleTokens(t.url, 'gina');

    const res = await getJson(`${t.url}/v4/users/me/identity`, access_token);

    expect(res.status).toBe(403);
    expect((res.body.error as { message: string }).message).toBe('The caller does not have permission');
    expect(googleReason(res.body, 403, 'PERMISSION_DENIED')).not.toBe('ACCESS_TOKEN_SCOPE_INSUFFICIENT');
  });

  it('answers normally again after /link', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    await sendJsonTo(`${t.url}/sandbox/users/gina/unlink`, 'POST', {});
    expect((await sendJsonTo(`${t.url}/sandbox/users/gina/link`, 'POST', {})).status).toBe(200);

    expect((await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token)).status).toBe(200);
    expect((await getJson(`${t.url}/sandbox/users/gina`)).body.unlinked).toBeNull();
  });

  it('refuses an unknown kind, naming the allowed ones', async () => {
    const res = await sendJsonTo(`${t.url}/sandbox/users/gina/unlink`, 'POST', { kind: 'gone' });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('legacy-login');
  });
});

describe("Google's error format everywhere", () => {
  it('puts an ErrorInfo on auth, scope, argument and unknown-path errors', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    const cases: Array<[string, string | undefined, number, string]> = [
      ['/v4/users/me/pairedDevices', 'not-a-token', 401, 'UNAUTHENTICATED'],
      ['/v4/users/me/pairedDevices?pageToken=%21', access_token, 400, 'INVALID_ARGUMENT'],
      ['/v4/users/me/nothing-here', access_token, 404, 'NOT_FOUND'],
    ];
    for (const [path, token, code, status] of cases) {
      const res = await getJson(`${t.url}${path}`, token);
      expect(res.status).toBe(code);
      googleReason(res.body, code, status);
    }
  });

  it('reads identity and settings as users/me only, and names them so', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    expect((await getJson(`${t.url}/v4/users/me/identity`, access_token)).body.name).toBe(
      'users/me/identity',
    );
    expect((await getJson(`${t.url}/v4/users/me/settings`, access_token)).body.name).toBe(
      'users/me/settings',
    );
    const byId = await getJson(`${t.url}/v4/users/gina/identity`, access_token);
    expect(byId.status).toBe(400);
    googleReason(byId.body, 400, 'INVALID_ARGUMENT');
  });

  it('leaves timeZone out of the settings of a person who never set one', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    await sendJsonTo(`${t.url}/sandbox/users/gina/settings`, 'PUT', { timeZone: null });

    const res = await getJson(`${t.url}/v4/users/me/settings`, access_token);

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('timeZone');
    expect(res.body).not.toHaveProperty('utcOffset');
  });
});

describe('faults with an ErrorInfo reason', () => {
  it('carries any reason and message, with the status the reason implies', async () => {
    const { access_token } = await googleTokens(t.url, 'gina');
    const armed = await sendJsonTo(`${t.url}/sandbox/faults`, 'POST', {
      target: 'devices',
      status: 400,
      reason: 'ACCOUNT_NOT_LINKED',
      message: 'The account is not linked to Google Health.',
    });
    expect(armed.status).toBe(201);

    const res = await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token);

    expect(res.status).toBe(400);
    expect(googleReason(res.body, 400, 'FAILED_PRECONDITION')).toBe('ACCOUNT_NOT_LINKED');
    expect((res.body.error as { message: string }).message).toBe(
      'The account is not linked to Google Health.',
    );
  });

  it.each([
    [{ target: 'devices', delayMs: 10, reason: 'ACCOUNT_NOT_LINKED' }, 'need a status'],
    [{ target: 'devices', status: 400, reason: 'not-upper' }, 'UPPER_SNAKE_CASE'],
    [{ target: 'token', status: 400, reason: 'X' }, 'Health API targets'],
    [{ target: 'devices', status: 400, message: '' }, '1-500'],
  ])('refuses %j', async (fault, words) => {
    const res = await sendJsonTo(`${t.url}/sandbox/faults`, 'POST', fault);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(words);
  });
});

describe('grants that end', () => {
  it('issues time-based access from a consent-URL parameter and says so with refresh_token_expires_in', async () => {
    const res = await exchange({ sandbox_grant_seconds: String(3 * 24 * 3600) });

    expect(res.status).toBe(200);
    expect(res.body.refresh_token_expires_in).toBe(3 * 24 * 3600);
    t.clock.advance(DAY);
    const renewed = await refresh(res.body.refresh_token as string);
    expect(renewed.status).toBe(200);
    expect(renewed.body.refresh_token_expires_in).toBe(2 * 24 * 3600);
  });

  it('refuses the refresh token with invalid_grant once the time is up', async () => {
    const res = await exchange({ sandbox_grant_seconds: '3600' });
    t.clock.advance(3600 * 1000);

    const refused = await refresh(res.body.refresh_token as string);

    expect(refused).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    });
  });

  it('gives an app in "testing" refresh tokens that die 7 days after consent, without saying so', async () => {
    expect((await sendJsonTo(`${t.url}/sandbox/app`, 'PUT', { publishingStatus: 'testing' })).status).toBe(
      200,
    );
    const res = await exchange();
    expect(res.body).not.toHaveProperty('refresh_token_expires_in');

    t.clock.advance(7 * DAY - 60_000);
    expect((await refresh(res.body.refresh_token as string)).status).toBe(200);
    t.clock.advance(60_000);
    expect((await refresh(res.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it("ages one user's grants on request, so a stack on the real clock can reach the end", async () => {
    await sendJsonTo(`${t.url}/sandbox/app`, 'PUT', { publishingStatus: 'testing' });
    const res = await exchange();

    expect((await sendJsonTo(`${t.url}/sandbox/users/gina/age-grants`, 'POST', { days: 8 })).status).toBe(
      200,
    );

    expect((await refresh(res.body.refresh_token as string)).body.error).toBe('invalid_grant');
  });

  it('refuses a grant length that is not a whole number of seconds', async () => {
    const res = await fetch(
      `${t.url}/o/oauth2/v2/auth?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code&scope=x&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&sandbox_user=gina&sandbox_grant_seconds=1.5`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
  });
});
