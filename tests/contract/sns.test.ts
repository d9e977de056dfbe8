/**
 * The Messenger contract (topics) against the SNS adapter on the local SNS (local/sns, AWS's Query
 * protocol over real HTTP), as tests/contract/in-memory.test.ts runs it against FakeMessenger.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { type LocalSns, startLocalSns } from '../../local/sns';
import {
  deleteTopic,
  ensureTopic,
  isOptedOut,
  listSubscriptions,
  publish,
  snsOptIn,
  subscribeSms,
  unsubscribe,
} from '../../src/adapters/sns-messenger';
import { describeMessengerContract } from './messenger.contract';

let sns: LocalSns | undefined;
let client: SNSClient | undefined;

afterEach(async () => {
  client?.destroy();
  await sns?.close();
});

describeMessengerContract('SNS adapter on the local SNS', async () => {
  const texts: Array<{ phone: string; text: string }> = [];
  const local = await startLocalSns({
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    accountId: '000000000000',
    lambdaEndpoint: 'http://127.0.0.1:9',
    lambdaSubscriptions: {},
    smsSink: (phone, text) => {
      texts.push({ phone, text });
    },
    log: () => {},
  });
  const sdk = new SNSClient({
    endpoint: local.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
  sns = local;
  client = sdk;
  return {
    messenger: {
      ensureTopic: ensureTopic(sdk),
      subscribeSms: subscribeSms(sdk),
      unsubscribe: unsubscribe(sdk),
      listSubscriptions: listSubscriptions(sdk),
      deleteTopic: deleteTopic(sdk),
      publish: publish(sdk, '+12025550100'),
      isOptedOut: isOptedOut(sdk),
      optIn: snsOptIn(sdk),
    },
    optOut: (phone) => local.optOut(phone),
    delivered: async () => {
      await local.settled();
      return texts;
    },
  };
});
