/**
 * The Google Health API v4 with Google OAuth: the default provider since the legacy Fitbit Web API
 * was turned off on 2026-11-02. Reads identity, settings (time zone) and paired devices.
 */
import { z } from 'zod';
import { MalformedResponseError } from '../domain/errors';
import type { AuthorizationStart, Device, HealthProvider, ProviderProfile } from '../ports';
import { OAuthHealthProvider, type ProviderOptions } from './oauth-health-provider';
import { normaliseDevice } from './provider-devices';

export const GOOGLE_HEALTH_SCOPE = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';
/** Enough for anyone's devices; a bound so a misbehaving pager cannot loop forever. */
const MAX_PAGES = 20;
const PAGE_SIZE = 100;

const identitySchema = z.object({ healthUserId: z.string().regex(/^[A-Za-z0-9-]{1,63}$/) });
const settingsSchema = z.object({ timeZone: z.string().min(1).max(64).optional() });
const pageSchema = z.object({
  pairedDevices: z.array(z.record(z.string(), z.unknown())).optional(),
  nextPageToken: z.string().optional(),
});

/** Google's error body: `{"error": {"status": ...}}` at the API, `{"error": "invalid_grant"}` at OAuth. */
export function googleErrorCode(body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : undefined;
}

export type GoogleHealthOptions = ProviderOptions;

export class GoogleHealthProvider extends OAuthHealthProvider implements HealthProvider {
  readonly name = 'google' as const;
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

  async getProfile(accessToken: string): Promise<ProviderProfile> {
    const [identity, settings] = await Promise.all([
      this.get('/v4/users/me/identity', accessToken, 'identity', identitySchema),
      this.get('/v4/users/me/settings', accessToken, 'settings', settingsSchema),
    ]);
    return { userId: identity.healthUserId, timeZone: settings.timeZone ?? 'UTC' };
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
            id: typeof raw.name === 'string' ? raw.name.split('/').pop() : undefined,
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
