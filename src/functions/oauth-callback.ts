/** Entry of the oauthCallback function: consumes the sign-up, stores the subscriber, announces them. */
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoPhoneDirectory } from '../adapters/dynamo-phone-directory';
import { consumeSignupState } from '../adapters/dynamo-signup-states';
import { getSubscriber, saveSubscriber } from '../adapters/dynamo-subscribers';
import { SnsEventPublisher } from '../adapters/sns-messenger';
import { loadConfig } from '../config';
import { makeOAuthCallbackHandler } from '../handlers/oauth-callback';
import { clientSecret } from './client-secret';
import { clientOptions, commonDeps } from './common';
import { buildProvider } from './provider';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);

export const handler = makeOAuthCallbackHandler(
  {
    ...commonDeps(config),
    signups: { consumeSignupState: consumeSignupState(table) },
    subscribers: { getSubscriber: getSubscriber(table), saveSubscriber: saveSubscriber(table) },
    phones: new DynamoPhoneDirectory(table),
    provider: buildProvider(config, clientSecret(config)),
    events: new SnsEventPublisher(
      new SNSClient(clientOptions(config, config.SNS_ENDPOINT)),
      config.NEW_SUBSCRIBER_TOPIC_ARN,
    ),
  },
  { publicBaseUrl: config.PUBLIC_BASE_URL },
);
