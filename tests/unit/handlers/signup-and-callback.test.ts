/**
 * The two sign-up HTTP handlers in process, on the fakes: what each answer of the use cases becomes
 * (status, page, cookies, redirect). The e2e and browser suites walk the same handlers over HTTP, but
 * in serverless-offline's child process, where coverage cannot see them.
 */
import { AccountNotLinkedError, ProviderUnavailableError } from '../../../src/domain/errors';
import { SIGNUP_COOKIE } from '../../../src/handlers/http-responses';
import { makeOAuthCallbackHandler } from '../../../src/handlers/oauth-callback';
import { makeSignupHandler } from '../../../src/handlers/signup';
import { makeDeps, OTHER_PHONE, PHONE, type TestDeps, tokens } from '../../support/fakes';
import { httpEvent } from '../../support/http-events';

const BASE = 'https://battery.example.test';
const FORM = 'application/x-www-form-urlencoded';

const event = httpEvent;

const post = (body: string, headers: Record<string, string> = {}) =>
  event({ headers: { 'content-type': FORM, ...headers }, body });

const nonceFrom = (cookies: string[] | undefined) =>
  cookies
    ?.map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith(`${SIGNUP_COOKIE}=`))
    ?.split('=')[1];

describe('POST /signup handler', () => {
  const handler = (deps: TestDeps) => makeSignupHandler(deps, { publicBaseUrl: BASE });

  it('redirects to the consent screen and sets the browser binding cookie', async () => {
    const deps = makeDeps();

    const res = await handler(deps)(post(`phone=${encodeURIComponent(PHONE)}&consent=yes`));

    expect(res.statusCode).toBe(302);
    expect(res.headers?.location).toMatch(/^https:\/\/accounts\.example\.test\/auth\?state=/);
    expect(nonceFrom(res.cookies)).toMatch(/\S{16,}/);
    expect(deps.store.signups.size).toBe(1);
  });

  it('refuses a form posted from another site with 403 and starts nothing', async () => {
    const deps = makeDeps();

    const res = await handler(deps)(
      post(`phone=${encodeURIComponent(PHONE)}&consent=yes`, { 'sec-fetch-site': 'cross-site' }),
    );

    expect(res.statusCode).toBe(403);
    expect(deps.store.signups.size).toBe(0);
  });

  it('answers a body that is not a form with 415', async () => {
    const res = await handler(makeDeps())(
      event({ headers: { 'content-type': 'application/json' }, body: '{}' }),
    );

    expect(res.statusCode).toBe(415);
  });

  it('shows the form again with the errors (and the opt-in kept) when the input is invalid', async () => {
    const res = await handler(makeDeps())(post('phone=555&consent=yes&faster=yes'));

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('555');
    expect(res.body).toMatch(/name="faster"[^>]*checked/);
  });

  it('answers a number from a country not served with 400', async () => {
    const res = await handler(makeDeps())(post(`phone=${encodeURIComponent('+447700900123')}&consent=yes`));

    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/countr/i);
  });

  it('turns a store failure into the error page, not a crash', async () => {
    const deps = makeDeps();
    deps.store.failures.fail('putSignupState', new ProviderUnavailableError('down'));

    const res = await handler(deps)(post(`phone=${encodeURIComponent(PHONE)}&consent=yes`));

    expect(res.statusCode).toBe(503);
  });
});

describe('GET /oauth/callback handler', () => {
  /** Starts a sign-up through the real handler and returns what the provider would send back. */
  async function started(deps: TestDeps, phone = PHONE) {
    const res = await makeSignupHandler(deps, { publicBaseUrl: BASE })(
      post(`phone=${encodeURIComponent(phone)}&consent=yes`),
    );
    const state = new URL(res.headers?.location ?? '').searchParams.get('state') ?? '';
    return { state, nonce: nonceFrom(res.cookies) ?? '' };
  }

  const callback = (deps: TestDeps, query: Record<string, string>, nonce?: string) =>
    makeOAuthCallbackHandler(deps, { publicBaseUrl: BASE })(
      event({
        routeKey: 'GET /oauth/callback',
        rawPath: '/oauth/callback',
        queryStringParameters: query,
        ...(nonce ? { cookies: [`${SIGNUP_COOKIE}=${nonce}`] } : {}),
      }),
    );

  const clearsBinding = (cookies: string[] | undefined) =>
    expect(cookies?.some((c) => c.startsWith(`${SIGNUP_COOKIE}=;`) || /Max-Age=0/.test(c))).toBe(true);

  it('shows the success page with the masked number and clears the binding cookie', async () => {
    const deps = makeDeps();
    const { state, nonce } = await started(deps);
    deps.provider.codes.set('code-1', tokens());

    const res = await callback(deps, { state, code: 'code-1' }, nonce);

    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(PHONE);
    expect(res.body).toContain(PHONE.slice(-2));
    clearsBinding(res.cookies);
  });

  it('says so with 429 when the account has used up its confirmation texts for the day', async () => {
    const deps = makeDeps();
    for (const [i, phone] of [PHONE, OTHER_PHONE, '+12015550177', '+12015550166'].entries()) {
      const { state, nonce } = await started(deps, phone);
      deps.provider.codes.set(`code-${i}`, tokens());
      const res = await callback(deps, { state, code: `code-${i}` }, nonce);
      if (i < 3) expect(res.statusCode).toBe(200);
      else expect(res.statusCode).toBe(429);
    }
  });

  it('answers a refused consent with the friendly page (200)', async () => {
    const deps = makeDeps();
    const { state, nonce } = await started(deps);

    const res = await callback(deps, { state, error: 'access_denied' }, nonce);

    expect(res.statusCode).toBe(200);
    clearsBinding(res.cookies);
  });

  it('answers a Google account without Fitbit data with its own page (200), storing nothing', async () => {
    const deps = makeDeps();
    const { state, nonce } = await started(deps);
    deps.provider.codes.set('code-1', tokens());
    deps.provider.profile = new AccountNotLinkedError('identity: HTTP 400', 'not_linked');

    const res = await callback(deps, { state, code: 'code-1' }, nonce);

    expect(res.statusCode).toBe(200);
    expect(deps.store.subscribers.size).toBe(0);
  });

  it('answers a missing binding cookie or an overlong parameter with 400', async () => {
    const deps = makeDeps();
    const { state, nonce } = await started(deps);

    expect((await callback(deps, { state, code: 'code-1' })).statusCode).toBe(400);
    expect((await callback(deps, { state, code: 'x'.repeat(5000) }, nonce)).statusCode).toBe(400);
  });

  it('turns a provider outage into the error page with the cookie still cleared', async () => {
    const deps = makeDeps();
    const { state, nonce } = await started(deps);
    deps.provider.codes.set('code-1', new ProviderUnavailableError('down'));

    const res = await callback(deps, { state, code: 'code-1' }, nonce);

    expect(res.statusCode).toBe(503);
    clearsBinding(res.cookies);
  });
});
