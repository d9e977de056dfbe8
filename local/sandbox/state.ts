/**
 * The sandbox's world: emulated users and their devices, OAuth grants and tokens for both providers,
 * and the phone network's conversations and opt-out list. Optionally persisted as one JSON file so a
 * developer's local users survive a restart.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookState } from './webhooks';

export type Provider = 'google' | 'fitbit';
export const DEVICE_TYPES = ['TRACKER', 'SCALE', 'DEVICE_TYPE_UNSPECIFIED'] as const;
export const BATTERY_STATUSES = ['High', 'Medium', 'Low', 'Empty'] as const;
export type BatteryStatus = (typeof BATTERY_STATUSES)[number];

/** Google Health API v4 PairedDevice; every field optional in JSON, as in the API. */
export interface PairedDevice {
  name: string;
  deviceType?: (typeof DEVICE_TYPES)[number];
  batteryStatus?: BatteryStatus;
  batteryLevel?: number;
  lastSyncTime?: string;
  deviceVersion?: string;
  macAddress?: string;
  features?: string[];
}

export interface User {
  id: string;
  /** Digits; doubles as the legacy Fitbit encodedId so old records can be mapped. */
  legacyUserId: string;
  displayName: string;
  timeZone: string;
  devices: PairedDevice[];
  createdAt: string;
  /**
   * The account state Google reports for this user's Health API calls: absent when linked;
   * `not-linked` (no Google Health profile: 400 FAILED_PRECONDITION ACCOUNT_NOT_LINKED) or
   * `legacy-login` (consent came from a legacy Fitbit login: 403 PERMISSION_DENIED).
   */
  unlinked?: 'not-linked' | 'legacy-login';
  counters: {
    tokenRefreshes: Record<Provider, number>;
    apiCalls: Record<string, number>;
  };
}

export interface Grant {
  id: string;
  provider: Provider;
  userId: string;
  clientId: string;
  scope: string;
  refreshToken?: string;
  revoked: boolean;
  createdAt: number;
  lastUsedAt: number;
  /** When the refresh token dies: time-based access, or 7 days after consent for an app in "testing". */
  expiresAt?: number;
  /** Whether the token answers say so (`refresh_token_expires_in`): only for time-based access. */
  announcesExpiry?: boolean;
  /** Fitbit: the refresh token just rotated out and the answer it got, replayed for 2 minutes. */
  rotated?: { refreshToken: string; at: number; answer: Record<string, unknown> };
}

export interface AccessToken {
  token: string;
  grantId: string;
  expiresAt: number;
}

export interface AuthCode {
  code: string;
  provider: Provider;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  userId: string;
  scope: string;
  offline: boolean;
  expiresAt: number;
  used: boolean;
  /** Time-based access the person chose on the consent screen, in seconds. */
  grantSeconds?: number;
}

export interface PhoneMessage {
  id: string;
  direction: 'out' | 'in';
  body: string;
  at: string;
  /** Who sent it: the service's number for "out", the phone for "in". */
  from: string;
}

export interface SandboxData {
  users: Record<string, User>;
  grants: Record<string, Grant>;
  accessTokens: Record<string, AccessToken>;
  phones: Record<string, PhoneMessage[]>;
  /** The SMS "Default" opt-out list: number -> ISO time it opted out. */
  optOuts: Record<string, string>;
  legacyRetired: boolean;
  /** The OAuth app's publishing status: in "testing", refresh tokens die 7 days after consent. */
  publishingStatus: 'production' | 'testing';
  /** Webhook subscribers and signing keys (absent in files written before webhooks existed). */
  webhooks?: WebhookState;
}

export function emptyData(): SandboxData {
  return {
    users: {},
    grants: {},
    accessTokens: {},
    phones: {},
    optOuts: {},
    legacyRetired: false,
    publishingStatus: 'production',
  };
}

export const USER_ID = /^[A-Za-z0-9-]{1,63}$/;

