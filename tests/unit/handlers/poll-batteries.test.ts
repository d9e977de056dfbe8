import { buildDispatcher } from '../../../src/composition';
import { handler } from '../../../src/handlers/poll-batteries';
import type { CheckDispatcher } from '../../../src/ports';

jest.mock('@aws-lambda-powertools/metrics', () => ({
  MetricUnit: { Count: 'Count' },
  Metrics: class {
    addMetric(): void {}
    publishStoredMetrics(): void {}
  },
}));

jest.mock('../../../src/composition', () => {
  const fakes = jest.requireActual('../../support/fakes');
  const deps = fakes.makeDeps();
  deps.store.seedSubscriber(fakes.aSubscriber({ nextCheckAt: fakes.T0 - 1 }));
  deps.store.seedSubscriber(
    fakes.aSubscriber({ providerUserId: 'USER2', nextCheckAt: fakes.T0 + 3_600_000 }),
  );
  const batches: Array<{ ids: string[]; force: boolean }> = [];
  const dispatcher = {
    batches,
    async check(ids: string[], force: boolean) {
      batches.push({ ids, force });
      return { checked: ids.length, texted: 0, deferred: 0, failed: 0, skipped: 0 };
    },
  };
  return {
    config: { SERVICE: 'fbs-test', CHECK_BATCH_SIZE: 10, CHECK_PARALLELISM: 2 },
    deps,
    buildDispatcher: () => dispatcher,
  };
});

const dispatcher = (
  buildDispatcher as unknown as () => CheckDispatcher & {
    batches: Array<{ ids: string[]; force: boolean }>;
  }
)();

beforeEach(() => {
  dispatcher.batches.length = 0;
});

describe('poll-batteries handler', () => {
  it('dispatches the due subscribers on a scheduled event', async () => {
    const summary = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });

    expect(summary).toMatchObject({ due: 1, checked: 1, batches: 1 });
    expect(dispatcher.batches).toEqual([{ ids: ['google#USER1'], force: false }]);
  });

  it('checks every active subscriber only when force is exactly true', async () => {
    const forced = await handler({ force: true });
    const notForced = await handler({ force: 'true' });

    expect(forced.due).toBe(2);
    expect(notForced.due).toBe(1);
    expect(dispatcher.batches.map((b) => b.force)).toEqual([true, false]);
  });
});
