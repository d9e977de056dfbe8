import {
  InvalidGrantError,
  MalformedResponseError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
} from '../../../src/domain/errors';
import { texts } from '../../../src/domain/messages';
import type { DeviceMemory, Subscriber } from '../../../src/domain/subscriber';
import { checkSubscriber } from '../../../src/usecases/check-subscriber';
import { STOPPED_RETENTION_MS } from '../../../src/usecases/erase-subscriber';
import { aDevice, aSubscriber, makeDeps, PHONE, T0, type TestDeps, tokens } from '../../support/fakes';

const ID = 'google#USER1';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const SUBSCRIPTION = `${TOPIC}:sub-1`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** An active, due subscriber with a topic and tokens that stay valid for the whole test. */
function seedActive(deps: TestDeps, overrides: Partial<Subscriber> = {}): Subscriber {
  const subscriber = deps.store.seedSubscriber(
    aSubscriber({
      topicArn: TOPIC,
      subscriptionArn: SUBSCRIPTION,
      tokens: tokens({ expiresAt: T0 + 60 * 24 * HOUR }),
      nextCheckAt: T0,
      ...overrides,
    }),
  );
  deps.store.phones.set(PHONE, { phone: PHONE, ownerId: subscriber.id });
  return subscriber;
}

const lowDevice = () =>
  aDevice({
    batteryLevel: 12,
    batteryStatus: 'Low',
    lastSyncTime: new Date(T0 - 10 * MINUTE).toISOString(),
  });

const stored = (deps: TestDeps) => deps.store.subscribers.get(ID);

/** The delay the check chose before the next look, from the clock's now. */
const delay = (deps: TestDeps) => (stored(deps)?.nextCheckAt ?? Number.NaN) - deps.clock.now();

