/** Entry of the signup function: sign-up states on the table, and the provider's consent URL. */
import { putSignupState } from '../adapters/dynamo-signup-states';
import { loadConfig } from '../config';
import { makeSignupHandler } from '../handlers/signup';
import { commonDeps, withLambdaContext } from './common';
import { buildProvider, noClientSecret } from './provider';
import { tableOf } from './table';

const config = loadConfig();
const common = commonDeps(config);

export const handler = withLambdaContext(
  common.logger,
  makeSignupHandler(
    {
      ...common,
      signups: { putSignupState: putSignupState(tableOf(config)) },
      provider: buildProvider(config, noClientSecret(config)),
    },
    { publicBaseUrl: config.PUBLIC_BASE_URL },
  ),
);
