/** The two provider adapters wired to a test sandbox, on the sandbox's hand-driven clock. */
import { FitbitProvider, fitbitErrorCode } from '../../src/adapters/fitbit-provider';
import { GoogleHealthProvider, googleErrorCode } from '../../src/adapters/google-health-provider';
import { OAuthClient } from '../../src/adapters/oauth-client';
import { CLIENT_ID, CLIENT_SECRET, type TestSandbox } from './sandbox/helpers';

const TIMEOUT_MS = 5000;

function oauthFor(
  box: TestSandbox,
  paths: { authorize: string; token: string; revoke: string },
  legacy: boolean,
) {
  return new OAuthClient({
    authorizationEndpoint: `${box.url}${paths.authorize}`,
    tokenEndpoint: `${box.url}${paths.token}`,
    revocationEndpoint: `${box.url}${paths.revoke}`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientAuth: legacy ? 'basic' : 'post',
    timeoutMs: TIMEOUT_MS,
    errorCode: legacy ? fitbitErrorCode : googleErrorCode,
    now: () => box.clock.now,
  });
}

export function googleFor(box: TestSandbox): GoogleHealthProvider {
  const paths = { authorize: '/o/oauth2/v2/auth', token: '/token', revoke: '/revoke' };
  return new GoogleHealthProvider({
    oauth: oauthFor(box, paths, false),
    authorizationEndpoint: `${box.url}${paths.authorize}`,
    apiBaseUrl: box.url,
    timeoutMs: TIMEOUT_MS,
  });
}

export function fitbitFor(box: TestSandbox): FitbitProvider {
  const paths = { authorize: '/oauth2/authorize', token: '/oauth2/token', revoke: '/oauth2/revoke' };
  return new FitbitProvider({
    oauth: oauthFor(box, paths, true),
    authorizationEndpoint: `${box.url}${paths.authorize}`,
    apiBaseUrl: box.url,
    timeoutMs: TIMEOUT_MS,
  });
}
