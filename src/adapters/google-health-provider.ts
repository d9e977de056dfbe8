/**
 * The Google Health API v4 with Google OAuth: the default provider since the legacy Fitbit Web API
 * was turned off on 2026-11-02. Reads identity, settings (time zone) and paired devices, always as
 * `users/me/...` (the form Google documents for identity and settings), and reads Google's error
 * body (`{"error": {code, message, status, details: [ErrorInfo]}}`) to tell account states apart.
 */
import * as z from 'zod/mini';
import { AccountNotLinkedError, MalformedResponseError } from '../domain/errors';
import type { AuthorizationStart, Device, HealthProvider, ProviderProfile } from '../ports';
import { OAuthHealthProvider, type ProviderOptions } from './oauth-health-provider';
import { normaliseDevice } from './provider-devices';

export const GOOGLE_HEALTH_SCOPE = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';
/** Enough for anyone's devices; a bound so a misbehaving pager cannot loop forever. */
const MAX_PAGES = 20;
const PAGE_SIZE = 100;

const identitySchema = z.object({ healthUserId: z.string().check(z.regex(/^[A-Za-z0-9-]{1,63}$/)) });
const settingsSchema = z.object({ timeZone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))) });
const pageSchema = z.object({
  pairedDevices: z.optional(z.array(z.record(z.string(), z.unknown()))),
  nextPageToken: z.optional(z.string()),
});

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/** What Google's API error body says: its canonical status, message and the ErrorInfo reason. */
export function googleApiError(body: unknown): { status?: string; message?: string; reason?: string } {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== 'object' || error === null) return {};
  const { status, message, details } = error as { status?: unknown; message?: unknown; details?: unknown };
  const info = Array.isArray(details)
    ? details.find(
        (d) => typeof d === 'object' && d !== null && (d as { '@type'?: unknown })['@type'] === ERROR_INFO,
      )
    : undefined;
  const reason = (info as { reason?: unknown } | undefined)?.reason;
  return {
    status: typeof status === 'string' ? status : undefined,
    message: typeof message === 'string' ? message : undefined,
    reason: typeof reason === 'string' ? reason : undefined,
  };
}

/** Google's error body: `{"error": {"status": ...}}` at the API, `{"error": "invalid_grant"}` at OAuth. */
export function googleErrorCode(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : undefined;
}

/**
 * The id within `users/{user}/pairedDevices/{id}`, kept as an opaque string (never parsed as a
 * number or matched against legacy ids); the whole name when it has another shape.
 */
function deviceId(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  const at = name.lastIndexOf('/pairedDevices/');
  return at >= 0 ? name.slice(at + '/pairedDevices/'.length) || undefined : name;
}

export type GoogleHealthOptions = ProviderOptions;

export class GoogleHealthProvider extends OAuthHealthProvider implements HealthProvider {
  readonly name = 'google' as const;
  /**
   * Revoking any token ends the account's whole authorization of this client, newer grants included:
   * "Revocation removes all OAuth 2.0 scopes previously granted to a project, invalidating any issued
   * access or refresh tokens for all clients registered under that project"
   * (https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke).
   */
  readonly revocation = 'authorization' as const;
  startAuthorization(redirectUri: string): Promise<AuthorizationStart> {
    return this.options.oauth.startAuthorization(redirectUri, {
      scope: GOOGLE_HEALTH_SCOPE,
      access_type: 'offline',
      // Re-consent yields a fresh refresh token, which a returning subscriber needs.
      prompt: 'consent',
      include_granted_scopes: 'true',
    });
  }

  hasRequiredScope(grantedScope: string): boolean {
    return grantedScope.split(/\s+/).includes(GOOGLE_HEALTH_SCOPE);
  }

  /**
   * An account with no Google Health profile answers 400 FAILED_PRECONDITION, reason
   * ACCOUNT_NOT_LINKED; consent given with a legacy Fitbit login answers 403 PERMISSION_DENIED
   * with the message "The caller does not have permission" (Google documents no ErrorInfo reason for
   * it). Both need the person, not a retry.
   */
  protected override apiError(status: number, body: unknown, what: string): Error | undefined {
    const { status: code, reason, message } = googleApiError(body);
    if (reason === 'ACCOUNT_NOT_LINKED')
      return new AccountNotLinkedError(`${what}: HTTP ${status} ACCOUNT_NOT_LINKED`, 'not_linked');
    // Other 403s (a missing scope, a disabled API, a passing refusal) stay plain refusals that a
    // later check retries: only the message Google's troubleshooting page names means this case.
    if (
      status === 403 &&
      code === 'PERMISSION_DENIED' &&
      reason !== 'ACCESS_TOKEN_SCOPE_INSUFFICIENT' &&
      message?.startsWith('The caller does not have permission')
    )
      return new AccountNotLinkedError(`${what}: HTTP 403 PERMISSION_DENIED`, 'legacy_login');
    return undefined;
  }

  async getProfile(accessToken: string): Promise<ProviderProfile> {
    const [identity, timeZone] = await Promise.all([
      this.get('/v4/users/me/identity', accessToken, 'identity', identitySchema),
      this.getTimeZone(accessToken),
    ]);
    return { userId: identity.healthUserId, timeZone };
  }

  /** `timeZone` is optional in Google's Settings: undefined when the person never set one. */
  async getTimeZone(accessToken: string): Promise<string | undefined> {
    const settings = await this.get('/v4/users/me/settings', accessToken, 'settings', settingsSchema);
    return settings.timeZone;
  }

  async listDevices(accessToken: string): Promise<Device[]> {
    const devices: Device[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
      if (pageToken) query.set('pageToken', pageToken);
      const body = await this.get(`/v4/users/me/pairedDevices?${query}`, accessToken, 'devices', pageSchema);
      for (const raw of body.pairedDevices ?? []) {
        devices.push(
          normaliseDevice({
            id: deviceId(raw.name),
            name: raw.deviceVersion,
            type: raw.deviceType,
            status: raw.batteryStatus,
            level: raw.batteryLevel,
            lastSyncTime: raw.lastSyncTime,
          }),
        );
      }
      pageToken = body.nextPageToken || undefined;
      if (!pageToken) return devices;
    }
    throw new MalformedResponseError(`devices: more than ${MAX_PAGES} pages`);
  }
}
