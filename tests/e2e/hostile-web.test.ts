/**
 * Hostile web input against the real local stack: oversized bodies, wrong content types, markup and
 * CRLF in every field and in OAuth error parameters, and open-redirect attempts through any
 * parameter or header. Every answer must be safe: escaped, no injected header, no stack trace, and
 * the only redirect ever issued is /signup's 302 to the configured provider.
 */
import { request as httpRequest } from 'node:http';
import { useTestStack } from './stack';

const stack = useTestStack();

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

/** A raw HTTP request: any method, any header (Host included), any body, no redirect following. */
function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  const url = new URL(stack.app);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** Markup and header-injection payloads, each with the raw fragment that must never come back. */
const PAYLOADS: Array<{ value: string; raw: string[] }> = [
  { value: '<script>alert(1)</script>', raw: ['<script', '</script>'] },
  { value: '"><img src=x onerror=alert(1)>', raw: ['<img', '"><img'] },
  { value: "'><svg/onload=alert(1)>", raw: ['<svg', "'><svg"] },
  { value: '`-alert(1)-`<iframe src=javascript:alert(1)>', raw: ['<iframe', '`-alert'] },
  { value: '+1 201 555 0123\r\nSet-Cookie: evil=1\r\nLocation: https://evil.example', raw: ['evil=1'] },
  { value: '%0d%0aSet-Cookie:%20evil=1', raw: [] },
];

const SECURITY_HEADERS = [
  'content-security-policy',
  'strict-transport-security',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
];

/** A stack frame, a source path or a JavaScript error name (the pages' own titles say "Error: ..."). */
const TRACE =
  /\n\s+at \S+ \(|\.(ts|js|cjs|mjs):\d+:\d+|node_modules|\/work\/|\b(Type|Range|Reference|Syntax)Error\b/;

/** What every answer must satisfy: no stack trace, no injected header, no redirect elsewhere. */
function expectSafe(response: RawResponse, what: string): void {
  const context = `${what} -> ${response.status}`;
  expect({
    context,
    trace: TRACE.test(response.body),
  }).toEqual({
    context,
    trace: false,
  });
  for (const name of Object.keys(response.headers)) {
    expect({ context, name }).not.toEqual({ context, name: 'evil' });
  }
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  for (const cookie of cookies) expect(cookie).not.toMatch(/evil/i);
  for (const value of response.rawHeaders) expect(value).not.toMatch(/[\r\n]|evil\.example/);
  if (response.status >= 300 && response.status < 400) {
    // The one redirect the app issues: /signup, to the provider's consent screen.
    expect({ context, redirect: true }).toEqual({ context, redirect: false });
  }
  expect(response.status).not.toBe(500);
}

function expectHtmlPage(response: RawResponse, what: string): void {
  expect({ what, type: response.headers['content-type'] }).toEqual({
    what,
    type: 'text/html; charset=utf-8',
  });
  for (const name of SECURITY_HEADERS)
    expect({ what, name, set: Boolean(response.headers[name]) }).toEqual({ what, name, set: true });
  expect(response.headers['content-security-policy']).toContain("default-src 'none'");
  expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(response.headers['content-security-policy']).not.toContain('unsafe-inline');
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['referrer-policy']).toBe('same-origin');
  expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
}

