/**
 * JSON control endpoints for scripts and tests: shape users' devices and settings, force token
 * expiry or revocation, retire the legacy API, and read or write phone conversations. Tokens leave
 * through one door only: POST /sandbox/users/<id>/grant, a test and bench helper that mints a Google
 * grant without the browser flow.
 */
import { type Ctx, ensureUser, getUser } from './context';
import { GOOGLE_SETTINGS_SCOPE } from './health-api';
import { E164, HttpError, type Router, readJson, sendJson } from './http';
import { mintGoogleGrant } from './oauth';
import { BATTERY_STATUSES, DEVICE_TYPES, deviceId, type PairedDevice, rfc3339, type User } from './state';

const DEVICE_KEYS = new Set([
  'name',
  'deviceType',
  'batteryStatus',
  'batteryLevel',
  'lastSyncTime',
  'deviceVersion',
  'macAddress',
  'features',
]);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function bad(message: string): HttpError {
  return new HttpError(400, { error: message });
}

/** Checks a PUT body strictly: a typo such as `battery` (the legacy name) should fail loudly. */
export function parseDevices(user: User, input: unknown): PairedDevice[] {
  if (!Array.isArray(input)) throw bad('body must be a JSON array of PairedDevice objects');
  const names = new Set<string>();
  const draft: User = { ...user, devices: [] };
  return input.map((item: unknown, i) => {
    const at = `device [${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw bad(`${at} must be an object`);
    const d = item as Record<string, unknown>;
    for (const key of Object.keys(d)) {
      if (!DEVICE_KEYS.has(key))
        throw bad(`${at}: unknown field "${key}" (allowed: ${[...DEVICE_KEYS].join(', ')})`);
    }
    const device: PairedDevice = { name: '' };
    if (d.name !== undefined) {
      if (
        typeof d.name !== 'string' ||
        !d.name.startsWith(`users/${user.id}/pairedDevices/`) ||
        d.name.split('/').length !== 4
      ) {
        throw bad(`${at}: name must look like users/${user.id}/pairedDevices/<id>`);
      }
      device.name = d.name;
    }
    if (d.deviceType !== undefined) {
      if (!DEVICE_TYPES.includes(d.deviceType as never))
        throw bad(`${at}: deviceType must be one of ${DEVICE_TYPES.join(', ')}`);
      device.deviceType = d.deviceType as PairedDevice['deviceType'];
    }
    if (d.batteryStatus !== undefined) {
      if (!BATTERY_STATUSES.includes(d.batteryStatus as never)) {
        throw bad(`${at}: batteryStatus must be one of ${BATTERY_STATUSES.join(', ')}`);
      }
      device.batteryStatus = d.batteryStatus as PairedDevice['batteryStatus'];
    }
    if (d.batteryLevel !== undefined) {
      if (
        typeof d.batteryLevel !== 'number' ||
        !Number.isInteger(d.batteryLevel) ||
        d.batteryLevel < 0 ||
        d.batteryLevel > 100
      ) {
        throw bad(`${at}: batteryLevel must be an integer from 0 to 100`);
      }
      device.batteryLevel = d.batteryLevel;
    }
    if (d.lastSyncTime !== undefined) {
      if (
        typeof d.lastSyncTime !== 'string' ||
        !RFC3339.test(d.lastSyncTime) ||
        Number.isNaN(Date.parse(d.lastSyncTime))
      ) {
        throw bad(`${at}: lastSyncTime must be an RFC 3339 timestamp such as 2026-11-20T14:03:11Z`);
      }
      // The API prints UTC with a Z whatever offset the script used.
      device.lastSyncTime = new Date(Date.parse(d.lastSyncTime)).toISOString().replace('.000Z', 'Z');
    }
    for (const key of ['deviceVersion', 'macAddress'] as const) {
      if (d[key] !== undefined) {
        if (typeof d[key] !== 'string') throw bad(`${at}: ${key} must be a string`);
        device[key] = d[key] as string;
      }
    }
    if (d.features !== undefined) {
      if (!Array.isArray(d.features) || !d.features.every((f) => typeof f === 'string')) {
        throw bad(`${at}: features must be an array of strings`);
      }
      device.features = d.features as string[];
    }
    if (!device.name) device.name = `users/${user.id}/pairedDevices/${deviceId(draft)}`;
    if (names.has(device.name)) throw bad(`${at}: duplicate name ${device.name}`);
    names.add(device.name);
    draft.devices.push(device);
    return device;
  });
}

export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A user as scripts see it: devices, settings and counters, no tokens. */
export function publicUser(ctx: Ctx, user: User) {
  const grants = ctx.store.grantsOf(user.id).map((g) => ({
    provider: g.provider,
    scope: g.scope,
    revoked: g.revoked,
    offline: g.refreshToken !== undefined,
    ...(g.expiresAt !== undefined ? { refreshExpiresAt: new Date(g.expiresAt).toISOString() } : {}),
    createdAt: new Date(g.createdAt).toISOString(),
  }));
  return {
    id: user.id,
    legacyUserId: user.legacyUserId,
    settings: { timeZone: user.timeZone || null },
    unlinked: user.unlinked ?? null,
    devices: user.devices,
    counters: user.counters,
    grants,
    createdAt: user.createdAt,
  };
}

export function expireTokens(ctx: Ctx, user: User) {
  const now = ctx.now();
  for (const grant of ctx.store.grantsOf(user.id)) {
    for (const access of ctx.store.accessTokensOf(grant.id))
      if (access.expiresAt > now) access.expiresAt = now - 1;
  }
  ctx.store.changed();
}

export function revokeAll(ctx: Ctx, user: User) {
  for (const grant of ctx.store.grantsOf(user.id)) grant.revoked = true;
  ctx.store.changed();
}

function userOr404(ctx: Ctx, id: string): User {
  const user = getUser(ctx, id);
  if (!user) throw new HttpError(404, { error: `no user ${id}` });
  return user;
}

function phoneParam(value: string | undefined): string {
  const phone = (value ?? '').replace(/^ /, '+');
  if (!E164.test(phone)) throw bad('phone number must be E.164, e.g. +12025550123');
  return phone;
}

export function registerControl(router: Router, ctx: Ctx) {
  router.on('GET', '/sandbox/users', (_req, res) => {
    sendJson(
      res,
      200,
      Object.values(ctx.store.data.users).map((u) => ({
        id: u.id,
        legacyUserId: u.legacyUserId,
        timeZone: u.timeZone,
        devices: u.devices.length,
      })),
    );
  });
  router.on('GET', '/sandbox/users/:id', (_req, res, p) =>
    sendJson(res, 200, publicUser(ctx, userOr404(ctx, p.id ?? ''))),
  );
  router.on('GET', '/sandbox/users/:id/devices', (_req, res, p) =>
    sendJson(res, 200, userOr404(ctx, p.id ?? '').devices),
  );
  router.on('PUT', '/sandbox/users/:id/devices', async (req, res, p) => {
    const body = await readJson(req);
    const user = ensureUser(ctx, p.id ?? '');
    user.devices = parseDevices(user, body);
    ctx.store.changed();
    // A change of devices is a sync: subscribers hear of it as Google would tell them.
    ctx.webhooks.notifySync(user);
    sendJson(res, 200, user.devices);
  });
  // A sync that changes no level: every device's sync time becomes now, and subscribers are told.
  router.on('POST', '/sandbox/users/:id/sync', async (req, res, p) => {
    const body = await readJson(req);
    if (body !== undefined && (typeof body !== 'object' || body === null || Object.keys(body).length > 0))
      throw bad('body must be empty or {}');
    const user = userOr404(ctx, p.id ?? '');
    const lastSyncTime = rfc3339(ctx.now());
    for (const device of user.devices) device.lastSyncTime = lastSyncTime;
    ctx.store.changed();
    sendJson(res, 200, { userId: user.id, lastSyncTime, notifications: ctx.webhooks.notifySync(user) });
  });
  router.on('PUT', '/sandbox/users/:id/settings', async (req, res, p) => {
    const body = (await readJson(req)) as { timeZone?: unknown } | undefined;
    // null: the person never set a zone, and Google's settings answer without one.
    if (body?.timeZone !== null && !isTimeZone(body?.timeZone))
      throw bad('timeZone must be an IANA time zone name such as Europe/Paris, or null for none');
    const user = ensureUser(ctx, p.id ?? '');
    user.timeZone = body.timeZone ?? '';
    ctx.store.changed();
    sendJson(res, 200, { timeZone: user.timeZone || null });
  });
  // Test and bench helper: a fresh offline Google grant, answered as /token answers a code exchange.
  router.on('POST', '/sandbox/users/:id/grant', async (req, res, p) => {
    const body = (await readJson(req)) as { scope?: unknown } | undefined;
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
      throw bad('body must be empty or {"scope": "<space-separated scopes>"}');
    for (const key of Object.keys(body ?? {}))
      if (key !== 'scope') throw bad(`unknown field "${key}" (allowed: scope)`);
    const scope = body?.scope ?? GOOGLE_SETTINGS_SCOPE;
    if (typeof scope !== 'string' || scope.trim() === '')
      throw bad('scope must be a non-empty string of space-separated scopes');
    const user = ensureUser(ctx, p.id ?? '');
    sendJson(res, 200, mintGoogleGrant(ctx, user, scope.trim().split(/\s+/).join(' ')));
  });
  router.on('POST', '/sandbox/users/:id/expire-tokens', (_req, res, p) => {
    expireTokens(ctx, userOr404(ctx, p.id ?? ''));
    sendJson(res, 200, {});
  });
  router.on('POST', '/sandbox/users/:id/revoke', (_req, res, p) => {
    revokeAll(ctx, userOr404(ctx, p.id ?? ''));
    sendJson(res, 200, {});
  });
  // The account states Google reports: no Google Health profile (the default kind), or consent
  // given with a legacy Fitbit login. /link undoes either.
  router.on('POST', '/sandbox/users/:id/unlink', async (req, res, p) => {
    const body = (await readJson(req)) as { kind?: unknown } | undefined;
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body)))
      throw bad('body must be empty or {"kind": "not-linked" | "legacy-login"}');
    for (const key of Object.keys(body ?? {}))
      if (key !== 'kind') throw bad(`unknown field "${key}" (allowed: kind)`);
    const kind = body?.kind ?? 'not-linked';
    if (kind !== 'not-linked' && kind !== 'legacy-login')
      throw bad('kind must be "not-linked" or "legacy-login"');
    const user = ensureUser(ctx, p.id ?? '');
    user.unlinked = kind;
    ctx.store.changed();
    ctx.log(`[sandbox] ${user.id} unlinked (${kind})`);
    sendJson(res, 200, { id: user.id, unlinked: kind });
  });
  router.on('POST', '/sandbox/users/:id/link', (_req, res, p) => {
    const user = userOr404(ctx, p.id ?? '');
    delete user.unlinked;
    ctx.store.changed();
    ctx.log(`[sandbox] ${user.id} linked`);
    sendJson(res, 200, { id: user.id, unlinked: null });
  });
  // Time passes for this user's grants only (the rest of the world keeps the real clock): a
  // time-based grant or a "testing" app's 7-day refresh token comes closer to its end, or past it.
  router.on('POST', '/sandbox/users/:id/age-grants', async (req, res, p) => {
    const body = (await readJson(req)) as { days?: unknown } | undefined;
    const days = body?.days;
    if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0 || days > 400)
      throw bad('body must be {"days": <more than 0, at most 400>}');
    const user = userOr404(ctx, p.id ?? '');
    const shift = Math.round(days * 24 * 3600 * 1000);
    for (const grant of ctx.store.grantsOf(user.id)) {
      grant.createdAt -= shift;
      if (grant.expiresAt !== undefined) grant.expiresAt -= shift;
    }
    ctx.store.changed();
    sendJson(res, 200, {});
  });
  router.on('GET', '/sandbox/app', (_req, res) =>
    sendJson(res, 200, { publishingStatus: ctx.store.data.publishingStatus }),
  );
  // An app in Google's "testing" publishing status: refresh tokens granted from now on die 7 days
  // after consent, and no token answer says so.
  router.on('PUT', '/sandbox/app', async (req, res) => {
    const body = (await readJson(req)) as { publishingStatus?: unknown } | undefined;
    const status = body?.publishingStatus;
    if (status !== 'testing' && status !== 'production')
      throw bad('body must be {"publishingStatus": "testing" | "production"}');
    ctx.store.data.publishingStatus = status;
    ctx.store.changed();
    sendJson(res, 200, { publishingStatus: status });
  });
  router.on('GET', '/sandbox/legacy', (_req, res) =>
    sendJson(res, 200, { retired: ctx.store.data.legacyRetired }),
  );
  router.on('POST', '/sandbox/legacy', async (req, res) => {
    const body = (await readJson(req)) as { retired?: unknown } | undefined;
    if (typeof body?.retired !== 'boolean') throw bad('body must be {"retired": true|false}');
    ctx.store.data.legacyRetired = body.retired;
    ctx.store.changed();
    sendJson(res, 200, { retired: body.retired });
  });

  router.on('GET', '/sandbox/phones', (_req, res) => sendJson(res, 200, ctx.phones.list()));
  router.on('GET', '/sandbox/phones/:phone/messages', (_req, res, p) => {
    sendJson(res, 200, ctx.phones.messages(phoneParam(p.phone)));
  });
  router.on('DELETE', '/sandbox/phones/:phone/messages', (_req, res, p) => {
    ctx.phones.clear(phoneParam(p.phone));
    sendJson(res, 200, {});
  });
  router.on('POST', '/sandbox/phones/:phone/messages', async (req, res, p) => {
    const phone = phoneParam(p.phone);
    const body = (await readJson(req)) as { body?: unknown; inboundMessageId?: unknown } | undefined;
    if (typeof body?.body !== 'string' || body.body === '') throw bad('body must be {"body": "<text>"}');
    if (
      body.inboundMessageId !== undefined &&
      (typeof body.inboundMessageId !== 'string' || body.inboundMessageId === '')
    ) {
      throw bad('inboundMessageId must be a non-empty string');
    }
    const id = await ctx.phones.receive(phone, body.body, body.inboundMessageId as string | undefined);
    sendJson(res, 202, { inboundMessageId: id });
  });
}
