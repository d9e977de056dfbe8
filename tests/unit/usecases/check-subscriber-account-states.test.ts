/**
 * The Google account states a check meets: an account unlinked after sign-up, a grant given for a
 * limited time (one notice before it lapses, the usual re-consent text at the lapse), and a time
 * zone that follows the person (re-read at most once a day, the deployment's default when unset).
 */
import {
  AccountNotLinkedError,
  InvalidGrantError,
  ProviderUnavailableError,
} from '../../../src/domain/errors';
import { texts } from '../../../src/domain/messages';
import type { Subscriber } from '../../../src/domain/subscriber';
import { refreshTokens } from '../../../src/usecases/access-token';
import {
  checkSubscriber,
  GRANT_NOTICE_MS,
  TIME_ZONE_REREAD_MS,
} from '../../../src/usecases/check-subscriber';
import { aDevice, aSubscriber, makeDeps, PHONE, T0, type TestDeps, tokens } from '../../support/fakes';

const ID = 'google#USER1';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Active, due, in a zone where T0 (12:00 UTC) is mid-afternoon, so quiet hours hold nothing. */
function seedActive(deps: TestDeps, overrides: Partial<Subscriber> = {}): Subscriber {
  const subscriber = deps.store.seedSubscriber(
    aSubscriber({
      topicArn: TOPIC,
      subscriptionArn: `${TOPIC}:sub-1`,
      tokens: tokens({ expiresAt: T0 + 60 * DAY }),
      timeZone: 'Europe/Paris',
      timeZoneCheckedAt: T0 - HOUR,
      nextCheckAt: T0,
      ...overrides,
    }),
  );
  deps.store.phones.set(PHONE, { phone: PHONE, ownerId: subscriber.id });
  deps.provider.devicesFor = [aDevice()];
  return subscriber;
}

const stored = (deps: TestDeps) => deps.store.subscribers.get(ID);

