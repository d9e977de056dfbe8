import { RateLimitedError } from '../../../src/domain/errors';
import { makeCheckBatteriesHandler } from '../../../src/handlers/check-batteries';
import { CheckBatchError } from '../../../src/usecases/check-batch';
import { aDevice, aSubscriber, makeDeps, T0, type TestDeps, tokens } from '../../support/fakes';

const fresh = () => tokens({ expiresAt: T0 + 86_400_000 });
const low = () => [aDevice({ batteryStatus: 'Low', batteryLevel: 10 })];

function setup(): { deps: TestDeps; handler: ReturnType<typeof makeCheckBatteriesHandler> } {
  const deps = makeDeps();
  return { deps, handler: makeCheckBatteriesHandler(deps, { concurrency: 2 }) };
}

describe('check-batteries handler', () => {
  it('checks the batch it is given and returns the summary', async () => {
    const { deps, handler } = setup();
    deps.store.seedSubscriber(aSubscriber({ nextCheckAt: T0, tokens: fresh() }));
    deps.provider.devicesFor = [aDevice()];

    const summary = await handler({ subscriberIds: ['google#USER1', 'google#NOBODY'] });

    expect(summary).toEqual({ checked: 1, texted: 0, deferred: 0, failed: 0, skipped: 1 });
  });

  it.each([
    null,
    'google#USER1',
    { subscriberIds: 'google#USER1' },
    { subscriberIds: ['x'] },
    { subscriberIds: ['google#USER1'], force: 'yes' },
  ])('drops a malformed batch (%j) with an empty summary', async (event) => {
    const { deps, handler } = setup();

    const summary = await handler(event);

    expect(summary).toEqual({ checked: 0, texted: 0, deferred: 0, failed: 0, skipped: 0 });
    expect(deps.provider.listDevicesCalls).toHaveLength(0);
  });

  it('fails the invocation when an AWS call is refused, after checking the rest of the batch', async () => {
    const { deps, handler } = setup();
    for (const user of ['USER1', 'USER2', 'USER3']) {
      deps.store.seedSubscriber(
        aSubscriber({
          providerUserId: user,
          id: `google#${user}`,
          nextCheckAt: T0,
          tokens: fresh(),
          topicArn: `arn:topic:${user}`,
        }),
      );
    }
    deps.provider.devicesFor = low();
    const denied = Object.assign(new Error('not authorized to perform: sns:CheckIfPhoneNumberIsOptedOut'), {
      name: 'AuthorizationErrorException',
    });
    deps.messenger.failures.fail('isOptedOut', denied);

    const failure = await handler({ subscriberIds: ['google#USER1', 'google#USER2', 'google#USER3'] }).catch(
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(CheckBatchError);
    const batch = failure as CheckBatchError;
    expect(batch.errors).toEqual([denied]);
    expect(batch.message).toContain('AuthorizationErrorException');
    // The other two were checked and texted despite the refusal.
    expect(batch.summary).toEqual({ checked: 2, texted: 2, deferred: 0, failed: 1, skipped: 0 });
    expect(deps.messenger.published).toHaveLength(2);
    expect(
      deps.logger.entries.some((e) => e.level === 'error' && e.message === 'batch checked with failures'),
    ).toBe(true);
  });

  it('fails the invocation when an alert cannot be published, and keeps the alert due', async () => {
    const { deps, handler } = setup();
    deps.store.seedSubscriber(aSubscriber({ nextCheckAt: T0, tokens: fresh(), topicArn: 'arn:topic:1' }));
    deps.provider.devicesFor = low();
    deps.messenger.failures.fail(
      'publish',
      Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }),
    );

    await expect(handler({ subscriberIds: ['google#USER1'] })).rejects.toBeInstanceOf(CheckBatchError);

    const stored = deps.store.subscribers.get('google#USER1');
    expect(stored?.devices['dev-1']?.episode?.lowSentAt).toBeUndefined();
  });

  it('keeps deferring a provider fault (429) without failing the invocation', async () => {
    const { deps, handler } = setup();
    deps.store.seedSubscriber(aSubscriber({ nextCheckAt: T0, tokens: fresh() }));
    deps.provider.devicesFor = new RateLimitedError('429', 60);

    const summary = await handler({ subscriberIds: ['google#USER1'] });

    expect(summary).toEqual({ checked: 0, texted: 0, deferred: 1, failed: 0, skipped: 0 });
  });
});
