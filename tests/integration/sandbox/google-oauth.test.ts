/** The sandbox's Google OAuth emulation over real HTTP: authorize, PKCE code exchange, refresh, revoke. */
import {
  authorizeRedirect,
  authorizeUrl,
  CLIENT_ID,
  CLIENT_SECRET,
  GOOGLE_SCOPE,
  getJson,
  googleCode,
  googleTokens,
  pkce,
  postForm,
  REDIRECT_URI,
  useTestSandbox,
} from './helpers';

const t = useTestSandbox();

function exchange(code: string, verifier: string, extra: Record<string, string> = {}) {
  return postForm(`${t.url}/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    code_verifier: verifier,
    ...extra,
  });
}

describe('Google authorize', () => {
  it('approves a sandbox_user at once and redirects back with a code, the state and the scope', async () => {
    const { challenge } = pkce();
    const location = await authorizeRedirect(
      authorizeUrl(t.url, 'google', { sandbox_user: 'alice', code_challenge: challenge }),
    );
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    expect(location.searchParams.get('code')).toMatch(/.{20,}/);
    expect(location.searchParams.get('state')).toBe('st-123');
    const user = await getJson(`${t.url}/sandbox/users/alice`);
    expect(user.status).toBe(200);
    expect(user.body.devices).toEqual([expect.objectContaining({ deviceType: 'TRACKER', batteryLevel: 80 })]);
  });

  it('redirects with error=access_denied when sandbox_deny=1', async () => {
    const { challenge } = pkce();
    const location = await authorizeRedirect(
      authorizeUrl(t.url, 'google', { sandbox_deny: '1', code_challenge: challenge }),
    );
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it.each([
    ['an unknown client_id', { client_id: 'someone-else' }],
    ['a relative redirect_uri', { redirect_uri: '/callback' }],
    ['a javascript: redirect_uri', { redirect_uri: 'javascript:alert(1)' }],
    ['no PKCE challenge', { code_challenge: '' }],
    ['a plain PKCE method', { code_challenge_method: 'plain' }],
    ['response_type=token', { response_type: 'token' }],
  ])('answers 400 with an HTML page and no redirect for %s', async (_label, params) => {
    const { challenge } = pkce();
    const res = await fetch(
      authorizeUrl(t.url, 'google', { sandbox_user: 'alice', code_challenge: challenge, ...params }),
      { redirect: 'manual' },
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it('shows a consent page under a strict CSP that lists users and requested scopes, escaped', async () => {
    await googleTokens(t.url, 'alice');
    const { challenge } = pkce();
    const res = await fetch(
      authorizeUrl(t.url, 'google', { code_challenge: challenge, state: '"><script>alert(1)</script>' }),
    );
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
    expect(page).toContain('value="alice"');
    expect(page).toContain(GOOGLE_SCOPE);
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('grants only the scopes left ticked on the consent form', async () => {
    const { verifier, challenge } = pkce();
    const form = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: `${GOOGLE_SCOPE} openid`,
      state: 's',
      access_type: 'offline',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      user: '',
      new_user: 'carol',
      granted: 'openid',
      decision: 'allow',
    });
    const res = await fetch(`${t.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await exchange(code, verifier);
    expect(tokens.body.scope).toBe('openid');
    const devices = await getJson(`${t.url}/v4/users/me/pairedDevices`, tokens.body.access_token as string);
    expect(devices.status).toBe(403);
  });

  it('redirects a Deny on the consent form with error=access_denied', async () => {
    const { challenge } = pkce();
    const form = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: GOOGLE_SCOPE,
      state: 'xyz',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      decision: 'deny',
    });
    const res = await fetch(`${t.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
    });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('grants the scope given in sandbox_scope instead of the requested one', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge, { sandbox_scope: 'openid email' });
    const tokens = await exchange(code, verifier);
    expect(tokens.body.scope).toBe('openid email');
  });
});

describe('Google token endpoint', () => {
  it('exchanges a code with the right verifier for a Bearer access token, a refresh token and the scope', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      refresh_token: expect.any(String),
      scope: GOOGLE_SCOPE,
      token_type: 'Bearer',
    });
  });

  it('accepts client credentials through HTTP Basic too', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    const res = await postForm(
      `${t.url}/token`,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
    );
    expect(res.status).toBe(200);
  });

  it('leaves out the refresh token without access_type=offline', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge, { access_type: 'online' });
    const res = await exchange(code, verifier);
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).toBeUndefined();
  });

  it('rejects a wrong code verifier with invalid_grant', async () => {
    const { challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    const res = await exchange(code, pkce().verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('rejects a code used twice', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    expect((await exchange(code, verifier)).status).toBe(200);
    const again = await exchange(code, verifier);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('rejects a code older than ten minutes', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    t.clock.advance(10 * 60 * 1000 + 1);
    const res = await exchange(code, verifier);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('rejects a code redeemed with another redirect_uri', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    const res = await exchange(code, verifier, { redirect_uri: 'http://127.0.0.1:9999/other' });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('answers 401 invalid_client for a wrong client secret', async () => {
    const { verifier, challenge } = pkce();
    const code = await googleCode(t.url, 'alice', challenge);
    const res = await exchange(code, verifier, { client_secret: 'nope' });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('refreshes into a new access token with the same scope, keeps the refresh token and counts it', async () => {
    const first = await googleTokens(t.url);
    const refresh = (token: string) =>
      postForm(`${t.url}/token`, {
        grant_type: 'refresh_token',
        refresh_token: token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.access_token).not.toBe(first.access_token);
    expect(second.body.scope).toBe(first.scope);
    // Google does not rotate: the same refresh token keeps working.
    expect((await refresh(first.refresh_token)).status).toBe(200);
    const user = await getJson(`${t.url}/sandbox/users/alice`);
    expect(user.body.counters).toEqual(expect.objectContaining({ tokenRefreshes: { google: 2, fitbit: 0 } }));
    expect(JSON.stringify(user.body)).not.toContain(first.refresh_token);
  });

  it('makes the refresh token fail with invalid_grant after /revoke, and kills its access tokens', async () => {
    const tokens = await googleTokens(t.url);
    const revoked = await postForm(`${t.url}/revoke`, { token: tokens.refresh_token });
    expect(revoked).toEqual({ status: 200, body: {} });
    const refresh = await postForm(`${t.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('invalid_grant');
    expect((await getJson(`${t.url}/v4/users/me/identity`, tokens.access_token)).status).toBe(401);
  });

  it("revoking an older grant's token also ends the account's newer grant, as Google documents", async () => {
    const older = await googleTokens(t.url);
    const newer = await googleTokens(t.url);
    const other = await googleTokens(t.url, 'carol');
    expect(newer.refresh_token).not.toBe(older.refresh_token);

    expect((await postForm(`${t.url}/revoke`, { token: older.refresh_token })).status).toBe(200);

    const refreshWith = (refresh_token: string) =>
      postForm(`${t.url}/token`, {
        grant_type: 'refresh_token',
        refresh_token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      });
    expect((await refreshWith(newer.refresh_token)).body.error).toBe('invalid_grant');
    // Another account's grant is untouched.
    expect((await refreshWith(other.refresh_token)).status).toBe(200);
  });

  it('answers invalid_token when revoking an unknown token', async () => {
    const res = await postForm(`${t.url}/revoke`, { token: 'never-issued' });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_token');
  });

  it('makes refreshes fail with invalid_grant after the control revoke endpoint', async () => {
    const tokens = await googleTokens(t.url);
    await fetch(`${t.url}/sandbox/users/alice/revoke`, { method: 'POST' });
    const refresh = await postForm(`${t.url}/token`, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });
});
