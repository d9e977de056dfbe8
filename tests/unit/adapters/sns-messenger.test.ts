import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  NotFoundException,
  OptInPhoneNumberCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  deleteTopic,
  ensureTopic,
  isOptedOut,
  publish,
  SnsEventPublisher,
  snsOptIn,
  subscribeSms,
  unsubscribe,
} from '../../../src/adapters/sns-messenger';
import { TopicNotFoundError } from '../../../src/domain/errors';
import { PHONE } from '../../support/fakes';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const EVENTS_TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-new-subscriber';

beforeEach(() => {
  sns.reset();
});

const client = () => new SNSClient({ region: 'us-east-1' });

describe('SNS topic operations', () => {
  it('creates a topic by name and returns its ARN', async () => {
    sns.on(CreateTopicCommand).resolves({ TopicArn: TOPIC });

    const arn = await ensureTopic(client())('fbs-test-google-USER1');

    expect(arn).toBe(TOPIC);
    expect(sns).toHaveReceivedCommandWith(CreateTopicCommand, { Name: 'fbs-test-google-USER1' });
  });

  it('fails loudly when CreateTopic answers without an ARN', async () => {
    sns.on(CreateTopicCommand).resolves({});

    await expect(ensureTopic(client())('x')).rejects.toThrow(/TopicArn/);
  });

  it('subscribes a phone by SMS and returns the subscription ARN straight away', async () => {
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC}:sub-1` });

    const arn = await subscribeSms(client())(TOPIC, PHONE);

    expect(arn).toBe(`${TOPIC}:sub-1`);
    expect(sns).toHaveReceivedCommandWith(SubscribeCommand, {
      TopicArn: TOPIC,
      Protocol: 'sms',
      Endpoint: PHONE,
      ReturnSubscriptionArn: true,
    });
  });

  it('fails loudly when Subscribe answers without an ARN', async () => {
    sns.on(SubscribeCommand).resolves({});

    await expect(subscribeSms(client())(TOPIC, PHONE)).rejects.toThrow(/SubscriptionArn/);
  });

  it('unsubscribes by subscription ARN', async () => {
    sns.on(UnsubscribeCommand).resolves({});

    await unsubscribe(client())(`${TOPIC}:sub-1`);

    expect(sns).toHaveReceivedCommandWith(UnsubscribeCommand, { SubscriptionArn: `${TOPIC}:sub-1` });
  });

  it('publishes alerts as Transactional SMS', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await publish(client())(TOPIC, 'Charge 6 battery low: 14%.');

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Message: 'Charge 6 battery low: 14%.',
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
    });
  });

  it("sends alerts from the service's own number when it has one", async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await publish(client(), '+18885550100')(TOPIC, 'Charge 6 battery low: 14%.');

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+18885550100' },
      },
    });
  });

  it('passes SNS errors through', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));

    await expect(publish(client())(TOPIC, 'x')).rejects.toThrow('AuthorizationError');
  });
});

describe('SNS topic operations when the topic is gone', () => {
  const notFound = () => new NotFoundException({ message: 'Topic does not exist', $metadata: {} });

  it('raises TopicNotFoundError when Publish or Subscribe find no topic', async () => {
    sns.on(PublishCommand).rejects(notFound());
    sns.on(SubscribeCommand).rejects(notFound());

    await expect(publish(client())(TOPIC, 'x')).rejects.toBeInstanceOf(TopicNotFoundError);
    await expect(subscribeSms(client())(TOPIC, PHONE)).rejects.toBeInstanceOf(TopicNotFoundError);
  });

  it('treats unsubscribing a subscription that no longer exists as done', async () => {
    sns.on(UnsubscribeCommand).rejects(notFound());

    await expect(unsubscribe(client())(`${TOPIC}:sub-1`)).resolves.toBeUndefined();
  });

  it('still passes other Unsubscribe errors through', async () => {
    sns.on(UnsubscribeCommand).rejects(new Error('AuthorizationError'));

    await expect(unsubscribe(client())(`${TOPIC}:sub-1`)).rejects.toThrow('AuthorizationError');
  });
});

describe('SNS topic operations opt-out list and topic deletion', () => {
  it('deletes a topic by ARN', async () => {
    sns.on(DeleteTopicCommand).resolves({});

    await deleteTopic(client())(TOPIC);

    expect(sns).toHaveReceivedCommandTimes(DeleteTopicCommand, 1);
    expect(sns).toHaveReceivedCommandWith(DeleteTopicCommand, { TopicArn: TOPIC });
  });

  it.each([
    [{ isOptedOut: true }, true],
    [{ isOptedOut: false }, false],
    [{}, false],
  ])('reads the opt-out list: %j -> %s', async (answer, expected) => {
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves(answer);

    const optedOut = await isOptedOut(client())(PHONE);

    expect(optedOut).toBe(expected);
    expect(sns).toHaveReceivedCommandWith(CheckIfPhoneNumberIsOptedOutCommand, { phoneNumber: PHONE });
  });

  it('opts a number in when it is on the opt-out list', async () => {
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    sns.on(OptInPhoneNumberCommand).resolves({});

    await snsOptIn(client())(PHONE);

    expect(sns).toHaveReceivedCommandTimes(OptInPhoneNumberCommand, 1);
    expect(sns).toHaveReceivedCommandWith(OptInPhoneNumberCommand, { phoneNumber: PHONE });
  });

  it('does not opt in a number that is not opted out (SNS allows one opt-in per 30 days)', async () => {
    sns.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });

    await snsOptIn(client())(PHONE);

    expect(sns).toHaveReceivedCommandTimes(OptInPhoneNumberCommand, 0);
  });
});

describe('SnsEventPublisher', () => {
  it('publishes the new-subscriber event as JSON with its ids and nothing else', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const event = { subscriberId: 'google#USER1', signupId: 'signup-aaaa-0001' };

    await new SnsEventPublisher(client(), EVENTS_TOPIC).publishNewSubscriber(event);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.TopicArn).toBe(EVENTS_TOPIC);
    expect(JSON.parse(input?.Message ?? '')).toEqual(event);
  });
});
