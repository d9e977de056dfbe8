/**
 * Every port wired to its production adapter in one Deps, for benchmarks that drive several use
 * cases in one process over the local services. Lambda functions never use this: each has its own
 * wiring in src/functions, which this mirrors adapter for adapter.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoDueSubscribers } from '../src/adapters/dynamo-due-subscribers';
import { dynamoInboundLedger } from '../src/adapters/dynamo-inbound-ledger';
import { DynamoPhoneDirectory } from '../src/adapters/dynamo-phone-directory';
import { DynamoRateLimits } from '../src/adapters/dynamo-rate-limits';
import { dynamoSignupStates } from '../src/adapters/dynamo-signup-states';
import { dynamoSubscribers } from '../src/adapters/dynamo-subscribers';
import { SmsSender, smsOptIn } from '../src/adapters/sms-sender';
import {
  deleteTopic,
  ensureTopic,
  isOptedOut,
  listSubscriptions,
  publish,
  SnsEventPublisher,
  snsOptIn,
  subscribeSms,
  unsubscribe,
} from '../src/adapters/sns-messenger';
import type { Config } from '../src/config';
import { clientSecret, rateLimitKey } from '../src/functions/client-secret';
import { clientOptions, commonDeps } from '../src/functions/common';
import { buildProvider } from '../src/functions/provider';
import { tableOf } from '../src/functions/table';
import type { Deps } from '../src/usecases/deps';

export { buildProvider, clientSecret };

export function buildAllDeps(config: Config): Deps {
  const table = tableOf(config);
  const sns = new SNSClient(clientOptions(config, config.SNS_ENDPOINT));
  const sms = new PinpointSMSVoiceV2Client(clientOptions(config, config.SMS_ENDPOINT));
  const sender = new SmsSender(sms, config.SERVICE_NUMBER);
  const optInSns = snsOptIn(sns);
  const optInSms = smsOptIn(sms);
  return {
    ...commonDeps(config),
    signups: dynamoSignupStates(table),
    subscribers: dynamoSubscribers(table),
    dueSubscribers: dynamoDueSubscribers(table),
    phones: new DynamoPhoneDirectory(table),
    limits: new DynamoRateLimits(table, rateLimitKey(config, clientSecret(config))),
    inbound: dynamoInboundLedger(table),
    provider: buildProvider(config, clientSecret(config)),
    events: new SnsEventPublisher(sns, config.NEW_SUBSCRIBER_TOPIC_ARN),
    messenger: {
      ensureTopic: ensureTopic(sns),
      subscribeSms: subscribeSms(sns),
      unsubscribe: unsubscribe(sns),
      listSubscriptions: listSubscriptions(sns),
      deleteTopic: deleteTopic(sns),
      isOptedOut: isOptedOut(sns),
      optIn: async (phone) => {
        await Promise.all([optInSns(phone), optInSms(phone)]);
      },
      publish: publish(sns),
      sendText: (to, text, from) => sender.sendText(to, text, from),
    },
  };
}
