/** Entry of the inboundSms function: the ledger, phones and subscribers, replies and opt-ins. */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoInboundLedger } from '../adapters/dynamo-inbound-ledger';
import { DynamoPhoneDirectory } from '../adapters/dynamo-phone-directory';
import { DynamoRateLimits } from '../adapters/dynamo-rate-limits';
import { deleteSubscriber, getSubscriber, saveSubscriber } from '../adapters/dynamo-subscribers';
import { SmsSender, smsOptIn } from '../adapters/sms-sender';
import {
  deleteTopic,
  listSubscriptions,
  snsOptIn,
  subscribeSms,
  unsubscribe,
} from '../adapters/sns-messenger';
import { loadConfig } from '../config';
import { makeInboundSmsHandler } from '../handlers/inbound-sms';
import { clientSecret, rateLimitKey } from './client-secret';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { buildProvider } from './provider';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);
const secret = clientSecret(config);
const sns = new SNSClient(clientOptions(config, config.SNS_ENDPOINT));
const sms = new PinpointSMSVoiceV2Client(clientOptions(config, config.SMS_ENDPOINT));
const sender = new SmsSender(sms, config.SERVICE_NUMBER, config.PROTECT_CONFIGURATION_ID);
const optInSns = snsOptIn(sns);
const optInSms = smsOptIn(sms);
const common = commonDeps(config);

export const handler = withLambdaContext(
  common.logger,
  makeInboundSmsHandler({
    ...common,
    // Duplicate deliveries are caught by the ledger, not by Powertools' idempotency utility: the claim is
    // one conditional write of the text's own inboundMessageId, given back when acting fails so the retry
    // acts. Powertools would key a hash of the event in a record layout of its own, store and replay the
    // (unused) result, and re-run a timed-out invocation, which can send a reply twice; it would also
    // bring JMESPath into this bundle, which has the least cold-start margin. docs/architecture.md.
    inbound: dynamoInboundLedger(table),
    phones: new DynamoPhoneDirectory(table),
    limits: new DynamoRateLimits(table, rateLimitKey(config, secret)),
    subscribers: {
      getSubscriber: getSubscriber(table),
      saveSubscriber: saveSubscriber(table),
      // DELETE erases the record.
      deleteSubscriber: deleteSubscriber(table),
    },
    provider: buildProvider(config, secret),
    messenger: {
      // YES subscribes the confirmed phone to its topic, and removes whatever else is subscribed there.
      subscribeSms: subscribeSms(sns),
      listSubscriptions: listSubscriptions(sns),
      unsubscribe: unsubscribe(sns),
      deleteTopic: deleteTopic(sns),
      // SNS (alerts) and End User Messaging (replies) each keep an opt-out list.
      optIn: async (phone) => {
        await Promise.all([optInSns(phone), optInSms(phone)]);
      },
      sendText: (to, text, from) => sender.sendText(to, text, from),
    },
  }),
);
