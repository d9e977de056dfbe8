/**
 * Erases a subscriber: the grant revoked at the provider, the topic and subscription deleted, every
 * record gone. Used by DELETE and by the 30-day clean-up after STOP. Outside systems are asked
 * first and their failures only logged, so an unreachable provider never keeps data here.
 */
import type { Subscriber } from '../domain/subscriber';
import type { Ops, WithMessenger } from './deps';

export type EraseDeps = WithMessenger<'provider' | 'logger', 'unsubscribe' | 'deleteTopic'> &
  Ops<'subscribers', 'deleteSubscriber'> &
  Ops<'phones', 'releasePhone'>;

/** A stopped subscriber is kept this long in case they text START, then erased. */
export const STOPPED_RETENTION_MS = 30 * 24 * 3600_000;

export async function eraseSubscriber(deps: EraseDeps, subscriber: Subscriber): Promise<void> {
  const { logger } = deps;
  const attempt = async (what: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      logger.warn(`erase: ${what} failed`, { subscriberId: subscriber.id, error: (error as Error).name });
    }
  };
  await attempt('revoke', () => deps.provider.revoke(subscriber.tokens.refreshToken));
  const { subscriptionArn, topicArn } = subscriber;
  if (subscriptionArn) await attempt('unsubscribe', () => deps.messenger.unsubscribe(subscriptionArn));
  if (topicArn) await attempt('delete topic', () => deps.messenger.deleteTopic(topicArn));
  await deps.phones.releasePhone(subscriber.phone, subscriber.id);
  await deps.subscribers.deleteSubscriber(subscriber.id);
  logger.info('subscriber erased', { subscriberId: subscriber.id });
}
