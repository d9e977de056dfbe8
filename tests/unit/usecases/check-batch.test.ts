import { ProviderUnavailableError } from '../../../src/domain/errors';
import type { Subscriber } from '../../../src/domain/subscriber';
import type { Device } from '../../../src/ports';
import { checkBatch } from '../../../src/usecases/check-batch';
import { aDevice, aSubscriber, FakeProvider, makeDeps, T0, type TestDeps, tokens } from '../../support/fakes';

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';

/** A provider whose device reads take a few turns of the event loop, counting how many overlap. */
class SlowProvider extends FakeProvider {
  inFlight = 0;
  maxInFlight = 0;
  override async listDevices(accessToken: string): Promise<Device[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      return await super.listDevices(accessToken);
    } finally {
      this.inFlight--;
    }
  }
}

function seed(deps: TestDeps, n: number, overrides: Partial<Subscriber> = {}): string {
  const userId = `USER${n}`;
  return deps.store.seedSubscriber(
    aSubscriber({
      providerUserId: userId,
      topicArn: TOPIC,
      tokens: tokens({ accessToken: `access-${userId}`, expiresAt: T0 + 86_400_000 }),
      nextCheckAt: T0,
      ...overrides,
    }),
  ).id;
}

describe('checkBatch', () => {
  it('never has more subscribers in flight than the concurrency allows', async () => {
    const provider = new SlowProvider();
    const deps = makeDeps({ provider });
    provider.devicesFor = [aDevice()];
    const ids = Array.from({ length: 8 }, (_, i) => seed(deps, i));

    const summary = await checkBatch(deps, ids, { concurrency: 3 });

    expect(provider.listDevicesCalls).toHaveLength(8);
    expect(provider.maxInFlight).toBe(3);
    expect(summary.checked).toBe(8);
  });

  it('counts every outcome once, with texted subscribers also counted as checked', async () => {
    const deps = makeDeps();
    deps.provider.devicesFor = [aDevice()];
    const low = [aDevice({ batteryLevel: 9, batteryStatus: 'Low' })];
    const ids = [
      seed(deps, 1),
      seed(deps, 2),
      seed(deps, 3),
      seed(deps, 4, { state: 'pending_confirmation' }),
      seed(deps, 5),
      seed(deps, 6, { topicArn: undefined }),
      'google#NOBODY',
    ];
    deps.provider.devicesByToken.set('access-USER2', low);
    deps.provider.devicesByToken.set('access-USER3', low);
    deps.provider.devicesByToken.set('access-USER5', new ProviderUnavailableError('HTTP 503'));
    deps.provider.devicesByToken.set('access-USER6', low);

    const summary = await checkBatch(deps, ids, { concurrency: 4 });

    expect(summary).toEqual({ checked: 3, texted: 2, deferred: 1, failed: 1, skipped: 2 });
    expect(summary.checked + summary.deferred + summary.failed + summary.skipped).toBe(ids.length);
    expect(deps.messenger.published).toHaveLength(2);
  });

  it('passes force on to every check', async () => {
    const deps = makeDeps();
    deps.provider.devicesFor = [aDevice()];
    const ids = [seed(deps, 1, { nextCheckAt: T0 + 3_600_000 }), seed(deps, 2, { nextCheckAt: T0 + 60_000 })];

    const forced = await checkBatch(deps, ids, { concurrency: 2, force: true });

    expect(forced.checked).toBe(2);
    expect(deps.provider.listDevicesCalls).toHaveLength(2);
  });

  it('returns an empty summary for an empty batch', async () => {
    const deps = makeDeps();

    expect(await checkBatch(deps, [], { concurrency: 2 })).toEqual({
      checked: 0,
      texted: 0,
      deferred: 0,
      failed: 0,
      skipped: 0,
    });
  });
});
