/** The health provider the configuration names (Google Health API, or the legacy Fitbit Web API). */
import { FitbitProvider, fitbitErrorCode } from '../adapters/fitbit-provider';
import { GoogleHealthProvider, googleErrorCode } from '../adapters/google-health-provider';
import { OAuthClient } from '../adapters/oauth-client';
import type { Config } from '../config';
import type { HealthProvider } from '../ports';

/** The OAuth client secret, or how to read it (SSM on AWS: see client-secret.ts). */
export type ClientSecret = string | (() => Promise<string>);

/**
 * For a function that only starts authorizations (sign-up): it never authenticates as the client,
 * so it gets no way to read the secret, and neither its bundle nor its role holds SSM.
 */
export function noClientSecret(config: Pick<Config, 'OAUTH_CLIENT_SECRET'>): ClientSecret {
  return (
    config.OAUTH_CLIENT_SECRET ??
    (() => Promise.reject(new Error('this function does not authenticate as the OAuth client')))
  );
}

export function buildProvider(config: Config, clientSecret: ClientSecret): HealthProvider {
  const timeoutMs = config.PROVIDER_TIMEOUT_MS;
  if (config.PROVIDER === 'fitbit') {
    const oauth = new OAuthClient({
      authorizationEndpoint: config.FITBIT_AUTH_URL,
      tokenEndpoint: config.FITBIT_TOKEN_URL,
      revocationEndpoint: config.FITBIT_REVOKE_URL,
      clientId: config.OAUTH_CLIENT_ID,
      clientSecret,
      clientAuth: 'basic',
      timeoutMs,
      errorCode: fitbitErrorCode,
    });
    return new FitbitProvider({
      oauth,
      authorizationEndpoint: config.FITBIT_AUTH_URL,
      apiBaseUrl: config.FITBIT_API_URL,
      timeoutMs,
    });
  }
  const oauth = new OAuthClient({
    authorizationEndpoint: config.GOOGLE_AUTH_URL,
    tokenEndpoint: config.GOOGLE_TOKEN_URL,
    revocationEndpoint: config.GOOGLE_REVOKE_URL,
    clientId: config.OAUTH_CLIENT_ID,
    clientSecret,
    clientAuth: 'post',
    timeoutMs,
    errorCode: googleErrorCode,
  });
  return new GoogleHealthProvider({
    oauth,
    authorizationEndpoint: config.GOOGLE_AUTH_URL,
    apiBaseUrl: config.HEALTH_API_URL,
    timeoutMs,
  });
}
