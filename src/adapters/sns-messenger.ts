/**
 * Per-user SNS topics and the texts that go through them (alerts), plus the "new subscriber" event.
 * CreateTopic and Subscribe are idempotent at SNS, which makes redelivered events harmless here.
 *
 * One function per operation rather than one class: a function's wiring picks the operations it
 * uses, and esbuild leaves the others (and their SDK commands) out of its bundle, so its role can
 * be exactly what the bundle can send.
 */
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  ListSubscriptionsByTopicCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { TopicNotFoundError } from '../domain/errors';
import type { EventPublisher, Messenger, NewSubscriberEvent, TopicSubscription } from '../ports';

/** SNS says NotFound (NotFoundException in the SDK) for a topic or subscription that is gone. */
function isNotFound(error: unknown): boolean {
  return (error as { name?: unknown }).name === 'NotFoundException';
}

async function orTopicNotFound<T>(call: () => Promise<T>, what: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) throw new TopicNotFoundError(`${what}: topic does not exist`, { cause: error });
    throw error;
  }
}

/** Alerts are transactional: SNS's default (promotional) may be dropped or delayed by carriers. */
const TRANSACTIONAL = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };

/**
 * SNS delivers SMS through End User Messaging and, without this attribute, picks any origination
 * number in the account for the destination country: alerts must come from the stack's own number
 * (the one people reply to and whose registration covers this use case).
 */
const fromNumber = (number: string) => ({
  'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: number },
});

export function ensureTopic(sns: SNSClient): Messenger['ensureTopic'] {
  return async (name) => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    if (!TopicArn) throw new Error('CreateTopic returned no TopicArn');
    return TopicArn;
  };
}

export function subscribeSms(sns: SNSClient): Messenger['subscribeSms'] {
  return async (topicArn, phone) => {
    const { SubscriptionArn } = await orTopicNotFound(
      () =>
        sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'sms',
            Endpoint: phone,
            ReturnSubscriptionArn: true,
          }),
        ),
      'Subscribe',
    );
    if (!SubscriptionArn) throw new Error('Subscribe returned no SubscriptionArn');
    return SubscriptionArn;
  };
}

/** A subscription that is already gone is what was asked for. */
export function unsubscribe(sns: SNSClient): Messenger['unsubscribe'] {
  return async (subscriptionArn) => {
    try {
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  };
}

export function deleteTopic(sns: SNSClient): Messenger['deleteTopic'] {
  return async (topicArn) => {
    await sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  };
}

export function listSubscriptions(sns: SNSClient): Messenger['listSubscriptions'] {
  return async (topicArn) => {
    const found: TopicSubscription[] = [];
    let NextToken: string | undefined;
    // SNS returns at most 100 per call, with a NextToken while more remain.
    do {
      const page = await orTopicNotFound(
        () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken })),
        'ListSubscriptionsByTopic',
      );
      for (const s of page.Subscriptions ?? []) {
        if (s.SubscriptionArn)
          found.push({
            subscriptionArn: s.SubscriptionArn,
            protocol: s.Protocol ?? '',
            endpoint: s.Endpoint ?? '',
          });
      }
      NextToken = page.NextToken;
    } while (NextToken);
    return found;
  };
}

export function isOptedOut(sns: SNSClient): Messenger['isOptedOut'] {
  return async (phone) => {
    const answer = await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }));
    return answer.isOptedOut === true;
  };
}

/** Opts in only a number that is opted out: SNS allows one opt-in per number per 30 days. */
export function snsOptIn(sns: SNSClient): Messenger['optIn'] {
  const optedOut = isOptedOut(sns);
  return async (phone) => {
    if (await optedOut(phone)) await sns.send(new OptInPhoneNumberCommand({ phoneNumber: phone }));
  };
}

/** `originationNumber`: the service number (E.164) alerts are sent from; undefined leaves it to SNS. */
export function publish(sns: SNSClient, originationNumber?: string): Messenger['publish'] {
  const attributes = { ...TRANSACTIONAL, ...(originationNumber ? fromNumber(originationNumber) : {}) };
  return async (topicArn, text) => {
    await orTopicNotFound(
      () =>
        sns.send(new PublishCommand({ TopicArn: topicArn, Message: text, MessageAttributes: attributes })),
      'Publish',
    );
  };
}

export class SnsEventPublisher implements EventPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly newSubscriberTopicArn: string,
  ) {}

  async publishNewSubscriber(event: NewSubscriberEvent): Promise<void> {
    await this.sns.send(
      new PublishCommand({ TopicArn: this.newSubscriberTopicArn, Message: JSON.stringify(event) }),
    );
  }
}
