/**
 * Reacts to a new (or returning) subscriber: makes sure their SNS topic exists and that nothing but
 * their confirmed phone is subscribed to it, then asks the phone to reply YES (with the sign-up's
 * code). The phone joins the topic only when it says YES (handle-inbound-sms), so a number that never
 * confirmed never hears an alert. Safe to run twice for one event.
 */
import { RecipientOptedOutError, RecipientUnreachableError, TopicNotFoundError } from '../domain/errors';
import { confirmationPlan } from '../domain/lifecycle';
import { texts } from '../domain/messages';
import { maskPhone } from '../domain/phone';
import type { Subscriber } from '../domain/subscriber';
import type { NewSubscriberEvent } from '../ports';
import { type Ops, retryOnConflict, updateSubscriber, type WithMessenger } from './deps';
import { reconcileTopic } from './topic-subscriptions';

export type ProvisionResult =
  | 'undeliverable'
  | 'confirmation_sent'
  | 'already_sent'
  | 'provisioned'
  | 'stale'
  | 'gone';

export type ProvisionDeps = WithMessenger<
  'clock' | 'logger' | 'settings',
  'ensureTopic' | 'listSubscriptions' | 'subscribeSms' | 'unsubscribe' | 'sendText'
> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'> &
  Ops<'phones', 'getPhone'>;

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

/** The phone that confirmed this subscriber, when it still owns the number; otherwise none. */
async function confirmedPhone(
  deps: ProvisionDeps,
  subscriber: Subscriber,
  now: number,
): Promise<string | undefined> {
  if (subscriber.state === 'pending_confirmation') return undefined;
  const record = await deps.phones.getPhone(subscriber.phone, now);
  return record?.ownerId === subscriber.id ? subscriber.phone : undefined;
}

/**
 * The subscriber's topic with exactly `keep` subscribed (the confirmed phone, or nobody), made if
 * missing. A stored topic that no longer exists (deleted by hand, or lost) is created again under the
 * same name, so the person still hears; it never subscribes anyone but `keep`.
 */
export async function ensureTopicFor(
  deps: WithMessenger<
    'logger' | 'settings',
    'ensureTopic' | 'listSubscriptions' | 'unsubscribe' | 'subscribeSms'
  >,
  subscriber: Pick<Subscriber, 'id' | 'provider' | 'providerUserId' | 'topicArn'>,
  keep: string | undefined,
): Promise<{ topicArn: string; subscriptionArn: string | undefined }> {
  const { messenger } = deps;
  const name = topicNameFor(deps.settings.userTopicPrefix, subscriber);
  const stored = subscriber.topicArn;
  const topicArn = stored ?? (await messenger.ensureTopic(name));
  try {
    return { topicArn, subscriptionArn: await reconcileTopic(deps, topicArn, keep) };
  } catch (error) {
    if (!(error instanceof TopicNotFoundError) || stored === undefined) throw error;
  }
  deps.logger.warn('stored topic no longer exists; creating it again', { subscriberId: subscriber.id });
  const recreated = await messenger.ensureTopic(name);
  return { topicArn: recreated, subscriptionArn: await reconcileTopic(deps, recreated, keep) };
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
    // Whatever earlier sign-ups, expiries or failures left on the topic, only the confirmed phone
    // stays (none while the sign-up waits for its YES).
    const { topicArn, subscriptionArn } = await ensureTopicFor(
      deps,
      current,
      await confirmedPhone(deps, current, now),
    );
    if (current.topicArn === topicArn && current.subscriptionArn === subscriptionArn) return current;
    const { subscriptionArn: _old, ...rest } = current;
    return subscribers.saveSubscriber({
      ...rest,
      topicArn,
      ...(subscriptionArn ? { subscriptionArn } : {}),
      updatedAt: now,
    });
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

  const record = await phones.getPhone(subscriber.phone, now);
  const owner = record?.ownerId ? await subscribers.getSubscriber(record.ownerId, now) : undefined;
  const plan = confirmationPlan(record, subscriber.id, owner?.state === 'active', now);
  if (!plan) {
    logger.info('new-subscriber event without a pending claim on the number');
    return 'gone';
  }
  // Claim before sending, so a redelivered event finds the claim and sends nothing more.
  let ours = false;
  const claimed = await updateSubscriber(deps, event.subscriberId, (current) => {
    ours = current.signupId === event.signupId && current.confirmationSentFor !== event.signupId;
    return ours ? { ...current, confirmationSentFor: event.signupId } : current;
  });
  if (!claimed || !ours) return 'already_sent';
  try {
    await messenger.sendText(
      claimed.phone,
      plan.takeover ? texts.confirmTakeover(plan.code) : texts.confirm(plan.code),
    );
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
    await updateSubscriber(deps, event.subscriberId, (current) =>
      current.confirmationSentFor === event.signupId
        ? { ...current, confirmationSentFor: undefined }
        : current,
    );
    throw error;
  }
  logger.info('confirmation requested', { phone: maskPhone(claimed.phone), takeover: plan.takeover });
  return 'confirmation_sent';
}
