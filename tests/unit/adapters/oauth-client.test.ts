import { createHash } from 'node:crypto';
import { fitbitErrorCode } from '../../../src/adapters/fitbit-provider';
import { googleErrorCode } from '../../../src/adapters/google-health-provider';
import { OAuthClient, type OAuthSettings } from '../../../src/adapters/oauth-client';
import {
  InvalidGrantError,
  MalformedResponseError,
  ProviderRefusedError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
  TokenRejectedError,
} from '../../../src/domain/errors';
import { FakeFetch, hang, jsonReply, networkError, T0, textReply } from '../../support/fakes';

const AUTH = 'https://accounts.example.test/o/oauth2/v2/auth';
const TOKEN_PATH = '/token';
const REVOKE_PATH = '/revoke';
const REDIRECT = 'https://signup.example.test/oauth/callback';

function makeClient(fake: FakeFetch, overrides: Partial<OAuthSettings> = {}) {
  return new OAuthClient({
    authorizationEndpoint: AUTH,
    tokenEndpoint: `https://oauth.example.test${TOKEN_PATH}`,
    revocationEndpoint: `https://oauth.example.test${REVOKE_PATH}`,
    clientId: 'test-client-id',
    clientSecret: 'not-a-real-secret',
    clientAuth: 'post',
    timeoutMs: 2000,
    errorCode: googleErrorCode,
    fetch: fake.fetch,
    now: () => T0,
    ...overrides,
  });
}

const tokenBody = (extra: Record<string, unknown> = {}) => ({
  access_token: 'test-access-1',
  refresh_token: 'test-refresh-1',
  token_type: 'Bearer',
  expires_in: 3599,
  scope: 'scope-a scope-b',
  ...extra,
});

describe('OAuthClient.startAuthorization', () => {
  it('builds a consent URL with the client, redirect, extra params, state and an S256 challenge', async () => {
    const client = makeClient(new FakeFetch());

    const start = await client.startAuthorization(REDIRECT, { scope: 'scope-a', access_type: 'offline' });

    const url = new URL(start.url);
    expect(`${url.origin}${url.pathname}`).toBe(AUTH);
    const q = url.searchParams;
    expect(q.get('client_id')).toBe('test-client-id');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(REDIRECT);
    expect(q.get('scope')).toBe('scope-a');
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('state')).toBe(start.state);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toBe(createHash('sha256').update(start.codeVerifier).digest('base64url'));
    expect(start.url).not.toContain(start.codeVerifier);
  });

  it('makes a fresh state and verifier every time, fit for the callback check', async () => {
    const client = makeClient(new FakeFetch());

    const a = await client.startAuthorization(REDIRECT, {});
    const b = await client.startAuthorization(REDIRECT, {});

    expect(a.state).not.toBe(b.state);
    expect(a.codeVerifier).not.toBe(b.codeVerifier);
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(a.codeVerifier.length).toBeGreaterThanOrEqual(43);
  });

  it('does not let extra params override the state or the challenge', async () => {
    const client = makeClient(new FakeFetch());

    const start = await client.startAuthorization(REDIRECT, {
      state: 'attacker',
      code_challenge_method: 'plain',
    });

    const q = new URL(start.url).searchParams;
    expect(q.get('state')).toBe(start.state);
    expect(q.get('code_challenge_method')).toBe('S256');
  });
});

