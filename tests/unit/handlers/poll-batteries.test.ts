import { makePollBatteriesHandler } from '../../../src/handlers/poll-batteries';
import type { CheckSummary } from '../../../src/ports';
import { aSubscriber, FakeClock, FakeStore, RecordingLogger, T0 } from '../../support/fakes';

function setup() {
  const store = new FakeStore();
  store.seedSubscriber(aSubscriber({ nextCheckAt: T0 - 1 }));
  store.seedSubscriber(aSubscriber({ providerUserId: 'USER2', nextCheckAt: T0 + 3_600_000 }));
  const batches: Array<{ ids: string[]; force: boolean }> = [];
  const metrics: Array<[string, number]> = [];
  let published = 0;
  const handler = makePollBatteriesHandler(
    {
      dueSubscribers: store,
      dispatcher: {
        async check(ids: string[], force: boolean): Promise<CheckSummary> {
          batches.push({ ids, force });
          return { checked: ids.length, texted: 0, deferred: 0, failed: 0, skipped: 0 };
        },
      },
      clock: new FakeClock(),
      logger: new RecordingLogger(),
      metrics: {
        addMetric: (name: string, _unit: unknown, value: number) => {
          metrics.push([name, value]);
        },
        publishStoredMetrics: () => {
          published++;
        },
      } as never,
    },
    { batchSize: 10, parallelism: 2 },
  );
  return { handler, batches, metrics, published: () => published };
}

describe('poll-batteries handler', () => {
  it('dispatches the due subscribers on a scheduled event and publishes the round metrics', async () => {
    const { handler, batches, metrics, published } = setup();

    const summary = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });

    expect(summary).toMatchObject({ due: 1, checked: 1, batches: 1 });
    expect(batches).toEqual([{ ids: ['google#USER1'], force: false }]);
    expect(metrics).toContainEqual(['RoundDue', 1]);
    expect(published()).toBe(1);
  });

  it('checks every active subscriber only when force is exactly true', async () => {
    const { handler, batches } = setup();

    const forced = await handler({ force: true });
    const notForced = await handler({ force: 'true' });

    expect(forced.due).toBe(2);
    expect(notForced.due).toBe(1);
    expect(batches.map((b) => b.force)).toEqual([true, false]);
  });
});
