/**
 * Erases a subscriber: the grant revoked at the provider, the topic and subscription deleted, every
 * record gone. Used by DELETE and by the 30-day clean-up after STOP. Outside systems are asked
 * first and their failures only logged, so an unreachable provider never keeps data here.
 */
import { releasePhone } from '../domain/lifecycle';
import type { Subscriber } from '../domain/subscriber';
import { type Ops, updatePhone, type WithMessenger } from './deps';

export { STOPPED_RETENTION_MS } from '../domain/lifecycle';

export type EraseDeps = WithMessenger<
  'provider' | 'logger' | 'clock' | 'phones',
  'unsubscribe' | 'deleteTopic'
> &
  Ops<'subscribers', 'deleteSubscriber'>;

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
  // The phone record goes with its last owner or pending sign-up: nothing keeps the number after.
  await updatePhone(deps, subscriber.phone, (record) =>
    releasePhone(record, subscriber.id, deps.clock.now()),
  );
  await deps.subscribers.deleteSubscriber(subscriber.id);
  logger.info('subscriber erased', { subscriberId: subscriber.id });
}
