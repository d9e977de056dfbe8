/** Entry of the pages function: no adapter at all, only the configuration the CSP needs. */
import { authorizationOrigin, loadConfig } from '../config';
import { makePagesHandler } from '../handlers/pages';

const config = loadConfig();

export const handler = makePagesHandler({
  authorizationOrigin: authorizationOrigin(config),
  // Only Google Health sends sync notifications; the legacy Fitbit provider has no faster alerts.
  fasterOffered: config.PROVIDER === 'google',
});
