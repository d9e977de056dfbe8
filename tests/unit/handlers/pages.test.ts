import { authorizationOrigin } from '../../../src/config';
import { makePagesHandler } from '../../../src/handlers/pages';

const event = (rawPath: string, method = 'GET') =>
  ({ rawPath, requestContext: { http: { method } } }) as unknown as Parameters<
    ReturnType<typeof makePagesHandler>
  >[0];

const urls = {
  GOOGLE_AUTH_URL: 'https://accounts.google.com/o/oauth2/v2/auth',
  FITBIT_AUTH_URL: 'https://www.fitbit.com/oauth2/authorize',
};

describe('pages handler', () => {
  it('lets the sign-up form post only to the configured provider consent origin', async () => {
    const handler = makePagesHandler({
      authorizationOrigin: 'https://accounts.example.test',
      fasterOffered: true,
    });

    const page = await handler(event('/'));

    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-security-policy']).toContain(
      "form-action 'self' https://accounts.example.test",
    );
  });

  it('serves the terms page next to the privacy page (number registration links both)', async () => {
    const handler = makePagesHandler({
      authorizationOrigin: 'https://accounts.example.test',
      fasterOffered: true,
    });

    const terms = await handler(event('/terms'));

    expect(terms.statusCode).toBe(200);
    expect(terms.body).toContain('Terms of the battery texts');
    expect((await handler(event('/privacy'))).statusCode).toBe(200);
  });

  it('answers anything else with its own 404', async () => {
    const handler = makePagesHandler({
      authorizationOrigin: 'https://accounts.example.test',
      fasterOffered: true,
    });

    expect((await handler(event('/nope'))).statusCode).toBe(404);
    expect((await handler(event('/', 'POST'))).statusCode).toBe(404);
  });
});

describe('authorizationOrigin (from configuration, so the pages function needs no provider adapter)', () => {
  it.each([
    ['google', 'https://accounts.google.com'],
    ['fitbit', 'https://www.fitbit.com'],
  ] as const)('%s -> %s', (provider, origin) => {
    expect(authorizationOrigin({ PROVIDER: provider, ...urls })).toBe(origin);
  });
});
