/**
 * The data APIs the app polls: Google Health API v4 (pairedDevices, identity, settings) and the
 * legacy Fitbit Web API (devices.json, profile.json) over the same users and devices, each with its
 * provider's auth errors, so both client adapters can be exercised against one world.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Ctx, countCall, getUser } from './context';
import { type CallTarget, intercept } from './faults';
import { googleApiErrorBody } from './google-errors';
import { HttpError, type Router, sendJson } from './http';
import type { Grant, PairedDevice, Provider, User } from './state';

/** The scope the Health API wants for devices, settings and identity. */
export const GOOGLE_SETTINGS_SCOPE = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';

function googleError(code: number, status: string, message: string, reason?: string): HttpError {
  const headers: Record<string, string> =
    code === 401
      ? { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' }
      : {};
  return new HttpError(code, googleApiErrorBody(code, status, message, reason), headers);
}

/** What Google answers for an account with no Google Health profile, or a legacy Fitbit login. */
function unlinkedError(user: User): HttpError | undefined {
  if (user.unlinked === 'not-linked')
    return googleError(
      400,
      'FAILED_PRECONDITION',
      'The account is not linked to Google Health.',
      'ACCOUNT_NOT_LINKED',
    );
  if (user.unlinked === 'legacy-login')
    return googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
  return undefined;
}

function fitbitError(status: number, errorType: string, message: string): HttpError {
  return new HttpError(status, { errors: [{ errorType, message }], success: false });
}

/** Resolves the bearer token to its user, or explains in the provider's words why not. */
function authenticate(ctx: Ctx, req: IncomingMessage, provider: Provider): { user: User; grant: Grant } {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const value = m?.[1] ?? '';
  const access = ctx.store.accessToken(value);
  const grant = access ? ctx.store.grant(access.grantId) : undefined;
  const user = grant ? getUser(ctx, grant.userId) : undefined;
  const expired = access !== undefined && ctx.now() >= access.expiresAt;
  if (!access || !grant || grant.provider !== provider || grant.revoked || !user || expired) {
    if (provider === 'google') {
      throw googleError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        'ACCESS_TOKEN_EXPIRED',
      );
    }
    if (expired && grant && !grant.revoked) {
      throw fitbitError(401, 'expired_token', `Access token expired: ${value.slice(0, 6)}...`);
    }
    throw fitbitError(
      401,
      'invalid_token',
      'Access token invalid. Visit https://dev.fitbit.com/docs/oauth2.',
    );
  }
  return { user, grant };
}

function hasScope(grant: Grant, scope: string): boolean {
  return grant.scope.split(/\s+/).includes(scope);
}

function googleAuth(ctx: Ctx, req: IncomingMessage, userParam: string | undefined): User {
  const { user, grant } = authenticate(ctx, req, 'google');
  if (!hasScope(grant, GOOGLE_SETTINGS_SCOPE)) {
    throw googleError(
      403,
      'PERMISSION_DENIED',
      'Request had insufficient authentication scopes.',
      'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
    );
  }
  if (userParam !== 'me' && userParam !== user.id) {
    throw googleError(403, 'PERMISSION_DENIED', 'The caller does not have permission');
  }
  const unlinked = unlinkedError(user);
  if (unlinked) throw unlinked;
  return user;
}

/** Identity and settings are documented as `users/me/...` only. */
function meOnly(userParam: string | undefined, what: string) {
  if (userParam !== 'me')
    throw googleError(400, 'INVALID_ARGUMENT', `Invalid resource name: ${what} is read as users/me/${what}.`);
}

/** Whose data a request is about, for aiming faults: the bearer token's user, else the path's. */
function callUser(ctx: Ctx, req: IncomingMessage, userParam?: string): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  const access = ctx.store.accessToken(m?.[1] ?? '');
  const grant = access ? ctx.store.grant(access.grantId) : undefined;
  if (grant) return grant.userId;
  return userParam && userParam !== 'me' ? userParam : undefined;
}

