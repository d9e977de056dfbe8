import { RecipientOptedOutError } from '../../../src/domain/errors';
import { expiryAt } from '../../../src/domain/lifecycle';
import { texts } from '../../../src/domain/messages';
import { provisionTopic, topicNameFor } from '../../../src/usecases/provision-topic';
import { aSubscriber, makeDeps, OTHER_PHONE, PHONE, T0, type TestDeps } from '../../support/fakes';

const SIGNUP = 'signup-aaaa-0001';
const EXPIRES = expiryAt(T0 + 86_400_000);

/** A pending sign-up as completeAuthorization leaves it: the record, and its claim on the number. */
function seedPending(deps: TestDeps, overrides: Parameters<typeof aSubscriber>[0] = {}, code = '1234') {
  const subscriber = deps.store.seedSubscriber(
    aSubscriber({ state: 'pending_confirmation', signupId: SIGNUP, expiresAtMs: EXPIRES, ...overrides }),
  );
  const record = deps.store.phones.get(subscriber.phone) ?? { phone: subscriber.phone };
  deps.store.phones.set(subscriber.phone, {
    ...record,
    pending: { ...record.pending, [subscriber.id]: { code, expiresAtMs: subscriber.expiresAtMs ?? EXPIRES } },
  });
  return subscriber;
}

const event = (signupId = SIGNUP, subscriberId = 'google#USER1') => ({ subscriberId, signupId });

