/**
 * The OAuth client secret: read from SSM on first use and cached, on AWS and on the local stack alike;
 * in-process harnesses (benchmarks) may pass it in the environment instead. Also the key of the
 * rate-limit hashes, derived from it.
 */
import { hkdfSync } from 'node:crypto';
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

/**
 * The key of the rate-limit hashes (HKDF of the OAuth client secret): a secret the deployment already
 * keeps in SSM, so there is no second one to create (the local stack keeps a fixed local one). Rotating the
 * client secret only restarts the counters. Derived once per container, on first use.
 */
export function rateLimitKey(config: Config, secret: ClientSecret): () => Promise<string> {
  let derived: Promise<string> | undefined;
  return () => {
    derived ??= (async () => {
      const ikm = typeof secret === 'string' ? secret : await secret();
      return Buffer.from(hkdfSync('sha256', ikm, config.SERVICE, 'rate-limit keys', 32)).toString(
        'base64url',
      );
    })().catch((error: unknown) => {
      // A failed SSM read is retried on the next call, not remembered.
      derived = undefined;
      throw error;
    });
    return derived;
  };
}
