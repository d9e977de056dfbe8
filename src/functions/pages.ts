/** Entry of the pages function: no adapter at all, only the configuration the CSP needs. */
import { authorizationOrigin, loadConfig } from '../config';
import { makePagesHandler } from '../handlers/pages';

export const handler = makePagesHandler({ authorizationOrigin: authorizationOrigin(loadConfig()) });
