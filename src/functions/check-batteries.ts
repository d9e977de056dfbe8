/** Entry of the checkBatteries function: subscribers, the provider, and alerts through their topics. */
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoPhoneDirectory } from '../adapters/dynamo-phone-directory';
import { dynamoSubscribers } from '../adapters/dynamo-subscribers';
import {
  deleteTopic,
  ensureTopic,
  isOptedOut,
  listSubscriptions,
  publish,
  subscribeSms,
  unsubscribe,
} from '../adapters/sns-messenger';
import { loadConfig } from '../config';
import { makeCheckBatteriesHandler } from '../handlers/check-batteries';
import { clientSecret } from './client-secret';
import { clientOptions, commonDeps, withLambdaContext } from './common';
import { buildProvider } from './provider';
import { tableOf } from './table';

const config = loadConfig();
const table = tableOf(config);
const sns = new SNSClient(clientOptions(config, config.SNS_ENDPOINT));
const common = commonDeps(config);

export const handler = withLambdaContext(
  common.logger,
  makeCheckBatteriesHandler(
    {
      ...common,
      subscribers: dynamoSubscribers(table),
      // Erasing a subscriber stopped 30 days ago releases their phone number.
      phones: new DynamoPhoneDirectory(table),
      provider: buildProvider(config, clientSecret(config)),
      messenger: {
        isOptedOut: isOptedOut(sns),
        publish: publish(sns, config.SERVICE_NUMBER),
        unsubscribe: unsubscribe(sns),
        deleteTopic: deleteTopic(sns),
        // A subscriber's topic deleted by hand is made again (with only the confirmed phone) before an alert.
        ensureTopic: ensureTopic(sns),
        listSubscriptions: listSubscriptions(sns),
        subscribeSms: subscribeSms(sns),
      },
    },
    { concurrency: config.CHECK_CONCURRENCY },
  ),
);
