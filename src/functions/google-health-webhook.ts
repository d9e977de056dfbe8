/**
 * Entry of the googleHealthWebhook function: the webhook secret (SSM), Google's signing keys, the
 * subscriber records, and the checker Lambda to queue early checks on.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';
import { getSubscriber, saveSubscriber } from '../adapters/dynamo-subscribers';
import { GoogleHealthSignatures } from '../adapters/google-health-signatures';
import { LambdaCheckQueue } from '../adapters/lambda-check-dispatcher';
import { type SecretReader, ssmSecret } from '../adapters/ssm-secret';
import { loadConfig } from '../config';
import { makeGoogleHealthWebhookHandler } from '../handlers/google-health-webhook';
import { CLIENT_SECRET_MAX_AGE_SECONDS } from './client-secret';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);
const { clock, logger } = commonDeps(config);
// One attempt: the subscriber is already due, so a failed queueing only waits for the next round.
const lambda = new LambdaClient({ ...clientOptions(config, config.LAMBDA_ENDPOINT), maxAttempts: 1 });

function webhookSecret(): SecretReader {
  const inProcess = config.WEBHOOK_SECRET;
  if (inProcess) return () => Promise.resolve(inProcess);
  const name = config.WEBHOOK_SECRET_PARAMETER;
  if (!name)
    return () => Promise.reject(new Error('set WEBHOOK_SECRET_PARAMETER (an SSM SecureString name)'));
  // Re-read at most this often, as the client secret: a rotated secret reaches warm containers.
  return ssmSecret(new SSMClient({ region: config.AWS_REGION }), name, CLIENT_SECRET_MAX_AGE_SECONDS);
}

export const handler = withLambdaContext(
  logger,
  makeGoogleHealthWebhookHandler(
    {
      clock,
      logger,
      subscribers: { getSubscriber: getSubscriber(table), saveSubscriber: saveSubscriber(table) },
      checks: new LambdaCheckQueue(lambda, config.CHECKER_FUNCTION_NAME),
      webhookSecret: webhookSecret(),
      signatures: new GoogleHealthSignatures({
        url: config.GOOGLE_HEALTH_KEYSET_URL,
        timeoutMs: config.PROVIDER_TIMEOUT_MS,
      }),
    },
    { debounceMs: config.EARLY_CHECK_DEBOUNCE_MINUTES * 60_000 },
  ),
);
