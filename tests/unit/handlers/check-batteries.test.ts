import { deps } from '../../../src/composition';
import { handler } from '../../../src/handlers/check-batteries';
import { aDevice, aSubscriber, T0, type TestDeps, tokens } from '../../support/fakes';

jest.mock('../../../src/composition', () => {
  const fakes = jest.requireActual('../../support/fakes');
  return { config: { CHECK_CONCURRENCY: 2 }, deps: fakes.makeDeps() };
});

const testDeps = deps as TestDeps;

describe('check-batteries handler', () => {
  it('checks the batch it is given and returns the summary', async () => {
    testDeps.store.seedSubscriber(
      aSubscriber({ nextCheckAt: T0, tokens: tokens({ expiresAt: T0 + 86_400_000 }) }),
    );
    testDeps.provider.devicesFor = [aDevice()];

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
    const calls = testDeps.provider.listDevicesCalls.length;

    const summary = await handler(event);

    expect(summary).toEqual({ checked: 0, texted: 0, deferred: 0, failed: 0, skipped: 0 });
    expect(testDeps.provider.listDevicesCalls).toHaveLength(calls);
  });
});
