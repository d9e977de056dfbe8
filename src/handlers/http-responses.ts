/**
 * What the web handlers share: building HTML responses with the security headers, reading form
 * bodies and cookies defensively, and mapping errors to pages in one place.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ProviderRetiredError, ProviderUnavailableError, RateLimitedError } from '../domain/errors';
import type { Logger } from '../ports';
import { securityHeaders } from '../web/html';
import { type ErrorKind, errorPage } from '../web/pages';

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** Forms here carry a phone number and a checkbox; anything bigger is not a person's sign-up. */
export const MAX_FORM_BYTES = 2048;
export const SIGNUP_COOKIE = 'fbs_signup';

export function htmlResult(
  statusCode: number,
  body: string,
  options: { formTarget?: string; headers?: Record<string, string>; cookies?: string[] } = {},
): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...securityHeaders(options.formTarget),
      ...options.headers,
    },
    body,
    ...(options.cookies ? { cookies: options.cookies } : {}),
  };
}

export function errorResult(statusCode: number, kind: ErrorKind): HttpResult {
  return htmlResult(statusCode, errorPage(kind));
}

export type FormResult = { ok: true; fields: URLSearchParams } | { ok: false; status: 400 | 413 | 415 };

export function readForm(event: APIGatewayProxyEventV2): FormResult {
  const contentType = headerOf(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') return { ok: false, status: 415 };
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_FORM_BYTES) return { ok: false, status: 413 };
  return { ok: true, fields: new URLSearchParams(bytes.toString('utf8')) };
}

export function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

export function cookieOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const all = [...(event.cookies ?? []), ...(headerOf(event, 'cookie')?.split(';') ?? [])];
  for (const cookie of all) {
    const [key, ...rest] = cookie.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

/**
 * True when the browser says the request comes from another site. `Sec-Fetch-Site` decides when
 * present (browsers set it and no page can forge it): only same-origin, or none (a typed address), pass.
 * Without it (older browsers, plain-HTTP hosts) the `Origin` must be ours; "null" (a sandboxed frame,
 * a page with no-referrer) is not. A request with neither header (a script) is let through: login
 * CSRF needs a browser, and a browser that submits a cross-site form sends at least one of them.
 */
export function fromAnotherSite(event: APIGatewayProxyEventV2, ownOrigin: string): boolean {
  const site = headerOf(event, 'sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = headerOf(event, 'origin')?.trim();
  return origin !== undefined && origin !== ownOrigin;
}

/** The cookie that binds an OAuth state to the browser that asked for it. */
export function signupCookie(value: string, publicBaseUrl: string, maxAgeSeconds: number): string {
  const secure = publicBaseUrl.startsWith('https://') ? '; Secure' : '';
  return `${SIGNUP_COOKIE}=${value}; Path=/oauth; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`;
}

/** Errors a person can do something about get their own page; the rest are ours. */
export function pageForError(error: unknown, logger: Logger): HttpResult {
  if (error instanceof ProviderRetiredError) return errorResult(502, 'provider_retired');
  if (error instanceof ProviderUnavailableError || error instanceof RateLimitedError) {
    logger.warn('provider unavailable during sign-up', { error: error.name });
    return errorResult(503, 'provider_unavailable');
  }
  logger.error('sign-up failed', { error: error instanceof Error ? error.name : 'unknown' });
  return errorResult(500, 'internal');
}
