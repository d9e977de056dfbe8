/**
 * The OAuth client secret: read from SSM on first use and cached, on AWS and on the local stack alike;
 * in-process harnesses (benchmarks) may pass it in the environment instead.
 */
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
