/**
 * The OAuth client secret: read from SSM through a cache with an age, on AWS and on the local stack
 * alike (the SDK client honours AWS_ENDPOINT_URL_SSM, which the local stack sets); in-process
 * harnesses (benchmarks) may pass it in the environment instead. Also the key of the rate-limit
 * hashes, derived from it.
 */
import { hkdfSync } from 'node:crypto';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ssmSecret } from '../adapters/ssm-secret';
import type { Config } from '../config';
import type { ClientSecret } from './provider';

/**
 * How long a container keeps the secret before reading it again: a rotated secret reaches every warm
 * container within this, for one GetParameter per container per period (far below SSM's rate limit).
 */
export const CLIENT_SECRET_MAX_AGE_SECONDS = 15 * 60;

export function clientSecret(config: Config): ClientSecret {
  if (config.OAUTH_CLIENT_SECRET) return config.OAUTH_CLIENT_SECRET;
  // The SDK client is built here but connects only on the first token request.
  return ssmSecret(
    new SSMClient({ region: config.AWS_REGION }),
    config.OAUTH_CLIENT_SECRET_PARAMETER as string,
    CLIENT_SECRET_MAX_AGE_SECONDS,
  );
}

/**
 * The key of the rate-limit hashes (HKDF of the OAuth client secret): a secret the deployment already
 * keeps in SSM, so there is no second one to create (the local stack keeps a fixed local one). Rotating
 * the client secret only restarts the counters. Derived again only when the secret read changes.
 */
export function rateLimitKey(config: Config, secret: ClientSecret): () => Promise<string> {
  let derived: { ikm: string; key: string } | undefined;
  return async () => {
    // A failed SSM read throws here and is retried on the next call: nothing is remembered.
    const ikm = typeof secret === 'string' ? secret : await secret();
    if (derived?.ikm !== ikm) {
      const key = Buffer.from(hkdfSync('sha256', ikm, config.SERVICE, 'rate-limit keys', 32));
      derived = { ikm, key: key.toString('base64url') };
    }
    return derived.key;
  };
}