describe('OAuthClient.exchangeCode', () => {
  it('posts the code, verifier and redirect URI with the secret in the body, and returns the tokens', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(200, tokenBody()));

    const tokens = await makeClient(fake).exchangeCode('code-1', 'verifier-1', REDIRECT);

    expect(tokens).toEqual({
      accessToken: 'test-access-1',
      refreshToken: 'test-refresh-1',
      expiresAt: T0 + 3599_000,
      scope: 'scope-a scope-b',
    });
    const [request] = fake.to(TOKEN_PATH);
    expect(request?.method).toBe('POST');
    const form = new URLSearchParams(request?.body);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe('code-1');
    expect(form.get('code_verifier')).toBe('verifier-1');
    expect(form.get('redirect_uri')).toBe(REDIRECT);
    expect(form.get('client_id')).toBe('test-client-id');
    expect(form.get('client_secret')).toBe('not-a-real-secret');
  });

  it('authenticates with HTTP Basic when configured so (Fitbit)', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(200, tokenBody()));

    const client = makeClient(fake, {
      clientAuth: 'basic',
      clientId: 'TESTCLIENT',
      clientSecret: 'notarealsecret',
      errorCode: fitbitErrorCode,
    });

    await client.exchangeCode('c', 'v', REDIRECT);

    const [request] = fake.to(TOKEN_PATH);
    const expected = Buffer.from('TESTCLIENT:notarealsecret').toString('base64');
    expect(request?.headers.get('authorization')).toBe(`Basic ${expected}`);
    expect(new URLSearchParams(request?.body).get('client_secret')).toBeNull();
  });

  it('assumes an hour when expires_in is missing or nonsense', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(200, tokenBody({ expires_in: undefined, scope: undefined })),
    );

    const tokens = await makeClient(fake).exchangeCode('c', 'v', REDIRECT);

    expect(tokens.expiresAt).toBe(T0 + 3600_000);
    expect(tokens.scope).toBe('');
  });

  it('rejects an answer without a refresh token as malformed', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(200, tokenBody({ refresh_token: undefined })));

    await expect(makeClient(fake).exchangeCode('c', 'v', REDIRECT)).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
  });

  it('maps Google invalid_grant to InvalidGrantError', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(400, { error: 'invalid_grant', error_description: 'Bad Request' }),
    );

    await expect(makeClient(fake).exchangeCode('c', 'v', REDIRECT)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('maps Fitbit invalid_grant to InvalidGrantError', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(400, {
        errors: [{ errorType: 'invalid_grant', message: 'Authorization code invalid' }],
        success: false,
      }),
    );
    const client = makeClient(fake, { clientAuth: 'basic', errorCode: fitbitErrorCode });

    await expect(client.exchangeCode('c', 'v', REDIRECT)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('maps an expired token reported by Fitbit to TokenRejectedError', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(401, { errors: [{ errorType: 'expired_token' }] }));
    const client = makeClient(fake, { clientAuth: 'basic', errorCode: fitbitErrorCode });

    await expect(client.exchangeCode('c', 'v', REDIRECT)).rejects.toBeInstanceOf(TokenRejectedError);
  });

  it('maps other OAuth errors to ProviderRefusedError with the status', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(400, { error: 'invalid_client' }));

    const error = await makeClient(fake)
      .exchangeCode('c', 'v', REDIRECT)
      .catch((e) => e);

    expect(error).toBeInstanceOf(ProviderRefusedError);
    expect(error.status).toBe(400);
  });

  it.each([
    ['HTTP 503', jsonReply(503, { error: 'backend' }), ProviderUnavailableError],
    ['HTTP 500 with an HTML page', textReply(500, '<html>oops</html>'), ProviderUnavailableError],
    ['HTTP 410', jsonReply(410, {}), ProviderRetiredError],
    ['HTTP 429', jsonReply(429, {}, { 'retry-after': '30' }), RateLimitedError],
    ['a 200 that is not JSON', textReply(200, '<html>login</html>'), MalformedResponseError],
    ['a refused connection', networkError(), ProviderUnavailableError],
  ])('maps %s to the typed error', async (_what, reply, type) => {
    const fake = new FakeFetch().on(TOKEN_PATH, reply);

    await expect(makeClient(fake).exchangeCode('c', 'v', REDIRECT)).rejects.toBeInstanceOf(type);
  });

  it('reports how long to wait when rate limited', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(429, {}, { 'retry-after': '30' }));

    const error = await makeClient(fake)
      .exchangeCode('c', 'v', REDIRECT)
      .catch((e) => e);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error.retryAfterSeconds).toBe(30);
  });

  it('gives up at its deadline with ProviderUnavailableError', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, hang());

    await expect(
      makeClient(fake, { timeoutMs: 100 }).exchangeCode('c', 'v', REDIRECT),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('does not put the client secret or tokens in error messages', async () => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(400, { error: 'invalid_grant' }));

    const error = await makeClient(fake)
      .exchangeCode('code-1', 'verifier-1', REDIRECT)
      .catch((e) => e);

    expect(String(error.message)).not.toMatch(/not-a-real-secret|code-1|verifier-1/);
  });
});