describe('checkSubscriber', () => {
  describe('who is checked', () => {
    it.each(['pending_confirmation', 'needs_reauth'] as const)(
      'skips a %s subscriber without asking the provider',
      async (state) => {
        const deps = makeDeps();
        seedActive(deps, { state });

        const outcome = await checkSubscriber(deps, ID);

        expect(outcome).toBe('skipped');
        expect(deps.provider.listDevicesCalls).toHaveLength(0);
        expect(deps.store.saves).toHaveLength(0);
      },
    );

    it('skips an unknown subscriber', async () => {
      const deps = makeDeps();

      expect(await checkSubscriber(deps, ID)).toBe('skipped');
    });

    it('skips an active subscriber that is not due yet', async () => {
      const deps = makeDeps();
      seedActive(deps, { nextCheckAt: T0 + MINUTE });

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('skipped');
      expect(deps.provider.listDevicesCalls).toHaveLength(0);
    });

    it('checks a subscriber that is not due yet when forced', async () => {
      const deps = makeDeps();
      seedActive(deps, { nextCheckAt: T0 + HOUR });
      deps.provider.devicesFor = [aDevice()];

      const outcome = await checkSubscriber(deps, ID, { force: true });

      expect(outcome).toBe('checked');
      expect(deps.provider.listDevicesCalls).toHaveLength(1);
    });
  });

  describe('a good check', () => {
    it('reads the devices and saves their memory and the next check time', async () => {
      const deps = makeDeps();
      seedActive(deps, { failures: 3 });
      const sync = new Date(T0 - 5 * MINUTE).toISOString();
      deps.provider.devicesFor = [aDevice({ batteryLevel: 80, lastSyncTime: sync })];

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('checked');
      expect(deps.provider.listDevicesCalls).toEqual(['test-access-1']);
      const after = stored(deps);
      expect(after?.devices['dev-1']).toMatchObject({
        name: 'Charge 6',
        level: 80,
        status: 'High',
        lastSyncTime: sync,
      });
      expect(after?.nextCheckAt).toBeGreaterThan(T0);
      expect(after?.failures).toBe(0);
      expect(after?.updatedAt).toBe(T0);
      expect(after?.version).toBe(2);
      expect(deps.messenger.published).toHaveLength(0);
    });

    it('texts once per low episode through the topic, and not on the next check', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];

      const first = await checkSubscriber(deps, ID);
      deps.clock.current = stored(deps)?.nextCheckAt ?? Number.NaN;
      const second = await checkSubscriber(deps, ID);

      expect([first, second]).toEqual(['texted', 'checked']);
      expect(deps.messenger.published).toHaveLength(1);
      expect(deps.messenger.published[0]?.topicArn).toBe(TOPIC);
      expect(deps.messenger.published[0]?.text).toContain('Charge 6 battery low: 12%');
      expect(deps.messenger.texts).toHaveLength(0);
      expect(stored(deps)?.devices['dev-1']?.episode?.lowSentAt).toBe(T0);
    });

    it('makes a topic that no longer exists again, subscribes the phone, records it and still texts', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.messenger.loseTopic(TOPIC);
      deps.provider.devicesFor = [lowDevice()];

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('texted');
      expect(deps.messenger.published).toEqual([
        { topicArn: TOPIC, text: expect.stringContaining('battery low') },
      ]);
      const [subscriptionArn, subscription] = [...deps.messenger.subscriptions][0] ?? [];
      expect(subscription).toEqual({ topicArn: TOPIC, phone: PHONE });
      expect(stored(deps)).toMatchObject({ topicArn: TOPIC, subscriptionArn });
      expect(stored(deps)?.devices['dev-1']?.episode?.lowSentAt).toBe(T0);
    });

    it('keeps the alert due when the topic cannot be made again', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.messenger.loseTopic(TOPIC);
      deps.messenger.failures.fail('ensureTopic', new Error('ThrottlingException'));
      deps.provider.devicesFor = [lowDevice()];

      // The failed call surfaces (the checker invocation fails, so alarms see it) with the text still due.
      await expect(checkSubscriber(deps, ID)).rejects.toThrow('ThrottlingException');
      expect(deps.messenger.published).toHaveLength(0);
      expect(stored(deps)?.devices['dev-1']?.episode?.lowSentAt).toBeUndefined();
    });

    it('clears snoozeUntil once the snooze has ended and the reminder is sent', async () => {
      const deps = makeDeps();
      const episode = { startedAt: T0 - 5 * HOUR, lowSentAt: T0 - 5 * HOUR };
      const memory: DeviceMemory = { name: 'Charge 6', type: 'TRACKER', level: 14, status: 'Low', episode };
      seedActive(deps, { snoozeUntil: T0 - MINUTE, devices: { 'dev-1': memory } });
      deps.provider.devicesFor = [lowDevice()];

      const outcome = await checkSubscriber(deps, ID);
      deps.clock.current = stored(deps)?.nextCheckAt ?? Number.NaN;
      const next = await checkSubscriber(deps, ID);

      expect([outcome, next]).toEqual(['texted', 'checked']);
      expect(deps.messenger.published).toHaveLength(1);
      expect(deps.messenger.published[0]?.text).toContain('battery low');
      expect(stored(deps)?.snoozeUntil).toBeUndefined();
    });
  });

  describe('provider faults', () => {
    it('marks a lost grant needs_reauth, stops checking and says so exactly once', async () => {
      const deps = makeDeps();
      seedActive(deps, { tokens: tokens({ expiresAt: T0 - MINUTE }) });
      deps.provider.refreshResults = [new InvalidGrantError('invalid_grant')];

      const first = await checkSubscriber(deps, ID);
      const second = await checkSubscriber(deps, ID, { force: true });

      expect(first).toBe('deferred');
      expect(second).toBe('skipped');
      const after = stored(deps);
      expect(after?.state).toBe('needs_reauth');
      expect(after?.nextCheckAt).toBeUndefined();
      expect(deps.messenger.published).toEqual([
        { topicArn: TOPIC, text: texts.needsReauth(deps.settings.signupUrl) },
      ]);
    });

    it('treats a lost grant reported by the device read the same way', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = new InvalidGrantError('invalid_grant');

      expect(await checkSubscriber(deps, ID)).toBe('deferred');
      expect(stored(deps)?.state).toBe('needs_reauth');
      expect(deps.messenger.published).toHaveLength(1);
    });

    it('defers a rate-limited subscriber for at least Retry-After and counts the failure', async () => {
      const deps = makeDeps();
      seedActive(deps, { failures: 1 });
      deps.provider.devicesFor = new RateLimitedError('HTTP 429', 7200);

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('deferred');
      expect(deps.provider.listDevicesCalls).toHaveLength(1);
      expect(stored(deps)?.nextCheckAt).toBeGreaterThanOrEqual(T0 + 7200 * 1000);
      expect(stored(deps)?.failures).toBe(2);
      expect(stored(deps)?.state).toBe('active');
    });

    it('retries an unavailable provider a bounded number of times, then defers', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = new ProviderUnavailableError('HTTP 503');

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('deferred');
      expect(deps.provider.listDevicesCalls).toHaveLength(3);
      expect(deps.slept).toHaveLength(2);
      expect(stored(deps)?.failures).toBe(1);
      expect(delay(deps)).toBeGreaterThanOrEqual(12 * MINUTE);
      expect(delay(deps)).toBeLessThanOrEqual(18 * MINUTE);
    });

    it('backs off longer after every consecutive failure', async () => {
      const delays: number[] = [];
      for (const failures of [0, 1, 2, 3]) {
        const deps = makeDeps();
        seedActive(deps, { failures });
        deps.provider.devicesFor = new ProviderUnavailableError('HTTP 503');
        await checkSubscriber(deps, ID);
        delays.push(delay(deps));
      }

      for (let i = 1; i < delays.length; i++) {
        expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);
      }
    });

    it('succeeds when the provider answers within the retries', async () => {
      const deps = makeDeps();
      seedActive(deps);
      const answers: Array<ProviderUnavailableError | undefined> = [new ProviderUnavailableError('503')];
      const listDevices = deps.provider.listDevices.bind(deps.provider);
      deps.provider.listDevices = async (token) => {
        const error = answers.shift();
        if (error) throw error;
        return listDevices(token);
      };
      deps.provider.devicesFor = [aDevice()];

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(deps.slept).toHaveLength(1);
    });

    it('defers, without throwing, when the answer cannot be read', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = new MalformedResponseError('devices: not JSON');

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('deferred');
      expect(deps.provider.listDevicesCalls).toHaveLength(1);
      expect(stored(deps)?.failures).toBe(1);
      expect(delay(deps)).toBeGreaterThan(0);
    });

    it('never retries a retired provider: the subscriber is asked once to sign up again', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = new ProviderRetiredError('HTTP 410');

      const outcome = await checkSubscriber(deps, ID);
      const again = await checkSubscriber(deps, ID, { force: true });

      expect(outcome).toBe('deferred');
      expect(again).toBe('skipped');
      expect(deps.provider.listDevicesCalls).toHaveLength(1);
      expect(stored(deps)?.state).toBe('needs_reauth');
      expect(stored(deps)?.nextCheckAt).toBeUndefined();
      expect(deps.messenger.published.map((p) => p.text)).toEqual([
        texts.needsReauth(deps.settings.signupUrl),
      ]);
      expect(deps.logger.entries.some((e) => e.level === 'error')).toBe(true);
    });

    it('throws an unexpected provider error (a bug), so the invocation fails visibly', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = new TypeError('undefined is not a function');

      await expect(checkSubscriber(deps, ID)).rejects.toThrow(TypeError);
      expect(deps.logger.entries.some((e) => e.level === 'error')).toBe(true);
    });
  });

  describe('store faults and races', () => {
    it('throws when the store cannot be read (a refused or failed AWS call is never silent)', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.store.failures.fail('getSubscriber', new Error('DynamoDB throttled'));

      await expect(checkSubscriber(deps, ID)).rejects.toThrow('DynamoDB throttled');
      expect(deps.logger.entries.some((e) => e.level === 'error')).toBe(true);
    });

    it('throws and texts nothing when the decision cannot be saved', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.store.failures.fail('saveSubscriber', new Error('DynamoDB throttled'));

      await expect(checkSubscriber(deps, ID)).rejects.toThrow('DynamoDB throttled');
      expect(deps.messenger.published).toHaveLength(0);
    });

    it('re-evaluates on the latest record after a lost race and does not resend what the winner sent', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.store.beforeNextSave = (store) => {
        // Another checker read the same devices, texted the low battery and saved first.
        const current = store.subscribers.get(ID) as Subscriber;
        store.seedSubscriber({
          ...current,
          version: current.version + 1,
          devices: {
            'dev-1': {
              name: 'Charge 6',
              type: 'TRACKER',
              level: 12,
              status: 'Low',
              episode: { startedAt: T0, lowSentAt: T0 },
            },
          },
        });
      };

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('checked');
      expect(deps.messenger.published).toHaveLength(0);
      expect(stored(deps)?.version).toBe(3);
      expect(stored(deps)?.devices['dev-1']?.episode?.lowSentAt).toBe(T0);
    });

    it('keeps what the winner of a race changed and still texts what is due', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.store.beforeNextSave = (store) => {
        const current = store.subscribers.get(ID) as Subscriber;
        store.seedSubscriber({ ...current, version: current.version + 1, threshold: 15 });
      };

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('texted');
      expect(deps.messenger.published).toHaveLength(1);
      expect(stored(deps)?.threshold).toBe(15);
    });

    it('sends nothing when the winner of a race stopped the subscriber', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.store.beforeNextSave = (store) => {
        const current = store.subscribers.get(ID) as Subscriber;
        store.seedSubscriber({ ...current, version: current.version + 1, state: 'stopped' });
      };

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('skipped');
      expect(deps.messenger.published).toHaveLength(0);
      expect(stored(deps)?.state).toBe('stopped');
    });
  });

  describe('sending', () => {
    it('takes the episode mark back when the text fails, so the next check sends it once', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.messenger.failures.fail('publish', new Error('SNS throttled'));

      const failed = await checkSubscriber(deps, ID).catch((error: Error) => error.message);
      const afterFailure = stored(deps);
      deps.clock.current = afterFailure?.nextCheckAt ?? Number.NaN;
      const retried = await checkSubscriber(deps, ID);
      deps.clock.current = stored(deps)?.nextCheckAt ?? Number.NaN;
      const third = await checkSubscriber(deps, ID);

      expect(failed).toBe('SNS throttled');
      expect(afterFailure?.devices['dev-1']?.episode?.lowSentAt).toBeUndefined();
      expect(afterFailure?.nextCheckAt).toBe(T0 + 15 * MINUTE);
      expect([retried, third]).toEqual(['texted', 'checked']);
      expect(deps.messenger.published).toHaveLength(1);
    });

    it('sends a failed snooze reminder at the next check', async () => {
      const deps = makeDeps();
      const episode = { startedAt: T0 - 5 * HOUR, lowSentAt: T0 - 5 * HOUR };
      const memory: DeviceMemory = { name: 'Charge 6', type: 'TRACKER', level: 14, status: 'Low', episode };
      seedActive(deps, { snoozeUntil: T0 - MINUTE, devices: { 'dev-1': memory } });
      deps.provider.devicesFor = [lowDevice()];
      deps.messenger.failures.fail('publish', new Error('SNS throttled'));

      const failed = await checkSubscriber(deps, ID).catch((error: Error) => error.message);
      deps.clock.current = stored(deps)?.nextCheckAt ?? Number.NaN;
      const retried = await checkSubscriber(deps, ID);

      expect([failed, retried]).toEqual(['SNS throttled', 'texted']);
      expect(deps.messenger.published).toHaveLength(1);
      expect(stored(deps)?.snoozeUntil).toBeUndefined();
    });

    it('does not bring back a subscriber who stopped while the text was failing', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.messenger.publish = async () => {
        // STOP arrives (and is saved) while SNS is failing this alert.
        const current = deps.store.subscribers.get(ID) as Subscriber;
        deps.store.seedSubscriber({
          ...current,
          version: current.version + 1,
          state: 'stopped',
          nextCheckAt: T0 + STOPPED_RETENTION_MS,
        });
        throw new Error('SNS throttled');
      };

      await expect(checkSubscriber(deps, ID)).rejects.toThrow('SNS throttled');

      expect(stored(deps)?.state).toBe('stopped');
      expect(stored(deps)?.nextCheckAt).toBe(T0 + STOPPED_RETENTION_MS);
    });

    it('stops a subscriber whose number is on the opt-out list instead of texting', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [lowDevice()];
      deps.messenger.optedOut.add(PHONE);

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('skipped');
      expect(deps.messenger.published).toHaveLength(0);
      expect(stored(deps)?.state).toBe('stopped');
      expect(stored(deps)?.nextCheckAt).toBe(T0 + 30 * 24 * HOUR);
    });

    it('does not look at the opt-out list when there is nothing to send', async () => {
      const deps = makeDeps();
      seedActive(deps);
      deps.provider.devicesFor = [aDevice()];
      deps.messenger.optedOut.add(PHONE);

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(stored(deps)?.state).toBe('active');
    });
  });

  describe('30 days after STOP', () => {
    it('erases a stopped subscriber whose erase date has passed', async () => {
      const deps = makeDeps();
      seedActive(deps, { state: 'stopped', nextCheckAt: T0 - MINUTE });

      const outcome = await checkSubscriber(deps, ID);

      expect(outcome).toBe('skipped');
      expect(deps.provider.revoked).toEqual(['test-refresh-1']);
      expect(deps.messenger.unsubscribed).toEqual([SUBSCRIPTION]);
      expect(deps.messenger.deletedTopics).toEqual([TOPIC]);
      expect(deps.store.subscribers.has(ID)).toBe(false);
      expect(deps.store.phones.get(PHONE)?.ownerId).toBeUndefined();
      expect(deps.messenger.published).toHaveLength(0);
    });

    it('keeps a stopped subscriber before the erase date, even when forced', async () => {
      const deps = makeDeps();
      seedActive(deps, { state: 'stopped', nextCheckAt: T0 + HOUR });

      const outcome = await checkSubscriber(deps, ID, { force: true });

      expect(outcome).toBe('skipped');
      expect(deps.provider.revoked).toHaveLength(0);
      expect(deps.messenger.deletedTopics).toHaveLength(0);
      expect(stored(deps)?.state).toBe('stopped');
    });
  });
});

