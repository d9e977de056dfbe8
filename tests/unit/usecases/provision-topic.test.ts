import { RecipientOptedOutError } from '../../../src/domain/errors';
import { texts } from '../../../src/domain/messages';
import { provisionTopic, topicNameFor } from '../../../src/usecases/provision-topic';
import { aSubscriber, makeDeps, OTHER_PHONE, PHONE, T0, type TestDeps } from '../../support/fakes';

const SIGNUP = 'signup-aaaa-0001';

function seedPending(deps: TestDeps, overrides: Parameters<typeof aSubscriber>[0] = {}) {
  return deps.store.seedSubscriber(
    aSubscriber({
      state: 'pending_confirmation',
      signupId: SIGNUP,
      expiresAt: Math.ceil((T0 + 86_400_000) / 1000),
      ...overrides,
    }),
  );
}

const event = (signupId = SIGNUP) => ({ subscriberId: 'google#USER1', signupId });

describe('provisionTopic', () => {
  it('creates the topic, subscribes the phone by SMS and sends one "reply YES" text', async () => {
    const deps = makeDeps();
    seedPending(deps);

    const result = await provisionTopic(deps, event());

    expect(result).toBe('confirmation_sent');
    const topicArn = deps.messenger.topics.get('fbs-test-google-USER1');
    expect(topicArn).toBeDefined();
    expect([...deps.messenger.subscriptions.values()]).toEqual([{ topicArn, phone: PHONE }]);
    expect(deps.messenger.texts).toEqual([{ to: PHONE, text: texts.confirm() }]);
    expect(deps.store.subscribers.get('google#USER1')).toMatchObject({
      topicArn,
      subscriptionArn: [...deps.messenger.subscriptions.keys()][0],
      confirmationSentFor: SIGNUP,
    });
  });

  it('creates the stored topic again when it no longer exists, subscribes the phone and records it', async () => {
    const deps = makeDeps();
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
    seedPending(deps, { topicArn, subscriptionArn: `${topicArn}:old` });
    deps.messenger.loseTopic(topicArn);

    const result = await provisionTopic(deps, event());

    expect(result).toBe('confirmation_sent');
    expect(deps.messenger.lostTopics.size).toBe(0);
    const [subscriptionArn] = [...deps.messenger.subscriptions.keys()];
    expect([...deps.messenger.subscriptions.values()]).toEqual([{ topicArn, phone: PHONE }]);
    expect(deps.store.subscribers.get('google#USER1')).toMatchObject({ topicArn, subscriptionArn });
    expect(deps.logger.entries.some((l) => l.message.includes('creating it again'))).toBe(true);
  });

  it('sends nothing more when the same event is delivered again', async () => {
    const deps = makeDeps();
    seedPending(deps);
    await provisionTopic(deps, event());

    const again = await provisionTopic(deps, event());

    expect(again).toBe('already_sent');
    expect(deps.messenger.texts).toHaveLength(1);
    expect(deps.messenger.subscriptions.size).toBe(1);
    expect(deps.store.phones.get(PHONE)?.confirmationsSent).toBe(1);
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
    seedPending(deps, { expiresAt: Math.floor(T0 / 1000) });

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

  it('caps confirmation texts at three per number per UTC day, and sends again the next day', async () => {
    const deps = makeDeps();
    const results: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const signupId = `signup-day1-000${i}`;
      seedPending(deps, { signupId, version: i });
      results.push(await provisionTopic(deps, event(signupId)));
    }
    deps.clock.advance(24 * 3600 * 1000);
    seedPending(deps, {
      signupId: 'signup-day2-0001',
      version: 10,
      expiresAt: Math.ceil(deps.clock.now() / 1000) + 3600,
    });

    const nextDay = await provisionTopic(deps, event('signup-day2-0001'));

    expect(results).toEqual(['confirmation_sent', 'confirmation_sent', 'confirmation_sent', 'capped']);
    expect(nextDay).toBe('confirmation_sent');
    expect(deps.messenger.textsTo(PHONE)).toHaveLength(4);
  });

  it('releases its claim and rethrows when the text cannot be sent, so a retry sends it', async () => {
    const deps = makeDeps();
    seedPending(deps);
    deps.messenger.failures.fail('sendText', new Error('throttled'));

    await expect(provisionTopic(deps, event())).rejects.toThrow('throttled');
    expect(deps.store.subscribers.get('google#USER1')?.confirmationSentFor).toBeUndefined();
    const retry = await provisionTopic(deps, event());

    expect(retry).toBe('confirmation_sent');
    expect(deps.messenger.texts).toEqual([{ to: PHONE, text: texts.confirm() }]);
    expect(deps.messenger.subscriptions.size).toBe(1);
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
    expect(deps.store.phones.get(PHONE)).toBeUndefined();
  });

  it('provisions the topic for a restored (active) subscriber without asking for YES', async () => {
    const deps = makeDeps();
    deps.store.seedSubscriber(aSubscriber({ state: 'active', signupId: SIGNUP }));

    const result = await provisionTopic(deps, event());

    expect(result).toBe('provisioned');
    expect(deps.messenger.subscriptions.size).toBe(1);
    expect(deps.messenger.texts).toHaveLength(0);
  });

  it('reuses the existing topic and unsubscribes the old number when the phone changed', async () => {
    const deps = makeDeps();
    const topicArn = await deps.messenger.ensureTopic('fbs-test-google-USER1');
    const oldSubscription = await deps.messenger.subscribeSms(topicArn, PHONE);
    seedPending(deps, {
      phone: OTHER_PHONE,
      topicArn,
      subscriptionArn: oldSubscription,
      expiresAt: undefined,
    });

    const result = await provisionTopic(deps, event());

    expect(result).toBe('confirmation_sent');
    expect(deps.messenger.topics.size).toBe(1);
    expect(deps.messenger.unsubscribed).toEqual([oldSubscription]);
    expect([...deps.messenger.subscriptions.values()]).toEqual([{ topicArn, phone: OTHER_PHONE }]);
    expect(deps.messenger.textsTo(OTHER_PHONE)).toEqual([texts.confirm()]);
    expect(deps.messenger.textsTo(PHONE)).toHaveLength(0);
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