describe('time-based access (refresh_token_expires_in)', () => {
  it('keeps when a grant for a limited time lapses', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(200, tokenBody({ refresh_token_expires_in: 604799 })),
    );

    const tokens = await makeClient(fake).exchangeCode('code-1', 'verifier-1', REDIRECT);

    expect(tokens.refreshExpiresAt).toBe(T0 + 604799_000);
  });

  it.each([[undefined], [0], [-5], ['604799'], [Number.NaN]])(
    'knows no end for a grant whose answer carries %p',
    async (value) => {
      const fake = new FakeFetch().on(
        TOKEN_PATH,
        jsonReply(200, tokenBody({ refresh_token_expires_in: value })),
      );

      const tokens = await makeClient(fake).exchangeCode('code-1', 'verifier-1', REDIRECT);

      expect(tokens).not.toHaveProperty('refreshExpiresAt');
    },
  );

  it('reads it on a refresh answer too', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(200, tokenBody({ refresh_token: undefined, refresh_token_expires_in: 3600 })),
    );

    expect((await makeClient(fake).refresh('test-refresh-1')).refreshExpiresAt).toBe(T0 + 3600_000);
  });
});

describe('OAuthClient.refresh', () => {
  it('keeps the refresh token when the provider does not rotate it (Google)', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(200, tokenBody({ access_token: 'test-access-2', refresh_token: undefined })),
    );

    const tokens = await makeClient(fake).refresh('test-refresh-1');

    expect(tokens).toMatchObject({ accessToken: 'test-access-2', refreshToken: 'test-refresh-1' });
    const form = new URLSearchParams(fake.to(TOKEN_PATH)[0]?.body);
    expect(form.get('grant_type')).toBe('refresh_token');
    expect(form.get('refresh_token')).toBe('test-refresh-1');
  });

  it('takes the rotated refresh token when the provider hands one out (Fitbit)', async () => {
    const fake = new FakeFetch().on(
      TOKEN_PATH,
      jsonReply(200, tokenBody({ refresh_token: 'test-refresh-2' })),
    );

    const tokens = await makeClient(fake, { clientAuth: 'basic', errorCode: fitbitErrorCode }).refresh(
      'test-refresh-1',
    );

    expect(tokens.refreshToken).toBe('test-refresh-2');
  });

  it.each([
    [
      'Google',
      googleErrorCode,
      { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
    ],
    [
      'Fitbit',
      fitbitErrorCode,
      { errors: [{ errorType: 'invalid_grant', message: 'Refresh token invalid' }] },
    ],
  ])('maps %s invalid_grant at refresh to InvalidGrantError', async (_provider, errorCode, body) => {
    const fake = new FakeFetch().on(TOKEN_PATH, jsonReply(400, body));

    await expect(makeClient(fake, { errorCode }).refresh('test-refresh-1')).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
  });
});

describe('OAuthClient.revoke', () => {
  it('posts the token to the revocation endpoint', async () => {
    const fake = new FakeFetch().on(REVOKE_PATH, textReply(200, ''));

    await makeClient(fake).revoke('test-refresh-1');

    const [request] = fake.to(REVOKE_PATH);
    expect(request?.method).toBe('POST');
    expect(new URLSearchParams(request?.body).get('token')).toBe('test-refresh-1');
  });

  it('maps a failing revocation to a typed error', async () => {
    const fake = new FakeFetch().on(REVOKE_PATH, jsonReply(503, {}));

    await expect(makeClient(fake).revoke('t')).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
