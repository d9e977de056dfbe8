/** Entry of the oauthCallback function: consumes the sign-up, stores the subscriber, announces them. */
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoPhoneDirectory } from '../adapters/dynamo-phone-directory';
import { DynamoRateLimits } from '../adapters/dynamo-rate-limits';
import { consumeSignupState } from '../adapters/dynamo-signup-states';
import { getSubscriber, saveSubscriber } from '../adapters/dynamo-subscribers';
import { isOptedOut, SnsEventPublisher } from '../adapters/sns-messenger';
import { loadConfig } from '../config';
import { makeOAuthCallbackHandler } from '../handlers/oauth-callback';
import { clientSecret, rateLimitKey } from './client-secret';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { buildProvider } from './provider';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);
const secret = clientSecret(config);
const sns = new SNSClient(clientOptions(config, config.SNS_ENDPOINT));
const common = commonDeps(config);

export const handler = withLambdaContext(
  common.logger,
  makeOAuthCallbackHandler(
    {
      ...common,
      signups: { consumeSignupState: consumeSignupState(table) },
      subscribers: { getSubscriber: getSubscriber(table), saveSubscriber: saveSubscriber(table) },
      phones: new DynamoPhoneDirectory(table),
      limits: new DynamoRateLimits(table, rateLimitKey(config, secret)),
      provider: buildProvider(config, secret),
      // The success page says so when the number opted out: no text could reach it.
      messenger: { isOptedOut: isOptedOut(sns) },
      events: new SnsEventPublisher(sns, config.NEW_SUBSCRIBER_TOPIC_ARN),
    },
    { publicBaseUrl: config.PUBLIC_BASE_URL },
  ),
);