function expectNoRawMarkup(body: string, payload: { raw: string[] }): void {
  for (const fragment of payload.raw) expect(body).not.toContain(fragment);
  // The app's own pages carry no script at all, and no event handler attribute.
  // (A reflected value may still read "javascript:" as escaped text inside value="...": harmless.)
  expect(body).not.toMatch(/<script|<img|<svg|<iframe|\sonerror=|\sonload=|(href|src|action)="?javascript:/i);
}

/**
 * Sign-ups started so far: each one's first act is the signup function's DynamoDB PutItem, which the
 * local IAM gateway records before it answers, so a request that has been answered is counted.
 */
function signupsStarted(): number {
  return stack.iamCalls().filter((c) => c.caller === 'signup' && c.action === 'dynamodb:PutItem').length;
}

describe('hostile web input on the local stack', () => {
  it('counts a sign-up that did start, so "none started" below means something', async () => {
    const before = signupsStarted();
    const response = await raw('POST', '/signup', form({ phone: '(201) 555-0141', consent: 'yes' }));

    expect(response.status).toBe(302);
    expect(signupsStarted()).toBe(before + 1);
  });

  describe('POST /signup bodies', () => {
    it('answers a 1 MB form with a 413 page and starts no sign-up', async () => {
      const before = signupsStarted();
      const big = `phone=${encodeURIComponent('+12015550123')}&consent=yes&pad=${'a'.repeat(1_000_000)}`;

      const response = await raw('POST', '/signup', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: big,
      });

      expectSafe(response, '1 MB form');
      expect(response.status).toBe(413);
      expectHtmlPage(response, '1 MB form');
      expect(response.body).toContain('Something was wrong with that request');
      expect(signupsStarted()).toBe(before);
    });

    it('answers a body bigger than the local gateway takes without a 500, trace or reflection', async () => {
      const before = signupsStarted();
      const response = await raw('POST', '/signup', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `phone=%3Cscript%3E&pad=${'b'.repeat(12 * 1024 * 1024)}`,
      }).catch((error: NodeJS.ErrnoException) => ({ status: -1, error: error.code }) as const);

      // serverless-offline may refuse it itself (413) or even close the socket; either is safe.
      if ('error' in response) {
        expect(['ECONNRESET', 'EPIPE']).toContain(response.error);
      } else {
        expectSafe(response, '12 MB form');
        expect(response.status).toBe(413);
        expect(response.body).not.toContain('<script>');
      }
      expect(signupsStarted()).toBe(before);
    });

    it.each([
      ['text/plain', 'phone=+12015550123&consent=yes'],
      ['application/json', JSON.stringify({ phone: '+12015550123', consent: 'yes' })],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="phone"\r\n\r\n+12015550123\r\n--x\r\nContent-Disposition: form-data; name="consent"\r\n\r\nyes\r\n--x--\r\n',
      ],
      ['application/xml', '<phone>+12015550123</phone>'],
      ['text/html', '<script>alert(1)</script>'],
      ['application/x-www-form-urlencodedx', 'phone=+12015550123&consent=yes'],
    ])('refuses a %s body with a 415 page and starts no sign-up', async (type, body) => {
      const before = signupsStarted();
      const response = await raw('POST', '/signup', { headers: { 'content-type': type }, body });

      expectSafe(response, type);
      expect(response.status).toBe(415);
      expectHtmlPage(response, type);
      expectNoRawMarkup(response.body, { raw: ['<phone>', '<script>'] });
      expect(signupsStarted()).toBe(before);
    });

    it('refuses a POST with no content type and no body with a 415 page', async () => {
      const response = await raw('POST', '/signup');

      expectSafe(response, 'no body');
      expect(response.status).toBe(415);
      expectHtmlPage(response, 'no body');
    });

    it('re-renders the form with 400 for an empty form body', async () => {
      const response = await raw('POST', '/signup', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '',
      });

      expectSafe(response, 'empty form');
      expect(response.status).toBe(400);
      expectHtmlPage(response, 'empty form');
      expect(response.body).toContain('Enter your mobile number');
    });

    it('reads a form body with odd encodings (bad percent escapes, NULs, repeated fields) without failing', async () => {
      for (const body of [
        'phone=%E0%A4%A&consent=yes',
        'phone=%00%00&consent=%FF',
        'phone=1&phone=2&consent=yes&consent=no',
        '&&&=&=',
      ]) {
        const response = await raw('POST', '/signup', {
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body,
        });
        expectSafe(response, body);
        expect(response.status).toBe(400);
        expectHtmlPage(response, body);
      }
    });
  });

  describe('markup and CRLF in the sign-up fields', () => {
    it.each(PAYLOADS.map((p) => [p.value, p]))(
      'escapes phone %j and answers 400, no header injected',
      async (_v, payload) => {
        const before = signupsStarted();
        const response = await raw('POST', '/signup', form({ phone: payload.value, consent: 'yes' }));

        expectSafe(response, `phone ${payload.value}`);
        expect(response.status).toBe(400);
        expectHtmlPage(response, 'phone');
        expectNoRawMarkup(response.body, payload);
        expect(response.headers['set-cookie']).toBeUndefined();
        expect(response.headers.location).toBeUndefined();
        // Shown back to the person, escaped (the field keeps at most 64 characters of it).
        if (payload.value.startsWith('<script>'))
          expect(response.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
        expect(signupsStarted()).toBe(before);
      },
    );

    it.each(PAYLOADS.map((p) => [p.value, p]))(
      'does not reflect consent %j and answers 400',
      async (_v, payload) => {
        const response = await raw(
          'POST',
          '/signup',
          form({ phone: '(201) 555-0140', consent: payload.value }),
        );

        expectSafe(response, `consent ${payload.value}`);
        expect(response.status).toBe(400);
        expectHtmlPage(response, 'consent');
        expectNoRawMarkup(response.body, payload);
        expect(response.body).toContain('Tick the box');
        expect(response.headers['set-cookie']).toBeUndefined();
      },
    );

    it('keeps CRLF in a query string or an extra field out of the headers', async () => {
      const response = await raw('POST', '/signup?x=%0d%0aSet-Cookie:%20evil=1&next=https://evil.example', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'phone=12345&consent=yes&redirect=https%3A%2F%2Fevil.example%2F%0d%0aSet-Cookie%3A%20evil%3D1',
      });

      expectSafe(response, 'CRLF query');
      expect(response.status).toBe(400);
    });
  });

  describe('GET /oauth/callback parameters', () => {
    const cases: Array<[string, string, string[]]> = [
      ['error markup', `error=${encodeURIComponent('<script>alert(1)</script>')}`, ['<script']],
      [
        'error_description markup',
        `error=access_denied&error_description=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`,
        ['<img', 'onerror'],
      ],
      [
        'error_uri',
        `error=access_denied&error_uri=${encodeURIComponent('javascript:alert(1)')}`,
        ['javascript:'],
      ],
      ['state markup', `code=abc&state=${encodeURIComponent('<script>alert(1)</script>')}`, ['<script']],
      ['state markup with error', `error=x&state=${encodeURIComponent('"><svg onload=alert(1)>')}`, ['<svg']],
      ['huge state', `code=abc&state=${'A'.repeat(6000)}`, ['AAAAAAAAAAAAAAAA']],
      [
        'code with CRLF',
        `code=${encodeURIComponent('abc\r\nSet-Cookie: evil=1')}&state=${'s'.repeat(43)}`,
        ['evil'],
      ],
      [
        'state with CRLF',
        `code=abc&state=${encodeURIComponent('x\r\nLocation: https://evil.example')}`,
        ['evil'],
      ],
      [
        'everything at once',
        `error=${encodeURIComponent('<b>x</b>')}&code=${encodeURIComponent('<i>')}&state=${encodeURIComponent('<u>')}`,
        ['<b>', '<i>', '<u>'],
      ],
    ];

    it.each(cases)(
      '%s: a page, escaped, with no reflection and no redirect',
      async (what, query, rawFragments) => {
        const response = await raw('GET', `/oauth/callback?${query}`);

        expectSafe(response, what);
        expect([200, 400]).toContain(response.status);
        expectHtmlPage(response, what);
        expectNoRawMarkup(response.body, { raw: rawFragments });
        // The parameters are never shown, not even escaped.
        expect(response.body).not.toMatch(/alert\(1\)|&#60;script/);
      },
    );

    it('refuses a query string too long for the server without a trace or a reflection', async () => {
      const response = await raw(
        'GET',
        `/oauth/callback?code=abc&state=${'<'.repeat(10)}${'A'.repeat(70_000)}`,
      );

      expectSafe(response, 'very long query');
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.body).not.toContain('AAAAAAAA');
    });
  });

  describe('open redirects', () => {
    const EVIL = 'https://evil.example/steal';
    const params = [
      'redirect',
      'redirect_uri',
      'next',
      'return_to',
      'returnTo',
      'url',
      'continue',
      'dest',
      'goto',
    ];
    const query = params.map((p) => `${p}=${encodeURIComponent(EVIL)}`).join('&');
    const hostile = {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      forwarded: 'host=evil.example',
    };

    it.each([
      '/',
      '/privacy',
      '/terms',
      '/style.css',
      '/oauth/callback',
      '/nowhere',
      '//evil.example',
      '/%2F%2Fevil.example',
      '/\\evil.example',
    ])('GET %s with redirect parameters and forged Host headers never redirects', async (path) => {
      for (const headers of [{}, hostile]) {
        const response = await raw('GET', `${path}${path.includes('?') ? '&' : '?'}${query}`, { headers });
        expectSafe(response, `GET ${path}`);
        expect(response.body).not.toContain('evil.example');
      }
    });

    it('the only redirect, /signup, goes to the configured provider whatever the request says', async () => {
      for (const headers of [{}, hostile]) {
        const response = await raw('POST', `/signup?${query}`, {
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: `phone=${encodeURIComponent('(201) 555-0141')}&consent=yes&${query}`,
        });

        expect(response.status).toBe(302);
        const location = new URL(String(response.headers.location));
        expect(location.origin).toBe(stack.sandbox);
        expect(String(response.headers.location)).not.toContain('evil.example');
        // The callback it asks the provider to use is the app's own, from configuration.
        expect(new URL(location.searchParams.get('redirect_uri') ?? '').origin).toBe(stack.app);
        for (const name of SECURITY_HEADERS) expect(response.headers[name]).toBeDefined();
      }
    });

    it('a callback with redirect parameters answers with a page, never a redirect', async () => {
      const response = await raw('GET', `/oauth/callback?code=abc&state=${'s'.repeat(43)}&${query}`, {
        headers: hostile,
      });

      expectSafe(response, 'callback');
      expect(response.status).toBe(400);
      expect(response.body).not.toContain('evil.example');
    });
  });

  describe('unknown routes and methods', () => {
    it.each([
      '/nope',
      '/signup',
      '/oauth',
      '/oauth/callback/extra',
      '/.env',
      '/privacy/../../etc/passwd',
      '/%3Cscript%3Ealert(1)%3C/script%3E',
    ])('GET %s is the product 404 page', async (path) => {
      const response = await raw('GET', path);

      expectSafe(response, path);
      expect(response.status).toBe(404);
      expectHtmlPage(response, path);
      expect(response.body).toContain('Page not found');
      expectNoRawMarkup(response.body, { raw: ['<script>alert'] });
    });

    it.each([
      ['POST', '/'],
      ['PUT', '/signup'],
      ['DELETE', '/oauth/callback'],
      ['POST', '/oauth/callback'],
      ['PATCH', '/privacy'],
    ])('%s %s answers 4xx safely', async (method, path) => {
      const response = await raw(method, path, form({ phone: '<script>alert(1)</script>' }));

      expectSafe(response, `${method} ${path}`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body).not.toContain('<script>alert');
    });
  });

  describe('security headers', () => {
    it.each([
      ['GET', '/'],
      ['GET', '/privacy'],
      ['GET', '/missing'],
      ['GET', '/oauth/callback'],
      ['GET', '/oauth/callback?error=access_denied'],
    ])('%s %s carries CSP, HSTS, frame and referrer headers', async (method, path) => {
      const response = await raw(method, path);

      expectSafe(response, path);
      expectHtmlPage(response, path);
    });
  });

  it('never logged a payload verbatim in a way that could reach a page', () => {
    // The logs are not a page, but no request above should have failed inside a handler.
    expect(stack.logs.join('\n')).not.toMatch(/"level":"ERROR".*sign-up failed/);
  });
});
