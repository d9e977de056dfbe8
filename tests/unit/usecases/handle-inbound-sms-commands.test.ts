import { ProviderUnavailableError, RecipientOptedOutError } from '../../../src/domain/errors';
import { texts } from '../../../src/domain/messages';
import type { Subscriber } from '../../../src/domain/subscriber';
import { handleInboundSms, type InboundText } from '../../../src/usecases/handle-inbound-sms';
import {
  aDevice,
  aSubscriber,
  makeDeps,
  OTHER_PHONE,
  PHONE,
  SERVICE_NUMBER,
  T0,
  type TestDeps,
  tokens,
} from '../../support/fakes';

const ID = 'google#USER1';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const SUBSCRIPTION = `${TOPIC}:sub-1`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let counter = 0;
function inbound(body: string, overrides: Partial<InboundText> = {}): InboundText {
  counter += 1;
  return { from: PHONE, to: SERVICE_NUMBER, body, messageId: `cmd-${counter}`, ...overrides };
}

/** An active owner of PHONE (America/New_York; T0 is Mon 7:00 AM there). */
function seedOwner(deps: TestDeps, overrides: Partial<Subscriber> = {}): Subscriber {
  const owner = deps.store.seedSubscriber(
    aSubscriber({
      topicArn: TOPIC,
      subscriptionArn: SUBSCRIPTION,
      tokens: tokens({ expiresAt: T0 + 60 * DAY }),
      nextCheckAt: T0 + 4 * HOUR,
      ...overrides,
    }),
  );
  deps.store.phones.set(owner.phone, { phone: owner.phone, ownerId: owner.id });
  return owner;
}

const stored = (deps: TestDeps) => deps.store.subscribers.get(ID);
const replyTexts = (deps: TestDeps) => deps.messenger.texts.map((t) => t.text);

async function send(deps: TestDeps, body: string, overrides: Partial<InboundText> = {}) {
  return handleInboundSms(deps, inbound(body, overrides));
}