describe('provisionTopic', () => {
  it('creates the topic and texts the code, but subscribes nobody before YES (finding 1)', async () => {
    const deps = makeDeps();
    seedPending(deps);

    const result = await provisionTopic(deps, event());

    expect(result).toBe('confirmation_sent');
    const topicArn = deps.messenger.topics.get('fbs-test-google-USER1');
    expect(topicArn).toBeDefined();
    expect(deps.messenger.subscriptions.size).toBe(0);
    expect(deps.messenger.texts).toEqual([{ to: PHONE, text: texts.confirm('1234') }]);
    expect(deps.store.subscribers.get('google#USER1')).toMatchObject({
      topicArn,
      confirmationSentFor: SIGNUP,
    });
    expect(deps.store.subscribers.get('google#USER1')?.subscriptionArn).toBeUndefined();
  });

  it('removes every subscription a pending sign-up finds on its topic: an expired sign-up left its phone there (finding 1)', async () => {
    const deps = makeDeps();
    // What the old code left behind: the first, never-confirmed number still on the account's topic.
    const topicArn = await deps.messenger.ensureTopic('fbs-test-google-USER1');
    const leftover = await deps.messenger.subscribeSms(topicArn, OTHER_PHONE);
    seedPending(deps, { topicArn, subscriptionArn: leftover });

    await provisionTopic(deps, event());

    expect(deps.messenger.unsubscribed).toEqual([leftover]);
    expect(deps.messenger.subscriptions.size).toBe(0);
  });

  it('keeps only the confirmed phone on the topic of an active subscriber', async () => {
    const deps = makeDeps();
    const topicArn = await deps.messenger.ensureTopic('fbs-test-google-USER1');
    const stranger = await deps.messenger.subscribeSms(topicArn, OTHER_PHONE);
    deps.store.seedSubscriber(aSubscriber({ state: 'active', signupId: SIGNUP, topicArn }));
    deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

    const result = await provisionTopic(deps, event());

    expect(result).toBe('provisioned');
    expect(deps.messenger.unsubscribed).toEqual([stranger]);
    expect([...deps.messenger.subscriptions.values()]).toEqual([{ topicArn, phone: PHONE }]);
    expect(deps.messenger.texts).toHaveLength(0);
  });

  it('subscribes a phone that said YES before its topic existed, once provisioning makes it', async () => {
    const deps = makeDeps();
    deps.store.seedSubscriber(aSubscriber({ state: 'active', signupId: SIGNUP }));
    deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

    const result = await provisionTopic(deps, event());

    const topicArn = deps.messenger.topics.get('fbs-test-google-USER1');
    expect(result).toBe('provisioned');
    expect([...deps.messenger.subscriptions.values()]).toEqual([{ topicArn, phone: PHONE }]);
    expect(deps.store.subscribers.get('google#USER1')?.subscriptionArn).toBe(
      [...deps.messenger.subscriptions.keys()][0],
    );
  });

  it('says plainly in the text when the number already gets alerts for another account', async () => {
    const deps = makeDeps();
    deps.store.seedSubscriber(aSubscriber({ providerUserId: 'OWNER', state: 'active' }));
    deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#OWNER' });
    seedPending(deps, {}, '5678');

    await provisionTopic(deps, event());

    expect(deps.messenger.textsTo(PHONE)).toEqual([texts.confirmTakeover('5678')]);
    expect(texts.confirmTakeover('5678')).toContain('Ignore this to keep things as they are');
  });

  it('creates the stored topic again when it no longer exists, and subscribes nobody before YES', async () => {
    const deps = makeDeps();
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
    seedPending(deps, { topicArn, subscriptionArn: `${topicArn}:old` });
    deps.messenger.loseTopic(topicArn);

    const result = await provisionTopic(deps, event());

    expect(result).toBe('confirmation_sent');
    expect(deps.messenger.lostTopics.size).toBe(0);
    expect(deps.messenger.topics.get('fbs-test-google-USER1')).toBe(topicArn);
    // A pending sign-up's phone joins the topic only when it says YES.
    expect([...deps.messenger.subscriptions.values()]).toEqual([]);
    const saved = deps.store.subscribers.get('google#USER1');
    expect(saved).toMatchObject({ topicArn });
    expect(saved?.subscriptionArn).toBeUndefined();
    expect(deps.logger.entries.some((l) => l.message.includes('creating it again'))).toBe(true);
  });

  it('sends nothing more when the same event is delivered again', async () => {
    const deps = makeDeps();
    seedPending(deps);
    await provisionTopic(deps, event());

    const again = await provisionTopic(deps, event());

    expect(again).toBe('already_sent');
    expect(deps.messenger.texts).toHaveLength(1);
  });

  it('returns stale and sends nothing for an event superseded by a later sign-up', async () => {
    const deps = makeDeps();
    seedPending(deps, { signupId: 'signup-bbbb-0002' });

    const result = await provisionTopic(deps, event('signup-aaaa-0001'));

    expect(result).toBe('stale');
    expect(deps.messenger.texts).toHaveLength(0);
    expect(deps.messenger.topics.size).toBe(0);
  });

  it('returns gone when the unconfirmed sign-up has expired', async () => {
    const deps = makeDeps();
    seedPending(deps, { expiresAtMs: Math.floor(T0 / 1000) * 1000 });

    const result = await provisionTopic(deps, event());

    expect(result).toBe('gone');
    expect(deps.messenger.texts).toHaveLength(0);
    expect(deps.messenger.topics.size).toBe(0);
  });

  it('returns gone for a subscriber it never heard of', async () => {
    const deps = makeDeps();

    expect(await provisionTopic(deps, event())).toBe('gone');
    expect(deps.messenger.texts).toHaveLength(0);
  });

  it('releases its claim and rethrows when the text cannot be sent, so a retry sends it', async () => {
    const deps = makeDeps();
    seedPending(deps);
    deps.messenger.failures.fail('sendText', new Error('throttled'));

    await expect(provisionTopic(deps, event())).rejects.toThrow('throttled');
    expect(deps.store.subscribers.get('google#USER1')?.confirmationSentFor).toBeUndefined();
    const retry = await provisionTopic(deps, event());

    expect(retry).toBe('confirmation_sent');
    expect(deps.messenger.texts).toEqual([{ to: PHONE, text: texts.confirm('1234') }]);
  });

  it('returns undeliverable, without throwing, for a number on the opt-out list, and keeps its claim', async () => {
    const deps = makeDeps();
    seedPending(deps);
    deps.messenger.failures.fail('sendText', new RecipientOptedOutError('opted out'));

    const result = await provisionTopic(deps, event());
    const redelivered = await provisionTopic(deps, event());

    expect(result).toBe('undeliverable');
    expect(redelivered).toBe('already_sent');
    expect(deps.store.subscribers.get('google#USER1')?.confirmationSentFor).toBe(SIGNUP);
    expect(deps.messenger.texts).toHaveLength(0);
    expect(deps.logger.entries.some((e) => e.level === 'warn')).toBe(true);
  });

  it('rethrows when the topic cannot be created, before any text', async () => {
    const deps = makeDeps();
    seedPending(deps);
    deps.messenger.failures.fail('ensureTopic', new Error('SNS down'));

    await expect(provisionTopic(deps, event())).rejects.toThrow('SNS down');
    expect(deps.messenger.texts).toHaveLength(0);
  });

  it('does not log the full phone number', async () => {
    const deps = makeDeps();
    seedPending(deps);

    await provisionTopic(deps, event());

    expect(deps.logger.dump()).toContain('0123');
    expect(deps.logger.dump()).not.toContain('5550123');
  });
});

describe('topicNameFor', () => {
  it('builds <prefix><provider>-<user id> and replaces characters SNS does not allow', () => {
    expect(topicNameFor('fbs-', { provider: 'fitbit', providerUserId: 'AB.C/D 1' })).toBe(
      'fbs-fitbit-AB_C_D_1',
    );
  });

  it('never exceeds the 256-character SNS limit', () => {
    expect(topicNameFor('p-', { provider: 'google', providerUserId: 'x'.repeat(400) })).toHaveLength(256);
  });
});
