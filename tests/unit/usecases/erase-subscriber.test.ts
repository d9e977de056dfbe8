import type { Subscriber } from '../../../src/domain/subscriber';
import { eraseSubscriber } from '../../../src/usecases/erase-subscriber';
import { aSubscriber, makeDeps, PHONE, type TestDeps } from '../../support/fakes';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const SUBSCRIPTION = `${TOPIC}:sub-1`;

function seed(deps: TestDeps, overrides: Partial<Subscriber> = {}): Subscriber {
  const subscriber = deps.store.seedSubscriber(
    aSubscriber({ state: 'stopped', topicArn: TOPIC, subscriptionArn: SUBSCRIPTION, ...overrides }),
  );
  deps.store.phones.set(PHONE, { phone: PHONE, ownerId: subscriber.id });
  return subscriber;
}

describe('eraseSubscriber', () => {
  it('revokes the grant, unsubscribes, deletes the topic and every record', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);

    await eraseSubscriber(deps, subscriber);

    expect(deps.provider.revoked).toEqual(['test-refresh-1']);
    expect(deps.messenger.unsubscribed).toEqual([SUBSCRIPTION]);
    expect(deps.messenger.deletedTopics).toEqual([TOPIC]);
    expect(deps.store.subscribers.has(subscriber.id)).toBe(false);
    // Nothing holds the number after: the phone record went with its only owner (finding 7).
    expect(deps.store.phones.has(PHONE)).toBe(false);
  });

  it.each([
    ['revoke', (deps: TestDeps) => deps.provider.failures.fail('revoke', new Error('provider down'))],
    ['unsubscribe', (deps: TestDeps) => deps.messenger.failures.fail('unsubscribe', new Error('SNS down'))],
    ['delete topic', (deps: TestDeps) => deps.messenger.failures.fail('deleteTopic', new Error('SNS down'))],
  ])('logs a failed %s and still deletes the records', async (what, inject) => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    inject(deps);

    await eraseSubscriber(deps, subscriber);

    expect(deps.store.subscribers.has(subscriber.id)).toBe(false);
    expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
    const warnings = deps.logger.entries.filter((e) => e.level === 'warn');
    expect(warnings.map((e) => e.message)).toEqual([`erase: ${what} failed`]);
  });

  it('still deletes the records when every outside system fails', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    deps.provider.failures.fail('revoke', new Error('provider down'));
    deps.messenger.failures.fail('unsubscribe', new Error('SNS down'));
    deps.messenger.failures.fail('deleteTopic', new Error('SNS down'));

    await eraseSubscriber(deps, subscriber);

    expect(deps.store.subscribers.has(subscriber.id)).toBe(false);
    expect(deps.logger.entries.filter((e) => e.level === 'warn')).toHaveLength(3);
  });

  it('skips the topic calls for a subscriber that never got one', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps, { topicArn: undefined, subscriptionArn: undefined });

    await eraseSubscriber(deps, subscriber);

    expect(deps.messenger.unsubscribed).toHaveLength(0);
    expect(deps.messenger.deletedTopics).toHaveLength(0);
    expect(deps.store.subscribers.has(subscriber.id)).toBe(false);
  });

  it('leaves another subscriber that owns the number alone', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#OTHER' });

    await eraseSubscriber(deps, subscriber);

    expect(deps.store.phones.get(PHONE)?.ownerId).toBe('google#OTHER');
  });
});
