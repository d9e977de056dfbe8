/**
 * Reacts to a new (or returning) subscriber: makes sure their SNS topic exists with their phone
 * subscribed by SMS, then asks the phone to reply YES. SNS no longer asks SMS subscribers to confirm,
 * so the service asks, and sends no alert before that YES. Safe to run twice for one event.
 */
import { RecipientOptedOutError, RecipientUnreachableError, TopicNotFoundError } from '../domain/errors';
import { texts } from '../domain/messages';
import { maskPhone } from '../domain/phone';
import type { Subscriber } from '../domain/subscriber';
import type { NewSubscriberEvent } from '../ports';
import { type Ops, retryOnConflict, type WithMessenger } from './deps';

export type ProvisionDeps = WithMessenger<
  'clock' | 'logger' | 'settings',
  'ensureTopic' | 'subscribeSms' | 'unsubscribe' | 'sendText'
> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'> &
  Ops<'phones', 'takeConfirmationAllowance'>;

export type ProvisionResult =
  | 'undeliverable'
  | 'confirmation_sent'
  | 'already_sent'
  | 'capped'
  | 'provisioned'
  | 'stale'
  | 'gone';

/** Topic names allow letters, digits, `-` and `_`: provider user ids fit (they are [A-Za-z0-9-]). */
export function topicNameFor(
  prefix: string,
  subscriber: Pick<Subscriber, 'provider' | 'providerUserId'>,
): string {
  return `${prefix}${subscriber.provider}-${subscriber.providerUserId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(
    0,
    256,
  );
}

/**
 * The subscriber's topic with their phone subscribed by SMS, both made if missing. A stored topic that
 * no longer exists (deleted by hand, or lost) is created again under the same name.
 */
export async function ensureSubscribed(
  deps: WithMessenger<'logger' | 'settings', 'ensureTopic' | 'subscribeSms'>,
  subscriber: Pick<Subscriber, 'id' | 'provider' | 'providerUserId' | 'phone' | 'topicArn'>,
): Promise<{ topicArn: string; subscriptionArn: string }> {
  const { messenger } = deps;
  const name = topicNameFor(deps.settings.userTopicPrefix, subscriber);
  const stored = subscriber.topicArn;
  const topicArn = stored ?? (await messenger.ensureTopic(name));
  try {
    return { topicArn, subscriptionArn: await messenger.subscribeSms(topicArn, subscriber.phone) };
  } catch (error) {
    if (!(error instanceof TopicNotFoundError) || stored === undefined) throw error;
  }
  deps.logger.warn('stored topic no longer exists; creating it again', { subscriberId: subscriber.id });
  const recreated = await messenger.ensureTopic(name);
  return { topicArn: recreated, subscriptionArn: await messenger.subscribeSms(recreated, subscriber.phone) };
}

export async function provisionTopic(
  deps: ProvisionDeps,
  event: NewSubscriberEvent,
): Promise<ProvisionResult> {
  const { subscribers, phones, messenger, clock, logger } = deps;
  const now = clock.now();

  const subscriber = await retryOnConflict(async () => {
    const current = await subscribers.getSubscriber(event.subscriberId, now);
    if (!current || current.signupId !== event.signupId) return current;
    const { topicArn, subscriptionArn } = await ensureSubscribed(deps, current);
    if (current.subscriptionArn && current.subscriptionArn !== subscriptionArn) {
      // The number changed: the old phone must not keep receiving this subscriber's alerts.
      await messenger.unsubscribe(current.subscriptionArn);
    }
    if (current.topicArn === topicArn && current.subscriptionArn === subscriptionArn) return current;
    return subscribers.saveSubscriber({ ...current, topicArn, subscriptionArn, updatedAt: now });
  });
  if (!subscriber) {
    logger.info('new-subscriber event for a sign-up that expired', { subscriberId: event.subscriberId });
    return 'gone';
  }
  if (subscriber.signupId !== event.signupId) {
    logger.info('new-subscriber event superseded by a later sign-up');
    return 'stale';
  }
  if (subscriber.state !== 'pending_confirmation') return 'provisioned';
  if (subscriber.confirmationSentFor === event.signupId) return 'already_sent';

  const day = new Date(now).toISOString().slice(0, 10);
  if (
    !(await phones.takeConfirmationAllowance(subscriber.phone, day, deps.settings.maxConfirmationsPerDay))
  ) {
    logger.warn('confirmation texts capped for this number today', { phone: maskPhone(subscriber.phone) });
    return 'capped';
  }
  // Claim before sending, so a redelivered event finds the claim and sends nothing more.
  const claimed = await retryOnConflict(async () => {
    const current = await subscribers.getSubscriber(event.subscriberId, now);
    if (!current || current.signupId !== event.signupId || current.confirmationSentFor === event.signupId) {
      return undefined;
    }
    return subscribers.saveSubscriber({ ...current, confirmationSentFor: event.signupId, updatedAt: now });
  });
  if (!claimed) return 'already_sent';
  try {
    await messenger.sendText(claimed.phone, texts.confirm());
  } catch (error) {
    if (error instanceof RecipientOptedOutError || error instanceof RecipientUnreachableError) {
      // No retry can deliver it: the number opted out at the carrier (until it texts START) or cannot
      // receive texts. The sign-up simply expires unconfirmed.
      logger.warn('confirmation text cannot be delivered', {
        phone: maskPhone(claimed.phone),
        error: error.name,
      });
      return 'undeliverable';
    }
    // Give the claim back so the event's retry can send it.
    await retryOnConflict(async () => {
      const current = await subscribers.getSubscriber(event.subscriberId, now);
      if (current?.confirmationSentFor === event.signupId) {
        await subscribers.saveSubscriber({ ...current, confirmationSentFor: undefined, updatedAt: now });
      }
    });
    throw error;
  }
  logger.info('confirmation requested', { phone: maskPhone(claimed.phone) });
  return 'confirmation_sent';
}
