/**
 * The legacy Fitbit Web API (turned off 2026-11-02), kept as a second adapter behind the same port
 * because existing write-ups of this system describe it. Any HTTP 410 means the provider is gone.
 */
import * as z from 'zod/mini';
import type { AuthorizationStart, Device, HealthProvider, ProviderProfile } from '../ports';
import { OAuthHealthProvider, type ProviderOptions } from './oauth-health-provider';
import { normaliseDevice } from './provider-devices';

export const FITBIT_SCOPES = ['settings', 'profile'];

const profileSchema = z.object({
  user: z.object({
    encodedId: z.string().check(z.minLength(1), z.maxLength(64)),
    timezone: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    offsetFromUTCMillis: z.optional(z.number()),
  }),
});
const devicesSchema = z.array(z.record(z.string(), z.unknown()));

/** Fitbit's error body: `{"errors":[{"errorType":"invalid_grant"}]}`. */
export function fitbitErrorCode(body: unknown): string | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const first = Array.isArray(errors) ? (errors[0] as { errorType?: unknown } | undefined) : undefined;
  return typeof first?.errorType === 'string' ? first.errorType : undefined;
}

/** Fitbit reports sync times in the user's local time without an offset. */
export function localToUtcMillis(local: unknown, offsetFromUtcMillis: number): number | undefined {
  if (typeof local !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local))
    return undefined;
  const asUtc = Date.parse(`${local}Z`);
  return Number.isFinite(asUtc) ? asUtc - offsetFromUtcMillis : undefined;
}

export type FitbitOptions = ProviderOptions;

export class FitbitProvider extends OAuthHealthProvider implements HealthProvider {
  readonly name = 'fitbit' as const;
  /**
   * Revoking any token ends the user's whole authorization of this client, newer grants included:
   * "When the token is revoked, all tokens are revoked for that user", every session
   * (https://dev.fitbit.com/build/reference/web-api/authorization/revoke-token).
   */
  readonly revocation = 'authorization' as const;
  startAuthorization(redirectUri: string): Promise<AuthorizationStart> {
    return this.options.oauth.startAuthorization(redirectUri, { scope: FITBIT_SCOPES.join(' ') });
  }

  hasRequiredScope(grantedScope: string): boolean {
    const granted = grantedScope.split(/\s+/);
    return FITBIT_SCOPES.every((scope) => granted.includes(scope));
  }

  async getProfile(accessToken: string): Promise<ProviderProfile> {
    const { user } = await this.get('/1/user/-/profile.json', accessToken, 'profile', profileSchema);
    return { userId: user.encodedId, timeZone: user.timezone };
  }

  async getTimeZone(accessToken: string): Promise<string | undefined> {
    return (await this.getProfile(accessToken)).timeZone;
  }

  async listDevices(accessToken: string): Promise<Device[]> {
    const [raw, profile] = await Promise.all([
      this.get('/1/user/-/devices.json', accessToken, 'devices', devicesSchema),
      this.get('/1/user/-/profile.json', accessToken, 'profile', profileSchema),
    ]);
    const offset = profile.user.offsetFromUTCMillis ?? 0;
    return raw.map((d) =>
      normaliseDevice({
        id: typeof d.id === 'string' || typeof d.id === 'number' ? String(d.id) : undefined,
        name: d.deviceVersion,
        type: d.type,
        status: d.battery,
        level: d.batteryLevel,
        lastSyncTime: localToUtcMillis(d.lastSyncTime, offset),
      }),
    );
  }
}