describe('checkSubscriber and Google account states', () => {
  describe('an account unlinked after sign-up', () => {
    it.each(['not_linked', 'legacy_login'] as const)(
      'texts once what happened and how to fix it, and stops checking (%s)',
      async (reason) => {
        const deps = makeDeps();
        seedActive(deps);
        deps.provider.devicesFor = new AccountNotLinkedError('devices: HTTP 400', reason);

        const first = await checkSubscriber(deps, ID);
        const second = await checkSubscriber(deps, ID, { force: true });

        expect(first).toBe('deferred');
        expect(second).toBe('skipped');
        expect(stored(deps)).toMatchObject({ state: 'needs_reauth', nextCheckAt: undefined });
        expect(stored(deps)?.failures).toBeUndefined();
        expect(deps.provider.listDevicesCalls).toHaveLength(1);
        expect(deps.messenger.published).toEqual([
          { topicArn: TOPIC, text: texts.accountUnlinked(deps.settings.signupUrl) },
        ]);
      },
    );

    it('treats an unlinked answer from the daily settings read the same way', async () => {
      const deps = makeDeps();
      seedActive(deps, { timeZoneCheckedAt: T0 - 2 * DAY });
      deps.provider.timeZone = new AccountNotLinkedError('settings: HTTP 400', 'not_linked');

      expect(await checkSubscriber(deps, ID)).toBe('deferred');
      expect(stored(deps)?.state).toBe('needs_reauth');
      expect(deps.messenger.published).toHaveLength(1);
    });
  });

  describe('a grant for a limited time', () => {
    it('texts once, a few days before it lapses, with the link to renew', async () => {
      const deps = makeDeps();
      seedActive(deps, {
        tokens: tokens({ expiresAt: T0 + 60 * DAY, refreshExpiresAt: T0 + 2 * DAY + HOUR }),
      });

      const first = await checkSubscriber(deps, ID);
      deps.clock.advance(HOUR);
      await checkSubscriber(deps, ID, { force: true });

      expect(first).toBe('texted');
      expect(deps.messenger.published).toEqual([
        { topicArn: TOPIC, text: texts.accessEnding(3, deps.settings.signupUrl) },
      ]);
      expect(stored(deps)?.tokens.expiryNoticeSent).toBe(true);
    });

    it('says nothing while the lapse is further off than the notice period', async () => {
      const deps = makeDeps();
      seedActive(deps, {
        tokens: tokens({ expiresAt: T0 + 60 * DAY, refreshExpiresAt: T0 + GRANT_NOTICE_MS + HOUR }),
      });

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(deps.messenger.published).toHaveLength(0);
    });

    it('waits for the end of quiet hours to send the notice', async () => {
      const deps = makeDeps();
      // 12:00 UTC is 01:00 in Auckland (summer time), inside the default 22-7.
      seedActive(deps, {
        timeZone: 'Pacific/Auckland',
        tokens: tokens({ expiresAt: T0 + 60 * DAY, refreshExpiresAt: T0 + 2 * DAY }),
      });

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(deps.messenger.published).toHaveLength(0);
      expect(stored(deps)?.tokens.expiryNoticeSent).toBeUndefined();
    });

    it('takes the mark back when the notice could not be sent, so a later check sends it', async () => {
      const deps = makeDeps();
      seedActive(deps, { tokens: tokens({ expiresAt: T0 + 60 * DAY, refreshExpiresAt: T0 + DAY }) });
      deps.messenger.failures.fail('publish', new ProviderUnavailableError('SNS down'), 1);

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(stored(deps)?.tokens.expiryNoticeSent).toBeUndefined();
      await checkSubscriber(deps, ID, { force: true });
      expect(deps.messenger.published.map((p) => p.text)).toEqual([
        texts.accessEnding(1, deps.settings.signupUrl),
      ]);
    });

    it('sends the usual re-consent text once the grant has lapsed', async () => {
      const deps = makeDeps();
      seedActive(deps, {
        tokens: tokens({ expiresAt: T0 - 1, refreshExpiresAt: T0 - 1, expiryNoticeSent: true }),
      });
      deps.provider.refreshResults = [new InvalidGrantError('token refresh: invalid_grant')];

      expect(await checkSubscriber(deps, ID)).toBe('deferred');
      expect(stored(deps)?.state).toBe('needs_reauth');
      expect(deps.messenger.published).toEqual([
        { topicArn: TOPIC, text: texts.needsReauth(deps.settings.signupUrl) },
      ]);
    });

    it("keeps the grant's end and the notice mark across a refresh that does not repeat them", async () => {
      const deps = makeDeps();
      const seen = seedActive(deps, {
        tokens: tokens({ refreshExpiresAt: T0 + DAY, expiryNoticeSent: true }),
      });
      deps.provider.refreshResults = [tokens({ accessToken: 'test-access-2', expiresAt: T0 + HOUR })];

      const after = await refreshTokens(deps, seen);

      expect(after.tokens).toMatchObject({
        accessToken: 'test-access-2',
        refreshExpiresAt: T0 + DAY,
        expiryNoticeSent: true,
      });
    });
  });

  describe('the time zone follows the person', () => {
    it('re-reads the setting once a day, with the token the device read used', async () => {
      const deps = makeDeps();
      seedActive(deps, { timeZoneCheckedAt: T0 - TIME_ZONE_REREAD_MS });
      deps.provider.timeZone = { timeZone: 'Asia/Kathmandu' };

      await checkSubscriber(deps, ID);
      deps.clock.advance(HOUR);
      await checkSubscriber(deps, ID, { force: true });

      expect(deps.provider.timeZoneCalls).toEqual(['test-access-1']);
      expect(deps.provider.refreshed).toHaveLength(0);
      expect(stored(deps)).toMatchObject({ timeZone: 'Asia/Kathmandu', timeZoneCheckedAt: T0 });
    });

    it('does not read it again within the day', async () => {
      const deps = makeDeps();
      seedActive(deps, { timeZoneCheckedAt: T0 - TIME_ZONE_REREAD_MS + 1 });

      await checkSubscriber(deps, ID);

      expect(deps.provider.timeZoneCalls).toHaveLength(0);
      expect(stored(deps)?.timeZone).toBe('Europe/Paris');
    });

    it("uses the deployment's default when Google's settings have no zone", async () => {
      const deps = makeDeps();
      seedActive(deps, { timeZoneCheckedAt: T0 - 2 * DAY });
      deps.provider.timeZone = {};

      await checkSubscriber(deps, ID);

      expect(stored(deps)?.timeZone).toBe(deps.settings.defaultTimeZone);
    });

    it('keeps the last zone and checks anyway when the settings read fails', async () => {
      const deps = makeDeps();
      seedActive(deps, { timeZoneCheckedAt: T0 - 2 * DAY });
      deps.provider.timeZone = new ProviderUnavailableError('settings: HTTP 503');

      expect(await checkSubscriber(deps, ID)).toBe('checked');
      expect(stored(deps)).toMatchObject({ timeZone: 'Europe/Paris', timeZoneCheckedAt: T0 - 2 * DAY });
    });
  });
});
