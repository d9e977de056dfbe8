import type { Subscriber } from '../../../src/domain/subscriber';
import type { CheckDispatcher, CheckSummary } from '../../../src/ports';
import { addSummary, dispatchChecks, emptySummary } from '../../../src/usecases/dispatch-checks';
import { aSubscriber, FakeClock, FakeStore, RecordingLogger, T0 } from '../../support/fakes';

/** Checks nothing: answers every id as checked, after a few event-loop turns, counting overlap. */
class FakeDispatcher implements CheckDispatcher {
  readonly batches: Array<{ ids: string[]; force: boolean }> = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Batches containing this id fail. */
  failFor?: string;
  constructor(private readonly clock: FakeClock) {}

  async check(subscriberIds: string[], force: boolean): Promise<CheckSummary> {
    this.batches.push({ ids: [...subscriberIds], force });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      this.clock.advance(1000);
      if (this.failFor && subscriberIds.includes(this.failFor)) throw new Error('Lambda throttled');
      return { ...emptySummary(), checked: subscriberIds.length, texted: 1 };
    } finally {
      this.inFlight--;
    }
  }
}

function setup() {
  const clock = new FakeClock();
  const store = new FakeStore();
  const dispatcher = new FakeDispatcher(clock);
  const logger = new RecordingLogger();
  return { clock, store, dueSubscribers: store, dispatcher, logger };
}

function seed(store: FakeStore, n: number, overrides: Partial<Subscriber> = {}): string {
  return store.seedSubscriber(aSubscriber({ providerUserId: `USER${n}`, nextCheckAt: T0, ...overrides })).id;
}

describe('dispatchChecks', () => {
  it('hands the due subscribers out in batches of at most batchSize, each once', async () => {
    const deps = setup();
    const ids = Array.from({ length: 11 }, (_, i) => seed(deps.store, i));

    const summary = await dispatchChecks(deps, { force: false, batchSize: 4, parallelism: 2 });

    expect(deps.dispatcher.batches.map((b) => b.ids.length)).toEqual([4, 4, 3]);
    expect(deps.dispatcher.batches.flatMap((b) => b.ids).sort()).toEqual([...ids].sort());
    expect(summary.due).toBe(11);
    expect(summary.batches).toBe(3);
  });

  it('keeps at most `parallelism` checker invocations in flight', async () => {
    const deps = setup();
    for (let i = 0; i < 20; i++) seed(deps.store, i);

    await dispatchChecks(deps, { force: false, batchSize: 2, parallelism: 3 });

    expect(deps.dispatcher.batches).toHaveLength(10);
    expect(deps.dispatcher.maxInFlight).toBe(3);
  });

  it('lists only due active subscribers normally, and every active one when forced', async () => {
    const deps = setup();
    seed(deps.store, 1);
    seed(deps.store, 2, { nextCheckAt: T0 + 3_600_000 });
    seed(deps.store, 3, { state: 'pending_confirmation', nextCheckAt: undefined });
    seed(deps.store, 4, { state: 'needs_reauth', nextCheckAt: undefined });

    const normal = await dispatchChecks(deps, { force: false, batchSize: 10, parallelism: 1 });
    const forced = await dispatchChecks(deps, { force: true, batchSize: 10, parallelism: 1 });

    expect(normal.due).toBe(1);
    expect(forced.due).toBe(2);
    expect(deps.dispatcher.batches.map((b) => b.force)).toEqual([false, true]);
    expect(deps.dispatcher.batches[1]?.ids.sort()).toEqual(['google#USER1', 'google#USER2']);
  });

  it('counts a failed checker invocation as failed for its whole batch and completes the round', async () => {
    const deps = setup();
    for (let i = 0; i < 7; i++) seed(deps.store, i);
    deps.dispatcher.failFor = 'google#USER0';

    const summary = await dispatchChecks(deps, { force: false, batchSize: 3, parallelism: 2 });

    const failedBatch = deps.dispatcher.batches.find((b) => b.ids.includes('google#USER0'));
    expect(deps.dispatcher.batches).toHaveLength(3);
    expect(summary.failed).toBe(failedBatch?.ids.length);
    expect(summary.checked).toBe(7 - (failedBatch?.ids.length ?? 0));
    expect(summary.texted).toBe(2);
    expect(summary.checked + summary.deferred + summary.failed + summary.skipped).toBe(summary.due);
    expect(deps.logger.entries.filter((e) => e.level === 'error')).toHaveLength(1);
  });

  it('reports how long the round took by the clock', async () => {
    const deps = setup();
    for (let i = 0; i < 4; i++) seed(deps.store, i);

    const summary = await dispatchChecks(deps, { force: false, batchSize: 2, parallelism: 1 });

    expect(summary.durationMs).toBe(2000);
  });

  it('reports an empty round when nobody is due', async () => {
    const deps = setup();

    const summary = await dispatchChecks(deps, { force: false, batchSize: 5, parallelism: 2 });

    expect(summary).toEqual({ ...emptySummary(), due: 0, batches: 0, durationMs: 0 });
    expect(deps.dispatcher.batches).toHaveLength(0);
  });
});

describe('addSummary', () => {
  it('adds every count', () => {
    const into = { checked: 1, texted: 2, deferred: 3, failed: 4, skipped: 5 };

    addSummary(into, { checked: 10, texted: 20, deferred: 30, failed: 40, skipped: 50 });

    expect(into).toEqual({ checked: 11, texted: 22, deferred: 33, failed: 44, skipped: 55 });
  });
});
