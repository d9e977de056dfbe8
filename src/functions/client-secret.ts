/** The OAuth client secret: from SSM (read on first use, cached) on AWS, from the environment locally. */
import { SSMClient } from '@aws-sdk/client-ssm';
import { ssmSecret } from '../adapters/ssm-secret';
import type { Config } from '../config';
import type { ClientSecret } from './provider';

export function clientSecret(config: Config): ClientSecret {
  if (config.OAUTH_CLIENT_SECRET) return config.OAUTH_CLIENT_SECRET;
  // The SDK client is built here but connects only on the first token request.
  return ssmSecret(
    new SSMClient({ region: config.AWS_REGION }),
    config.OAUTH_CLIENT_SECRET_PARAMETER as string,
  );
}
