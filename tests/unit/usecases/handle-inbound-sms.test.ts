import { ProviderUnavailableError, TokenRejectedError } from '../../../src/domain/errors';
import { expiryAt } from '../../../src/domain/lifecycle';
import { texts } from '../../../src/domain/messages';
import { handleInboundSms, type InboundText } from '../../../src/usecases/handle-inbound-sms';
import {
  aDevice,
  aSubscriber,
  makeDeps,
  PHONE,
  SERVICE_NUMBER,
  T0,
  type TestDeps,
  tokens,
} from '../../support/fakes';

let counter = 0;
function inbound(body: string, overrides: Partial<InboundText> = {}): InboundText {
  counter += 1;
  return { from: PHONE, to: SERVICE_NUMBER, body, messageId: `msg-${counter}`, ...overrides };
}

function seedPending(deps: TestDeps, overrides: Parameters<typeof aSubscriber>[0] = {}, code = '1234') {
  const pending = deps.store.seedSubscriber(
    aSubscriber({
      state: 'pending_confirmation',
      expiresAtMs: expiryAt(T0 + 3600_000),
      topicArn: 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1',
      subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1:sub-new',
      ...overrides,
    }),
  );
  const record = deps.store.phones.get(pending.phone) ?? { phone: pending.phone };
  deps.store.phones.set(pending.phone, {
    ...record,
    pending: { ...record.pending, [pending.id]: { code, expiresAtMs: pending.expiresAtMs ?? 0 } },
  });
  return pending;
}

function seedOwner(deps: TestDeps, overrides: Parameters<typeof aSubscriber>[0] = {}) {
  const owner = deps.store.seedSubscriber(aSubscriber({ state: 'active', ...overrides }));
  deps.store.phones.set(owner.phone, {
    ...(deps.store.phones.get(owner.phone) ?? { phone: owner.phone }),
    ownerId: owner.id,
  });
  return owner;
}

const replies = (deps: TestDeps) => deps.messenger.texts;