/** Building a DateTimeFormat costs far more than using one: keep one per zone. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Offset of a time zone from UTC at an instant, in minutes (Intl only gives wall-clock parts). */
export function utcOffsetMinutes(timeZone: string, ms: number): number {
  const parts = formatter(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

/** Legacy sync times are the user's wall-clock time with no offset, e.g. 2026-11-20T09:03:11.000. */
export function legacyLocalTime(isoUtc: string, timeZone: string): string {
  const ms = Date.parse(isoUtc);
  return new Date(ms + utcOffsetMinutes(timeZone, ms) * 60000).toISOString().replace('Z', '');
}

function decodePageToken(raw: string | null): number {
  if (!raw) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through to the error below
  }
  throw googleError(400, 'INVALID_ARGUMENT', 'Invalid page token.');
}

function pageSize(raw: string | null): number {
  if (raw === null || raw === '') return 5;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw googleError(400, 'INVALID_ARGUMENT', 'pageSize must be a non-negative integer.');
  if (n === 0) return 5;
  return Math.min(n, 100);
}

export function registerHealthApi(router: Router, ctx: Ctx) {
  for (const version of ['v4', 'v4beta']) {
    router.on('GET', `/${version}/users/:user/pairedDevices`, async (req, res, p, url) => {
      if (
        await intercept(ctx, req, res, { target: 'devices', user: callUser(ctx, req, p.user) }, 'google-api')
      )
        return;
      const user = googleAuth(ctx, req, p.user);
      countCall(ctx, user, 'pairedDevices');
      const offset = decodePageToken(url.searchParams.get('pageToken'));
      const size = pageSize(url.searchParams.get('pageSize'));
      const slice = user.devices.slice(offset, offset + size);
      const next = offset + size < user.devices.length;
      // proto3 JSON omits an empty list and the token on the last page.
      sendJson(res, 200, {
        ...(slice.length ? { pairedDevices: slice } : {}),
        ...(next
          ? { nextPageToken: Buffer.from(JSON.stringify({ o: offset + size })).toString('base64url') }
          : {}),
      });
    });
    router.on('GET', `/${version}/users/:user/identity`, async (req, res, p) => {
      if (
        await intercept(ctx, req, res, { target: 'identity', user: callUser(ctx, req, p.user) }, 'google-api')
      )
        return;
      const user = googleAuth(ctx, req, p.user);
      meOnly(p.user, 'identity');
      countCall(ctx, user, 'identity');
      sendJson(res, 200, {
        name: 'users/me/identity',
        healthUserId: user.id,
        legacyUserId: user.legacyUserId,
      });
    });
    router.on('GET', `/${version}/users/:user/settings`, async (req, res, p) => {
      if (
        await intercept(ctx, req, res, { target: 'settings', user: callUser(ctx, req, p.user) }, 'google-api')
      )
        return;
      const user = googleAuth(ctx, req, p.user);
      meOnly(p.user, 'settings');
      countCall(ctx, user, 'settings');
      // timeZone is optional in Google's Settings: a user without one gets neither it nor an offset.
      const zone = user.timeZone
        ? { timeZone: user.timeZone, utcOffset: `${utcOffsetMinutes(user.timeZone, ctx.now()) * 60}s` }
        : {};
      sendJson(res, 200, { name: 'users/me/settings', ...zone, languageLocale: 'en_US' });
    });
  }

  const legacy =
    (kind: string, target: CallTarget, scope: string, build: (user: User) => unknown) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      if (await intercept(ctx, req, res, { target, user: callUser(ctx, req) }, 'fitbit')) return;
      if (ctx.store.data.legacyRetired)
        throw fitbitError(410, 'gone', 'The Fitbit Web API has been turned off.');
      const { user, grant } = authenticate(ctx, req, 'fitbit');
      if (!hasScope(grant, scope)) {
        throw fitbitError(
          403,
          'insufficient_scope',
          `This application does not have permission to access ${scope} data.`,
        );
      }
      countCall(ctx, user, kind);
      sendJson(res, 200, build(user), {
        'fitbit-rate-limit-limit': '150',
        'fitbit-rate-limit-remaining': '149',
        'fitbit-rate-limit-reset': String(3600 - (Math.floor(ctx.now() / 1000) % 3600)),
      });
    };
  router.on(
    'GET',
    '/1/user/-/devices.json',
    legacy('legacyDevices', 'devices', 'settings', (user) =>
      user.devices.map((d) => legacyDevice(d, user.timeZone || 'UTC')),
    ),
  );
  router.on(
    'GET',
    '/1/user/-/profile.json',
    legacy('legacyProfile', 'settings', 'profile', (user) => ({
      user: {
        encodedId: user.legacyUserId,
        displayName: user.displayName,
        fullName: user.displayName,
        timezone: user.timeZone || 'UTC',
        offsetFromUTCMillis: utcOffsetMinutes(user.timeZone || 'UTC', ctx.now()) * 60000,
      },
    })),
  );
}

function legacyDevice(d: PairedDevice, timeZone: string) {
  return {
    ...(d.batteryStatus ? { battery: d.batteryStatus } : {}),
    ...(d.batteryLevel !== undefined ? { batteryLevel: d.batteryLevel } : {}),
    ...(d.deviceVersion ? { deviceVersion: d.deviceVersion } : {}),
    features: d.features ?? [],
    id: d.name.split('/').pop() ?? '',
    ...(d.lastSyncTime ? { lastSyncTime: legacyLocalTime(d.lastSyncTime, timeZone) } : {}),
    ...(d.macAddress ? { mac: d.macAddress } : {}),
    type: d.deviceType === 'SCALE' ? 'SCALE' : 'TRACKER',
  };
}
