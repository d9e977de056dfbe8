/**
 * Who hears a subscriber's topic. Alerts are published to the topic, so whatever is subscribed to it
 * receives them: this module makes the topic's subscriptions exactly "the confirmed phone" (or
 * nothing), whatever earlier sign-ups, expiries or failures left behind.
 */
import { maskPhone } from '../domain/phone';
import type { WithMessenger } from './deps';

/**
 * Leaves `keep` (when given) as the topic's only SMS subscription and removes every other one,
 * of any protocol. Returns the kept subscription's ARN.
 */
export async function reconcileTopic(
  deps: WithMessenger<'logger', 'listSubscriptions' | 'unsubscribe' | 'subscribeSms'>,
  topicArn: string,
  keep: string | undefined,
): Promise<string | undefined> {
  const { messenger, logger } = deps;
  let kept: string | undefined;
  for (const subscription of await messenger.listSubscriptions(topicArn)) {
    // Not yet confirmed (HTTP/email): it receives nothing and SNS cannot unsubscribe it.
    if (!subscription.subscriptionArn.startsWith('arn:')) continue;
    if (keep !== undefined && subscription.protocol === 'sms' && subscription.endpoint === keep && !kept) {
      kept = subscription.subscriptionArn;
      continue;
    }
    await messenger.unsubscribe(subscription.subscriptionArn);
    logger.warn('removed a subscription that is not the confirmed phone', {
      endpoint: subscription.protocol === 'sms' ? maskPhone(subscription.endpoint) : subscription.protocol,
    });
  }
  return kept ?? (keep !== undefined ? messenger.subscribeSms(topicArn, keep) : undefined);
}