describe('handleInboundSms', () => {
  describe('YES', () => {
    it('activates a pending sign-up, makes it the owner and texts its devices from the number texted', async () => {
      const deps = makeDeps();
      seedPending(deps);
      deps.provider.devicesFor = [aDevice({ name: 'Charge 6', batteryLevel: 64 })];

      const outcome = await handleInboundSms(deps, inbound('Yes!'));

      expect(outcome).toBe('confirmed');
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored?.state).toBe('active');
      expect(stored?.expiresAtMs).toBeUndefined();
      expect(deps.store.phones.get(PHONE)).toMatchObject({ phone: PHONE, ownerId: 'google#USER1' });
      expect(deps.store.phones.get(PHONE)?.pending).toBeUndefined();
      expect(replies(deps)).toEqual([
        {
          to: PHONE,
          from: SERVICE_NUMBER,
          text: texts.intro([{ name: 'Charge 6', level: 64, status: 'High' }], 'America/New_York'),
        },
      ]);
      expect(replies(deps)[0]?.text).toContain('Charge 6: 64%');
      expect(deps.provider.listDevicesCalls).toEqual(['test-access-1']);
    });

    it('keeps a confirmed subscriber after the 24-hour pending expiry has passed', async () => {
      const deps = makeDeps();
      seedPending(deps);
      await handleInboundSms(deps, inbound('YES'));

      deps.clock.advance(48 * 3600 * 1000);

      expect(await deps.store.getSubscriber('google#USER1', deps.clock.now())).toBeDefined();
    });

    it('acts once on a message delivered twice', async () => {
      const deps = makeDeps();
      seedPending(deps);
      const text = inbound('YES');

      const first = await handleInboundSms(deps, text);
      const second = await handleInboundSms(deps, { ...text });

      expect([first, second]).toEqual(['confirmed', 'duplicate']);
      expect(replies(deps)).toHaveLength(1);
    });

    it('replies already subscribed when the owner is active and nothing is pending', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await handleInboundSms(deps, inbound('yes'));

      expect(outcome).toBe('already_active');
      expect(replies(deps)).toEqual([{ to: PHONE, from: SERVICE_NUMBER, text: texts.alreadyActive() }]);
    });

    it('points an unknown number to the sign-up page', async () => {
      const deps = makeDeps();

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('not_subscribed');
      expect(replies(deps)).toEqual([
        { to: PHONE, from: SERVICE_NUMBER, text: texts.notSubscribed(deps.settings.signupUrl) },
      ]);
      expect(replies(deps)[0]?.text).toContain(deps.settings.signupUrl);
      expect(deps.store.subscribers.size).toBe(0);
    });

    it('does not confirm a pending sign-up that has expired', async () => {
      const deps = makeDeps();
      seedPending(deps, { expiresAtMs: Math.floor(T0 / 1000) * 1000 });

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('not_subscribed');
      expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
    });

    it('does not confirm a pending sign-up that has since moved to another number', async () => {
      const deps = makeDeps();
      seedPending(deps);
      const moved = deps.store.subscribers.get('google#USER1');
      if (moved) moved.phone = '+12015550199';

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('not_subscribed');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
    });

    it('does not let a bare YES hand an owned number to a newer sign-up: it asks for the code (finding 2)', async () => {
      const deps = makeDeps();
      const victim = seedOwner(deps, { id: 'google#OLD', providerUserId: 'OLD' });
      seedPending(deps);

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('needs_code');
      expect(deps.store.subscribers.get(victim.id)?.state).toBe('active');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
      expect(deps.store.phones.get(PHONE)?.ownerId).toBe(victim.id);
      expect(replies(deps).map((r) => r.text)).toEqual([texts.yesNeedsCode()]);
    });

    it('does not confirm either of two pending sign-ups on a bare YES (finding 2)', async () => {
      const deps = makeDeps();
      seedPending(deps);
      seedPending(deps, { id: 'google#ATTACKER', providerUserId: 'ATTACKER' }, '9999');

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('needs_code');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
      expect(deps.store.subscribers.get('google#ATTACKER')?.state).toBe('pending_confirmation');
      expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
    });

    it('confirms exactly the sign-up whose code comes with the YES', async () => {
      const deps = makeDeps();
      seedPending(deps);
      seedPending(deps, { id: 'google#OTHER', providerUserId: 'OTHER' }, '9999');

      const outcome = await handleInboundSms(deps, inbound('YES 9999'));

      expect(outcome).toBe('confirmed');
      expect(deps.store.subscribers.get('google#OTHER')?.state).toBe('active');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
      expect(deps.store.phones.get(PHONE)?.ownerId).toBe('google#OTHER');
    });

    it('answers a YES with a code that matches nothing, and changes nothing', async () => {
      const deps = makeDeps();
      seedPending(deps);

      const outcome = await handleInboundSms(deps, inbound('YES 0000'));

      expect(outcome).toBe('wrong_code');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
      expect(replies(deps).map((r) => r.text)).toEqual([texts.yesWrongCode()]);
    });

    it('lets a new pending sign-up take the number over with its code: the old owner is stopped and unsubscribed', async () => {
      const deps = makeDeps();
      const old = seedOwner(deps, {
        id: 'google#OLD',
        providerUserId: 'OLD',
        subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-OLD:sub-1',
      });
      const oldTopic = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-OLD';
      deps.messenger.subscriptions.set(old.subscriptionArn as string, { topicArn: oldTopic, phone: PHONE });
      deps.store.seedSubscriber({ ...old, topicArn: oldTopic });
      seedPending(deps);

      const outcome = await handleInboundSms(deps, inbound('YES 1234'));

      expect(outcome).toBe('confirmed');
      expect(deps.store.subscribers.get(old.id)?.state).toBe('stopped');
      expect(deps.messenger.unsubscribed).toContain(old.subscriptionArn);
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('active');
      expect(deps.store.phones.get(PHONE)).toMatchObject({ phone: PHONE, ownerId: 'google#USER1' });
      expect(replies(deps)).toHaveLength(1);
    });

    it('still sends an introduction when the devices cannot be read', async () => {
      const deps = makeDeps();
      seedPending(deps);
      deps.provider.devicesFor = new ProviderUnavailableError('devices: HTTP 503');

      const outcome = await handleInboundSms(deps, inbound('YES'));

      expect(outcome).toBe('confirmed');
      expect(replies(deps)).toEqual([
        { to: PHONE, from: SERVICE_NUMBER, text: texts.introUnavailable('America/New_York') },
      ]);
      expect(deps.logger.entries.some((e) => e.level === 'warn')).toBe(true);
    });

    it('refreshes a rejected token to read the devices for the introduction', async () => {
      const deps = makeDeps();
      seedPending(deps);
      deps.provider.devicesByToken.set('test-access-1', new TokenRejectedError('devices: HTTP 401'));
      deps.provider.devicesByToken.set('test-access-2', [aDevice({ name: 'Inspire 3', batteryLevel: 12 })]);
      deps.provider.refreshResults = [tokens({ accessToken: 'test-access-2' })];

      await handleInboundSms(deps, inbound('YES'));

      expect(replies(deps)[0]?.text).toContain('Inspire 3: 12%');
      expect(deps.store.subscribers.get('google#USER1')?.tokens.accessToken).toBe('test-access-2');
    });
  });

  describe('STOP and START', () => {
    it('stops an active owner and confirms in one text', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await handleInboundSms(deps, inbound('Stop.'));

      expect(outcome).toBe('stopped');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('stopped');
      expect(replies(deps)).toEqual([{ to: PHONE, from: SERVICE_NUMBER, text: texts.stopped() }]);
    });

    it('stops both the owner and a pending sign-up of the number', async () => {
      const deps = makeDeps();
      seedOwner(deps, { id: 'google#OLD', providerUserId: 'OLD' });
      seedPending(deps);

      await handleInboundSms(deps, inbound('opt out'));

      expect(deps.store.subscribers.get('google#OLD')?.state).toBe('stopped');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('stopped');
    });

    it('still confirms the opt-out to an unknown number', async () => {
      const deps = makeDeps();

      const outcome = await handleInboundSms(deps, inbound('STOP'));

      expect(outcome).toBe('stopped');
      expect(replies(deps)).toEqual([{ to: PHONE, from: SERVICE_NUMBER, text: texts.stopped() }]);
    });

    it('resumes a stopped owner on START', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      await handleInboundSms(deps, inbound('STOP'));

      const outcome = await handleInboundSms(deps, inbound('start'));

      expect(outcome).toBe('resumed');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('active');
      expect(replies(deps).map((r) => r.text)).toEqual([texts.stopped(), texts.resumed()]);
    });

    it('resumes a stopped owner on YES too', async () => {
      const deps = makeDeps();
      seedOwner(deps, { state: 'stopped' });

      expect(await handleInboundSms(deps, inbound('yes'))).toBe('resumed');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('active');
    });

    it('answers START from an active owner with already subscribed', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      expect(await handleInboundSms(deps, inbound('START'))).toBe('already_active');
      expect(replies(deps)[0]?.text).toBe(texts.alreadyActive());
    });

    it('reminds a pending sign-up to reply YES on START', async () => {
      const deps = makeDeps();
      seedPending(deps);

      expect(await handleInboundSms(deps, inbound('START'))).toBe('pending_hint');
      expect(replies(deps)[0]?.text).toBe(texts.pendingHint());
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
    });

    it('points an unknown number to the sign-up page on START', async () => {
      const deps = makeDeps();

      expect(await handleInboundSms(deps, inbound('START'))).toBe('not_subscribed');
    });
  });

  describe('HELP and anything else', () => {
    it('answers HELP to anyone', async () => {
      const deps = makeDeps();

      const outcome = await handleInboundSms(deps, inbound('help'));

      expect(outcome).toBe('help');
      expect(replies(deps)).toEqual([{ to: PHONE, from: SERVICE_NUMBER, text: texts.help() }]);
    });

    it('leaves the HELP keyword to AWS when AWS manages keywords, but still answers other help words', async () => {
      const deps = makeDeps();
      deps.settings.selfManagedOptOuts = false;

      expect(await handleInboundSms(deps, inbound(' Help. '))).toBe('help');
      expect(replies(deps)).toEqual([]);
      expect(await handleInboundSms(deps, inbound('commands'))).toBe('help');
      expect(replies(deps)).toEqual([{ to: PHONE, from: SERVICE_NUMBER, text: texts.help() }]);
    });

    it('answers unknown text from an owner with the one-line command hint', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      expect(await handleInboundSms(deps, inbound('what is this?'))).toBe('hint');
      expect(replies(deps)[0]?.text).toBe(texts.hint());
    });

    it('answers unknown text from a pending sign-up with the reply-YES hint', async () => {
      const deps = makeDeps();
      seedPending(deps);

      expect(await handleInboundSms(deps, inbound('👍'))).toBe('pending_hint');
      expect(replies(deps)[0]?.text).toBe(texts.pendingHint());
    });

    it('answers unknown text from a stranger with the sign-up link', async () => {
      const deps = makeDeps();

      expect(await handleInboundSms(deps, inbound('hello'))).toBe('not_subscribed');
      expect(replies(deps)[0]?.text).toBe(texts.notSubscribed(deps.settings.signupUrl));
    });
  });

  describe('failures', () => {
    it('releases the message claim when the store fails, so a retry acts on it', async () => {
      const deps = makeDeps();
      seedPending(deps);
      deps.store.failures.fail('getPhone', new Error('DynamoDB throttled'));
      const text = inbound('YES');

      await expect(handleInboundSms(deps, text)).rejects.toThrow('DynamoDB throttled');
      expect(deps.store.inbound.has(text.messageId)).toBe(false);
      const retry = await handleInboundSms(deps, text);

      expect(retry).toBe('confirmed');
      expect(replies(deps)).toHaveLength(1);
    });

    // A reply that cannot be sent releases the claim too: handle-inbound-sms-commands.test.ts.
    it('throws the original error even when releasing the claim fails too', async () => {
      const deps = makeDeps();
      deps.store.failures.fail('getPhone', new Error('first'));
      deps.store.failures.fail('releaseInboundMessage', new Error('second'));

      await expect(handleInboundSms(deps, inbound('HELP'))).rejects.toThrow('first');
    });

    it('does not log the full phone number', async () => {
      const deps = makeDeps();

      await handleInboundSms(deps, inbound('HELP'));

      expect(deps.logger.entries.length).toBeGreaterThan(0);
      expect(deps.logger.dump()).not.toContain('5550123');
    });
  });
});
