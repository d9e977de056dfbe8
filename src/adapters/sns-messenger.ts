/**
 * Per-user SNS topics and the texts that go through them (alerts), plus the "new subscriber" event.
 * CreateTopic and Subscribe are idempotent at SNS, which makes redelivered events harmless here.
 */
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  type SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import type { EventPublisher, Messenger, NewSubscriberEvent } from '../ports';

/** Alerts are transactional: SNS's default (promotional) may be dropped or delayed by carriers. */
const TRANSACTIONAL = { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } };

export class SnsTopics
  implements
    Pick<Messenger, 'ensureTopic' | 'subscribeSms' | 'unsubscribe' | 'deleteTopic' | 'publish' | 'isOptedOut'>
{
  constructor(private readonly sns: SNSClient) {}

  async ensureTopic(name: string): Promise<string> {
    const { TopicArn } = await this.sns.send(new CreateTopicCommand({ Name: name }));
    if (!TopicArn) throw new Error('CreateTopic returned no TopicArn');
    return TopicArn;
  }

  async subscribeSms(topicArn: string, phone: string): Promise<string> {
    const { SubscriptionArn } = await this.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sms',
        Endpoint: phone,
        ReturnSubscriptionArn: true,
      }),
    );
    if (!SubscriptionArn) throw new Error('Subscribe returned no SubscriptionArn');
    return SubscriptionArn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
  }

  async deleteTopic(topicArn: string): Promise<void> {
    await this.sns.send(new DeleteTopicCommand({ TopicArn: topicArn }));
  }

  async isOptedOut(phone: string): Promise<boolean> {
    const { isOptedOut } = await this.sns.send(
      new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: phone }),
    );
    return isOptedOut === true;
  }

  async optIn(phone: string): Promise<void> {
    if (await this.isOptedOut(phone))
      await this.sns.send(new OptInPhoneNumberCommand({ phoneNumber: phone }));
  }

  async publish(topicArn: string, text: string): Promise<void> {
    await this.sns.send(
      new PublishCommand({ TopicArn: topicArn, Message: text, MessageAttributes: TRANSACTIONAL }),
    );
  }
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