export function token(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export function deviceId(user: User): string {
  const taken = new Set(user.devices.map((d) => d.name.split('/').pop()));
  for (;;) {
    const id = String(randomInt(100_000_000, 999_999_999));
    if (!taken.has(id)) return id;
  }
}

export function randomMac(): string {
  return randomBytes(6).toString('hex').toUpperCase();
}

export function newUser(id: string, now: number): User {
  const user: User = {
    id,
    legacyUserId: String(randomInt(100_000_000, 999_999_999)),
    displayName: id,
    timeZone: 'America/New_York',
    devices: [],
    createdAt: new Date(now).toISOString(),
    counters: { tokenRefreshes: { google: 0, fitbit: 0 }, apiCalls: {} },
  };
  user.devices.push({
    name: `users/${id}/pairedDevices/${deviceId(user)}`,
    deviceType: 'TRACKER',
    batteryStatus: 'High',
    batteryLevel: 80,
    lastSyncTime: rfc3339(now),
    deviceVersion: 'Charge 6',
    macAddress: randomMac(),
    features: ['STEPS', 'HEART_RATE', 'DIRECT_COMMS_BATTERY_ALERTS'],
  });
  return user;
}

/** RFC 3339 UTC with whole seconds, the way the Health API prints sync times. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function statusForLevel(level: number): BatteryStatus {
  if (level <= 5) return 'Empty';
  if (level <= 25) return 'Low';
  if (level <= 60) return 'Medium';
  return 'High';
}

/**
 * Holds the world and persists it. Writes are debounced so a burst of token refreshes costs one
 * write, and spaced by the cost of the last one so a large world under load is not serialised over
 * and over; counters (`touched`) only ride along with the next real write or the final flush.
 * Lookups by refresh token go through an in-memory index, never a scan of the grants.
 */
export class Store {
  data: SandboxData;
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string | undefined;
  private dirty = false;
  private lastWriteMs = 0;
  private lastWriteAt = 0;
  /** Current (and, for Fitbit, just-rotated) refresh token -> grant id. */
  private readonly refreshIndex = new Map<string, string>();
  private readonly rotatedIndex = new Map<string, string>();
  /** user id -> ids of that user's grants. */
  private readonly userGrants = new Map<string, Set<string>>();
  /** grant id -> access tokens issued under it. */
  private readonly grantTokens = new Map<string, Set<string>>();

  constructor(dataDir: string | undefined, log: (line: string) => void) {
    this.file = dataDir ? join(dataDir, 'sandbox.json') : undefined;
    this.data = emptyData();
    if (this.file) {
      try {
        const loaded = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SandboxData>;
        this.data = { ...emptyData(), ...loaded };
        log(`[sandbox] loaded ${Object.keys(this.data.users).length} users from ${this.file}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          log(`[sandbox] could not read ${this.file} (${(err as Error).message}); starting empty`);
        }
      }
    }
    for (const grant of Object.values(this.data.grants)) this.indexGrant(grant);
    for (const access of Object.values(this.data.accessTokens)) this.indexAccess(access);
  }

  addGrant(grant: Grant) {
    this.data.grants[grant.id] = grant;
    this.indexGrant(grant);
    this.changed();
  }

  addAccessToken(access: AccessToken) {
    this.data.accessTokens[access.token] = access;
    this.indexAccess(access);
    this.changed();
  }

  accessToken(value: string): AccessToken | undefined {
    return value && Object.hasOwn(this.data.accessTokens, value) ? this.data.accessTokens[value] : undefined;
  }

  grant(id: string): Grant | undefined {
    return Object.hasOwn(this.data.grants, id) ? this.data.grants[id] : undefined;
  }

  /** The grant whose current refresh token this is. */
  grantByRefresh(refreshToken: string): Grant | undefined {
    const id = refreshToken ? this.refreshIndex.get(refreshToken) : undefined;
    const grant = id === undefined ? undefined : this.grant(id);
    return grant?.refreshToken === refreshToken ? grant : undefined;
  }

  /** The grant whose refresh token was this one until its last (Fitbit) rotation. */
  grantByRotated(refreshToken: string): Grant | undefined {
    const id = refreshToken ? this.rotatedIndex.get(refreshToken) : undefined;
    const grant = id === undefined ? undefined : this.grant(id);
    return grant?.rotated?.refreshToken === refreshToken ? grant : undefined;
  }

  /** Rotates a grant's refresh token, remembering the old one and the answer it got. */
  rotateRefresh(grant: Grant, next: string, rotated?: Grant['rotated']) {
    if (grant.refreshToken !== undefined) this.refreshIndex.delete(grant.refreshToken);
    if (grant.rotated) this.rotatedIndex.delete(grant.rotated.refreshToken);
    grant.refreshToken = next;
    this.refreshIndex.set(next, grant.id);
    if (rotated) {
      grant.rotated = rotated;
      this.rotatedIndex.set(rotated.refreshToken, grant.id);
    }
    this.changed();
  }

  grantsOf(userId: string): Grant[] {
    const ids = this.userGrants.get(userId);
    if (!ids) return [];
    return [...ids].map((id) => this.grant(id)).filter((g): g is Grant => g !== undefined);
  }

  accessTokensOf(grantId: string): AccessToken[] {
    const values = this.grantTokens.get(grantId);
    if (!values) return [];
    return [...values].map((v) => this.accessToken(v)).filter((a): a is AccessToken => a !== undefined);
  }

  private indexGrant(grant: Grant) {
    if (grant.refreshToken !== undefined) this.refreshIndex.set(grant.refreshToken, grant.id);
    if (grant.rotated) this.rotatedIndex.set(grant.rotated.refreshToken, grant.id);
    const ids = this.userGrants.get(grant.userId) ?? new Set<string>();
    this.userGrants.set(grant.userId, ids);
    ids.add(grant.id);
  }

  private indexAccess(access: AccessToken) {
    const values = this.grantTokens.get(access.grantId) ?? new Set<string>();
    this.grantTokens.set(access.grantId, values);
    values.add(access.token);
  }

  /** Something worth keeping changed: write soon. */
  changed() {
    if (!this.file) return;
    this.dirty = true;
    if (this.timer) return;
    // At least 250 ms apart, and never more than ~5% of the time spent writing.
    const wait = Math.max(250, this.lastWriteAt + this.lastWriteMs * 20 - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
    this.timer.unref();
  }

  /** Only counters changed: kept in memory, written with the next change or at close. */
  touched() {
    if (this.file) this.dirty = true;
  }

  flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file || !this.dirty) return;
    const started = Date.now();
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Write then rename so a crash mid-write never leaves half a file.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 2));
    renameSync(tmp, this.file);
    this.dirty = false;
    this.lastWriteAt = Date.now();
    this.lastWriteMs = this.lastWriteAt - started;
  }
}