describe('checkSubscriber for a subscriber with faster alerts', () => {
  const nearThreshold = () =>
    aDevice({
      batteryLevel: 30,
      batteryStatus: 'Medium',
      lastSyncTime: new Date(T0 - 5 * MINUTE).toISOString(),
    });

  it('looks again later than the adaptive schedule alone would: syncs announce themselves', async () => {
    const plain = makeDeps();
    seedActive(plain);
    plain.provider.devicesFor = [nearThreshold()];
    const faster = makeDeps();
    seedActive(faster, { fasterAlerts: true, lastNotificationAt: T0 - 23 * HOUR });
    faster.provider.devicesFor = [nearThreshold()];

    await checkSubscriber(plain, ID);
    await checkSubscriber(faster, ID);

    expect(delay(faster)).toBeGreaterThan(delay(plain));
    expect(delay(faster)).toBeLessThanOrEqual(12 * HOUR);
  });

  it.each([
    ['no notification has ever arrived', undefined],
    ['the last one arrived a day ago', T0 - 24 * HOUR],
  ])('keeps the adaptive schedule when %s (webhook broken or never registered)', async (_label, last) => {
    const plain = makeDeps();
    seedActive(plain);
    plain.provider.devicesFor = [nearThreshold()];
    const faster = makeDeps();
    seedActive(faster, { fasterAlerts: true, lastNotificationAt: last });
    faster.provider.devicesFor = [nearThreshold()];

    await checkSubscriber(plain, ID);
    await checkSubscriber(faster, ID);

    expect(delay(faster)).toBe(delay(plain));
  });

  it('remembers when the check completed', async () => {
    const deps = makeDeps();
    seedActive(deps, { fasterAlerts: true });
    deps.provider.devicesFor = [nearThreshold()];

    await checkSubscriber(deps, ID);

    expect(stored(deps)?.lastCheckedAt).toBe(T0);
  });

  it('does not relax a look that a held text waits for: it goes out when quiet hours end', async () => {
    const deps = makeDeps();
    // 07:00 in New York at T0: quiet until 09:00.
    seedActive(deps, { fasterAlerts: true, quietHours: { start: 6, end: 9 } });
    deps.provider.devicesFor = [lowDevice()];

    expect(await checkSubscriber(deps, ID)).toBe('checked');

    expect(deps.messenger.published).toEqual([]);
    expect(stored(deps)?.nextCheckAt).toBe(T0 + 2 * HOUR);
  });

  it('still texts a low device once, as anyone else', async () => {
    const deps = makeDeps();
    seedActive(deps, { fasterAlerts: true });
    deps.provider.devicesFor = [lowDevice()];

    expect(await checkSubscriber(deps, ID)).toBe('texted');
    expect(await checkSubscriber(deps, ID, { force: true })).toBe('checked');
  });
});