describe('handleInboundSms commands', () => {
  describe('STATUS', () => {
    it('answers with live levels and how long ago each device synced', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      deps.provider.devicesFor = [
        aDevice({ batteryLevel: 64, lastSyncTime: new Date(T0 - 5 * MINUTE).toISOString() }),
      ];

      const outcome = await send(deps, 'status');

      expect(outcome).toBe('status');
      expect(deps.messenger.texts).toEqual([
        {
          to: PHONE,
          from: SERVICE_NUMBER,
          text: 'Charge 6: 64%, synced 5m ago. Quiet hours: America/New_York time.',
        },
      ]);
    });

    it('answers from the remembered readings, saying the provider is not answering, when it fails', async () => {
      const deps = makeDeps();
      seedOwner(deps, {
        devices: {
          'dev-1': {
            name: 'Charge 6',
            type: 'TRACKER',
            level: 30,
            status: 'Medium',
            lastSyncTime: new Date(T0 - 2 * HOUR).toISOString(),
          },
        },
      });
      deps.provider.devicesFor = new ProviderUnavailableError('HTTP 503');

      const outcome = await send(deps, 'STATUS');

      expect(outcome).toBe('status');
      const [reply] = replyTexts(deps);
      expect(reply).toContain('not answering');
      expect(reply).toContain('Charge 6: 30%, synced 2h ago');
    });

    it('sends a subscriber who needs to sign up again the sign-up link, without asking the provider', async () => {
      const deps = makeDeps();
      seedOwner(deps, { state: 'needs_reauth', nextCheckAt: undefined });

      const outcome = await send(deps, 'status');

      expect(outcome).toBe('status');
      expect(replyTexts(deps)).toEqual([texts.needsReauth(deps.settings.signupUrl)]);
      expect(replyTexts(deps)[0]).toContain(deps.settings.signupUrl);
      expect(deps.provider.listDevicesCalls).toHaveLength(0);
    });
  });

  describe('SNOOZE', () => {
    it.each([
      ['snooze', T0 + DAY, 'Tue 7:00 AM'],
      ['snooze 90m', T0 + 90 * MINUTE, 'Mon 8:30 AM'],
      ['Snooze 2 days', T0 + 2 * DAY, 'Wed 7:00 AM'],
      ['snooze until 8am', T0 + HOUR, 'Mon 8:00 AM'],
      ['snooze 2 weeks', T0 + 7 * DAY, 'Mon 7:00 AM'],
    ])('"%s" snoozes until the right instant and says it in local time', async (body, until, local) => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await send(deps, body);

      expect(outcome).toBe('snoozed');
      expect(stored(deps)?.snoozeUntil).toBe(until);
      expect(replyTexts(deps)).toEqual([texts.snoozed(local)]);
    });

    it('reads "until 8am" in the subscriber\'s own time zone', async () => {
      const deps = makeDeps();
      // T0 is 13:00 in Berlin: the next 8:00 there is tomorrow, 07:00 UTC.
      seedOwner(deps, { timeZone: 'Europe/Berlin' });

      await send(deps, 'snooze until 8am');

      expect(stored(deps)?.snoozeUntil).toBe(Date.parse('2026-11-24T07:00:00Z'));
      expect(replyTexts(deps)).toEqual([texts.snoozed('Tue 8:00 AM')]);
    });

    it('does not promise a snooze that a STOP arriving meanwhile refused', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      // The owner is read as active; by the time the snooze is written, a STOP has landed.
      const read = deps.store.getSubscriber.bind(deps.store);
      let reads = 0;
      deps.store.getSubscriber = async (id, now) => {
        reads += 1;
        const current = await read(id, now);
        if (reads > 1 && current) deps.store.seedSubscriber({ ...current, state: 'stopped' });
        return read(id, now);
      };

      const outcome = await send(deps, 'snooze 90m');

      expect(outcome).toBe('stopped_hint');
      expect(stored(deps)?.snoozeUntil).toBeUndefined();
      expect(replyTexts(deps)).toEqual([texts.stoppedHint()]);
    });

    it('answers an unreadable snooze with the examples and changes nothing', async () => {
      const deps = makeDeps();
      const before = seedOwner(deps);

      const outcome = await send(deps, 'snooze forever please');

      expect(outcome).toBe('invalid');
      expect(replyTexts(deps)).toEqual([texts.snoozeInvalid()]);
      expect(stored(deps)).toEqual(before);
    });

    it.each(['snooze off', 'RESUME'])(
      '"%s" ends the snooze and makes the subscriber due now',
      async (body) => {
        const deps = makeDeps();
        seedOwner(deps, { snoozeUntil: T0 + 5 * HOUR, nextCheckAt: T0 + 3 * HOUR });

        const outcome = await send(deps, body);

        expect(outcome).toBe('snooze_off');
        expect(stored(deps)?.snoozeUntil).toBeLessThanOrEqual(T0);
        expect(stored(deps)?.nextCheckAt).toBe(T0);
        expect(replyTexts(deps)).toEqual([texts.snoozeOff()]);
      },
    );
  });

  describe('THRESHOLD and QUIET', () => {
    it('stores a threshold in range and makes the subscriber due now', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await send(deps, 'THRESHOLD 15');

      expect(outcome).toBe('settings');
      expect(stored(deps)?.threshold).toBe(15);
      expect(stored(deps)?.nextCheckAt).toBe(T0);
      expect(replyTexts(deps)).toEqual([texts.thresholdSet(15)]);
    });

    it('refuses a threshold out of range and changes nothing', async () => {
      const deps = makeDeps();
      const before = seedOwner(deps);

      const outcome = await send(deps, 'threshold 60');

      expect(outcome).toBe('invalid');
      expect(replyTexts(deps)).toEqual([texts.thresholdInvalid()]);
      expect(stored(deps)).toEqual(before);
    });

    it('stores quiet hours', async () => {
      const deps = makeDeps();
      seedOwner(deps, { quietHours: { start: 23, end: 6 } });

      const outcome = await send(deps, 'QUIET 22-7');

      expect(outcome).toBe('settings');
      expect(stored(deps)?.quietHours).toEqual({ start: 22, end: 7 });
      expect(replyTexts(deps)).toEqual([texts.quietSet(22, 7)]);
    });

    it('turns quiet hours off', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await send(deps, 'quiet off');

      expect(outcome).toBe('settings');
      expect(stored(deps)?.quietHours).toEqual({ start: 0, end: 0 });
      expect(replyTexts(deps)).toEqual([texts.quietOff()]);
    });

    it('answers unreadable quiet hours with an example and changes nothing', async () => {
      const deps = makeDeps();
      const before = seedOwner(deps);

      expect(await send(deps, 'quiet sometimes')).toBe('invalid');
      expect(replyTexts(deps)).toEqual([texts.quietInvalid()]);
      expect(stored(deps)).toEqual(before);
    });
  });

  describe('STOP and what comes after it', () => {
    it('stops the subscriber and sets the erase date 30 days out', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await send(deps, 'STOP');

      expect(outcome).toBe('stopped');
      expect(stored(deps)?.state).toBe('stopped');
      expect(stored(deps)?.nextCheckAt).toBe(T0 + 30 * DAY);
      expect(replyTexts(deps)).toEqual([texts.stopped()]);
    });

    it('changes nothing on settings texts after STOP and hints at most once an hour', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      deps.provider.devicesFor = [aDevice()];
      await send(deps, 'STOP');
      const afterStop = stored(deps);

      const outcomes = [
        await send(deps, 'snooze 2h'),
        await send(deps, 'threshold 15'),
        await send(deps, 'quiet 22-7'),
        await send(deps, 'status'),
        await send(deps, 'resume'),
      ];
      deps.clock.advance(HOUR);
      const anHourLater = await send(deps, 'snooze 2h');

      expect(outcomes).toEqual(['stopped_hint', 'silenced', 'silenced', 'silenced', 'silenced']);
      expect(anHourLater).toBe('stopped_hint');
      expect(stored(deps)).toEqual(afterStop);
      expect(replyTexts(deps)).toEqual([texts.stopped(), texts.stoppedHint(), texts.stoppedHint()]);
      expect(deps.provider.listDevicesCalls).toHaveLength(0);
    });

    it.each(['START', 'unstop', 'YES'])(
      '"%s" after STOP turns alerts back on, opts the number in and makes it due now',
      async (body) => {
        const deps = makeDeps();
        seedOwner(deps);
        await send(deps, 'STOP');
        deps.clock.advance(HOUR);

        const outcome = await send(deps, body);

        expect(outcome).toBe('resumed');
        expect(stored(deps)?.state).toBe('active');
        expect(stored(deps)?.nextCheckAt).toBe(T0 + HOUR);
        expect(deps.messenger.optedIn).toEqual([PHONE]);
        expect(replyTexts(deps)).toEqual([texts.stopped(), texts.resumed()]);
      },
    );

    it('still resumes when the opt-in call fails', async () => {
      const deps = makeDeps();
      seedOwner(deps, { state: 'stopped', nextCheckAt: T0 + 30 * DAY });
      deps.messenger.failures.fail('optIn', new Error('SMS API down'));

      expect(await send(deps, 'START')).toBe('resumed');
      expect(stored(deps)?.state).toBe('active');
    });

    it('sends START from an unknown number to the sign-up page', async () => {
      const deps = makeDeps();

      const outcome = await send(deps, 'START');

      expect(outcome).toBe('not_subscribed');
      expect(replyTexts(deps)).toEqual([texts.notSubscribed(deps.settings.signupUrl)]);
      expect(deps.messenger.optedIn).toHaveLength(0);
    });
  });

  describe('DELETE', () => {
    it('erases the subscriber and sends one last text', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const outcome = await send(deps, 'DELETE');

      expect(outcome).toBe('deleted');
      expect(deps.store.subscribers.has(ID)).toBe(false);
      expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
      expect(deps.provider.revoked).toEqual(['test-refresh-1']);
      expect(deps.messenger.unsubscribed).toEqual([SUBSCRIPTION]);
      expect(deps.messenger.deletedTopics).toEqual([TOPIC]);
      expect(deps.messenger.texts).toEqual([
        { to: PHONE, from: SERVICE_NUMBER, text: texts.deleted(deps.settings.signupUrl) },
      ]);
    });

    it('erases a stopped subscriber too', async () => {
      const deps = makeDeps();
      seedOwner(deps, { state: 'stopped', nextCheckAt: T0 + 30 * DAY });

      expect(await send(deps, 'delete')).toBe('deleted');
      expect(deps.store.subscribers.has(ID)).toBe(false);
    });

    it('sends DELETE from an unknown number to the sign-up page', async () => {
      const deps = makeDeps();

      const outcome = await send(deps, 'DELETE');

      expect(outcome).toBe('not_subscribed');
      expect(replyTexts(deps)).toEqual([texts.notSubscribed(deps.settings.signupUrl)]);
      expect(deps.provider.revoked).toHaveLength(0);
    });
  });

  describe('rate-limited replies', () => {
    it('hints at unknown text at most once an hour per number', async () => {
      const deps = makeDeps();
      seedOwner(deps);

      const first = await send(deps, 'what?? hello');
      deps.clock.advance(59 * MINUTE);
      const withinTheHour = await send(deps, 'lol');
      deps.clock.advance(MINUTE);
      const anHourLater = await send(deps, 'lol');

      expect([first, withinTheHour, anHourLater]).toEqual(['hint', 'silenced', 'hint']);
      expect(replyTexts(deps)).toEqual([texts.hint(), texts.hint()]);
    });

    it('counts hints per sender', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      seedOwner(deps, { id: 'google#USER2', providerUserId: 'USER2', phone: OTHER_PHONE });

      const outcomes = [await send(deps, 'hello'), await send(deps, 'hello', { from: OTHER_PHONE })];

      expect(outcomes).toEqual(['hint', 'hint']);
    });

    it('sends a non-subscriber the sign-up link at most once a day', async () => {
      const deps = makeDeps();

      const first = await send(deps, 'hello');
      deps.clock.advance(23 * HOUR);
      const sameDay = await send(deps, 'status');
      deps.clock.advance(HOUR);
      const nextDay = await send(deps, 'hello again');

      expect([first, sameDay, nextDay]).toEqual(['not_subscribed', 'silenced', 'not_subscribed']);
      expect(replyTexts(deps)).toEqual([
        texts.notSubscribed(deps.settings.signupUrl),
        texts.notSubscribed(deps.settings.signupUrl),
      ]);
    });
  });

  describe('delivery', () => {
    it('swallows a reply to an opted-out number and does not retry the message', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      deps.messenger.failures.fail('sendText', new RecipientOptedOutError('opted out'));
      const text = inbound('STOP');

      const outcome = await handleInboundSms(deps, text);
      const redelivered = await handleInboundSms(deps, { ...text });

      expect(outcome).toBe('stopped');
      expect(redelivered).toBe('duplicate');
      expect(stored(deps)?.state).toBe('stopped');
      expect(deps.store.inbound.has(text.messageId)).toBe(true);
      expect(deps.messenger.texts).toHaveLength(0);
    });

    it('releases the message claim and rethrows when a reply really fails', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      deps.messenger.failures.fail('sendText', new Error('ThrottlingException'));
      const text = inbound('threshold 15');

      await expect(handleInboundSms(deps, text)).rejects.toThrow('ThrottlingException');
      expect(deps.store.inbound.has(text.messageId)).toBe(false);
      const retry = await handleInboundSms(deps, { ...text });

      expect(retry).toBe('settings');
      expect(replyTexts(deps)).toEqual([texts.thresholdSet(15)]);
    });

    it('acts once on the same message delivered twice', async () => {
      const deps = makeDeps();
      seedOwner(deps);
      const text = inbound('snooze 3h');

      const first = await handleInboundSms(deps, text);
      const savesAfterFirst = deps.store.saves.length;
      deps.clock.advance(MINUTE);
      const second = await handleInboundSms(deps, { ...text });

      expect([first, second]).toEqual(['snoozed', 'duplicate']);
      expect(deps.store.saves).toHaveLength(savesAfterFirst);
      expect(stored(deps)?.snoozeUntil).toBe(T0 + 3 * HOUR);
      expect(deps.messenger.texts).toHaveLength(1);
    });
  });
});
