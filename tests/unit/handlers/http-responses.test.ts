import {
  InvalidGrantError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../src/domain/errors';
import {
  cookieOf,
  errorResult,
  fromAnotherSite,
  headerOf,
  htmlResult,
  MAX_FORM_BYTES,
  pageForError,
  readForm,
  SIGNUP_COOKIE,
  signupCookie,
} from '../../../src/handlers/http-responses';
import { RecordingLogger } from '../../support/fakes';
import { httpEvent } from '../../support/http-events';

const event = httpEvent;

const FORM = 'application/x-www-form-urlencoded';

describe('readForm', () => {
  it('reads a url-encoded form', () => {
    const result = readForm(
      event({ headers: { 'content-type': FORM }, body: 'phone=%2B1+201+555+0123&consent=yes' }),
    );

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.fields.get('phone')).toBe('+1 201 555 0123');
    expect(result.fields.get('consent')).toBe('yes');
  });

  it('accepts a charset parameter and any header or value case', () => {
    const result = readForm(
      event({ headers: { 'Content-Type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }, body: 'a=1' }),
    );

    expect(result.ok && result.fields.get('a')).toBe('1');
  });

  it('decodes a base64 body', () => {
    const body = Buffer.from('phone=2015550123&consent=on').toString('base64');

    const result = readForm(event({ headers: { 'content-type': FORM }, body, isBase64Encoded: true }));

    expect(result.ok && result.fields.get('phone')).toBe('2015550123');
  });

  it.each([
    ['JSON', 'application/json'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['plain text', 'text/plain'],
    ['a look-alike', 'application/x-www-form-urlencoded-evil'],
  ])('refuses %s with 415', (_what, contentType) => {
    expect(readForm(event({ headers: { 'content-type': contentType }, body: 'a=1' }))).toEqual({
      ok: false,
      status: 415,
    });
  });

  it('refuses a request without a content type with 415', () => {
    expect(readForm(event({ body: 'a=1' }))).toEqual({ ok: false, status: 415 });
  });

  it(`accepts ${MAX_FORM_BYTES} bytes and refuses one more with 413`, () => {
    const at = `a=${'x'.repeat(MAX_FORM_BYTES - 2)}`;

    expect(readForm(event({ headers: { 'content-type': FORM }, body: at })).ok).toBe(true);
    expect(readForm(event({ headers: { 'content-type': FORM }, body: `${at}x` }))).toEqual({
      ok: false,
      status: 413,
    });
  });

  it('measures the size in bytes, not characters', () => {
    const body = `a=${'é'.repeat(MAX_FORM_BYTES / 2)}`;

    expect(readForm(event({ headers: { 'content-type': FORM }, body }))).toEqual({ ok: false, status: 413 });
  });

  it('measures a base64 body after decoding', () => {
    const decoded = `a=${'x'.repeat(MAX_FORM_BYTES)}`;
    const body = Buffer.from(decoded).toString('base64');

    expect(readForm(event({ headers: { 'content-type': FORM }, body, isBase64Encoded: true }))).toEqual({
      ok: false,
      status: 413,
    });
  });

  it('reads a missing body as an empty form', () => {
    const result = readForm(event({ headers: { 'content-type': FORM } }));

    expect(result.ok && [...result.fields.keys()]).toEqual([]);
  });
});

describe('headerOf', () => {
  it('finds a header whatever its case', () => {
    expect(headerOf(event({ headers: { 'X-Thing': 'v' } }), 'x-thing')).toBe('v');
    expect(headerOf(event({ headers: {} }), 'x-thing')).toBeUndefined();
  });
});

describe('cookieOf', () => {
  it('reads a cookie from the payload v2 cookies array', () => {
    const e = event({ cookies: ['other=1', `${SIGNUP_COOKIE}=nonce-abc`] });

    expect(cookieOf(e, SIGNUP_COOKIE)).toBe('nonce-abc');
  });

  it('reads a cookie from a Cookie header', () => {
    const e = event({ headers: { Cookie: `a=1; ${SIGNUP_COOKIE}=nonce-abc; b=2` } });

    expect(cookieOf(e, SIGNUP_COOKIE)).toBe('nonce-abc');
  });

  it('keeps "=" inside a cookie value', () => {
    expect(cookieOf(event({ cookies: [`${SIGNUP_COOKIE}=a=b==`] }), SIGNUP_COOKIE)).toBe('a=b==');
  });

  it('does not match a cookie whose name only starts with the one asked for', () => {
    expect(cookieOf(event({ cookies: [`${SIGNUP_COOKIE}x=nope`] }), SIGNUP_COOKIE)).toBeUndefined();
  });

  it('returns undefined when there is no such cookie', () => {
    expect(cookieOf(event(), SIGNUP_COOKIE)).toBeUndefined();
  });
});

describe('signupCookie', () => {
  it('is HttpOnly, SameSite=Lax, scoped to /oauth and Secure on https', () => {
    const cookie = signupCookie('nonce-abc', 'https://signup.example.test', 600);

    expect(cookie).toBe(
      `${SIGNUP_COOKIE}=nonce-abc; Path=/oauth; Max-Age=600; HttpOnly; SameSite=Lax; Secure`,
    );
  });

  it('drops Secure for a local http address', () => {
    expect(signupCookie('', 'http://localhost:3000', 0)).not.toContain('Secure');
  });
});

describe('htmlResult', () => {
  it('returns HTML with the security headers, extra headers and cookies', () => {
    const result = htmlResult(302, '', {
      formTarget: 'https://accounts.example.test',
      headers: { location: 'https://accounts.example.test/auth' },
      cookies: ['a=1'],
    });

    expect(result.statusCode).toBe(302);
    expect(result.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers?.location).toBe('https://accounts.example.test/auth');
    expect(result.headers?.['content-security-policy']).toContain('https://accounts.example.test');
    expect(result.cookies).toEqual(['a=1']);
  });

  it('sets no cookies unless asked', () => {
    expect(htmlResult(200, 'x')).not.toHaveProperty('cookies');
  });
});

describe('pageForError', () => {
  it.each([
    [new ProviderRetiredError('HTTP 410'), 502, 'This Fitbit connection no longer works'],
    [new ProviderUnavailableError('HTTP 503'), 503, 'Google is not answering right now'],
    [new RateLimitedError('HTTP 429', 30), 503, 'Google is not answering right now'],
    [new InvalidGrantError('invalid_grant'), 500, 'Something went wrong on our side'],
    [new Error('ECONNRESET at 10.0.0.1 secret-internal-detail'), 500, 'Something went wrong on our side'],
    ['a string', 500, 'Something went wrong on our side'],
  ])('maps %p to HTTP %d with a page in plain words', (error, status, title) => {
    const logger = new RecordingLogger();

    const result = pageForError(error, logger);

    expect(result.statusCode).toBe(status);
    expect(result.body).toContain(title);
    expect(result.body).not.toContain('secret-internal-detail');
    expect(logger.dump()).not.toContain('secret-internal-detail');
  });

  it('logs our own failures as errors', () => {
    const logger = new RecordingLogger();

    pageForError(new Error('boom'), logger);

    expect(logger.entries).toEqual([
      { level: 'error', message: 'sign-up failed', extra: { error: 'Error' } },
    ]);
  });
});

describe('errorResult', () => {
  it('carries the status and the security headers', () => {
    const result = errorResult(404, 'not_found');

    expect(result.statusCode).toBe(404);
    expect(result.headers?.['content-security-policy']).toBeDefined();
    expect(result.body).toContain('Page not found');
  });
});

describe('fromAnotherSite', () => {
  const OWN = 'https://signup.example.test';
  const withHeaders = (headers: Record<string, string>) => event({ headers });

  it.each([
    ['a cross-site form post', { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }],
    ['a same-site (sibling subdomain) post', { 'Sec-Fetch-Site': 'same-site' }],
    ['another Origin without fetch metadata', { origin: 'https://evil.example' }],
    ['an opaque origin without fetch metadata (sandboxed frame, old browser)', { origin: 'null' }],
    ['our host over another scheme', { origin: 'http://signup.example.test' }],
  ])('refuses %s (finding 3: login CSRF)', (_what, headers) => {
    expect(fromAnotherSite(withHeaders(headers), OWN)).toBe(true);
  });

  it.each([
    ['our own page', { 'sec-fetch-site': 'same-origin', origin: OWN }],
    ['an address typed or bookmarked', { 'sec-fetch-site': 'none' }],
    ['a script with neither header', {}],
    ['an older browser sending only our Origin', { origin: OWN }],
    [
      "our page where the browser says same-origin (its Origin is the browser's business)",
      { 'sec-fetch-site': 'same-origin', origin: 'null' },
    ],
  ])('lets %s through', (_what, headers) => {
    expect(fromAnotherSite(withHeaders(headers), OWN)).toBe(false);
  });
});
