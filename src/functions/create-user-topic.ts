/** Entry of the createUserTopic function: topic and subscription at SNS, the YES request by SMS. */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { getPhone } from '../adapters/dynamo-phone-directory';
import { getSubscriber, saveSubscriber } from '../adapters/dynamo-subscribers';
import { SmsSender } from '../adapters/sms-sender';
import { ensureTopic, listSubscriptions, subscribeSms, unsubscribe } from '../adapters/sns-messenger';
import { loadConfig } from '../config';
import { makeCreateUserTopicHandler } from '../handlers/create-user-topic';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);
const sns = new SNSClient(clientOptions(config, config.SNS_ENDPOINT));
const sender = new SmsSender(
  new PinpointSMSVoiceV2Client(clientOptions(config, config.SMS_ENDPOINT)),
  config.SERVICE_NUMBER,
  config.PROTECT_CONFIGURATION_ID,
);
const common = commonDeps(config);

// Redelivered events are harmless without Powertools' idempotency utility: the use case claims the
// "reply YES" text per sign-up on the subscriber record (confirmationSentFor, under the optimistic
// lock) and tells a superseded sign-up from a new one, which a key over the event alone cannot
// (docs/architecture.md).
export const handler = withLambdaContext(
  common.logger,
  makeCreateUserTopicHandler({
    ...common,
    subscribers: { getSubscriber: getSubscriber(table), saveSubscriber: saveSubscriber(table) },
    // Read only: whether the number is this subscriber's, and the sign-up's code.
    phones: { getPhone: getPhone(table) },
    messenger: {
      ensureTopic: ensureTopic(sns),
      subscribeSms: subscribeSms(sns),
      // Anything on the topic that is not the confirmed phone is removed.
      listSubscriptions: listSubscriptions(sns),
      unsubscribe: unsubscribe(sns),
      sendText: (to, text, from) => sender.sendText(to, text, from),
    },
  }),
);
