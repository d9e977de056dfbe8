/** A checker batch reads its subscribers in one go, and copes when that read fails. */
import { checkBatch } from '../../../src/usecases/check-batch';
import { aDevice, aSubscriber, makeDeps, T0, type TestDeps, tokens } from '../../support/fakes';

function seed(deps: TestDeps, n: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `google#U${i}`;
    deps.store.seedSubscriber(
      aSubscriber({
        id,
        providerUserId: `U${i}`,
        tokens: tokens({ expiresAt: T0 + 3600_000 }),
        nextCheckAt: T0,
      }),
    );
    ids.push(id);
  }
  deps.provider.devicesFor = [aDevice({ batteryLevel: 80, lastSyncTime: new Date(T0).toISOString() })];
  return ids;
}

describe('checkBatch reading its subscribers', () => {
  it('checks every subscriber from one batch read', async () => {
    const deps = makeDeps();
    const ids = seed(deps, 6);
    const single = jest.spyOn(deps.store, 'getSubscriber');
    const batch = jest.spyOn(deps.store, 'getSubscribers');

    const summary = await checkBatch(deps, ids, { concurrency: 3 });

    expect(summary.checked).toBe(6);
    expect(batch).toHaveBeenCalledTimes(1);
    expect(single).not.toHaveBeenCalled();
  });

  it('falls back to one read per subscriber when the batch read fails', async () => {
    const deps = makeDeps();
    const ids = seed(deps, 4);
    jest.spyOn(deps.store, 'getSubscribers').mockRejectedValue(new Error('throttled'));
    const single = jest.spyOn(deps.store, 'getSubscriber');

    const summary = await checkBatch(deps, ids, { concurrency: 2 });

    expect(summary.checked).toBe(4);
    expect(single).toHaveBeenCalledTimes(4);
  });

  it('skips an id the batch read did not find, without reading it again', async () => {
    const deps = makeDeps();
    const ids = seed(deps, 2);
    const single = jest.spyOn(deps.store, 'getSubscriber');

    const summary = await checkBatch(deps, [...ids, 'google#missing'], { concurrency: 2 });

    expect(summary.checked).toBe(2);
    expect(summary.skipped).toBe(1);
    expect(single).not.toHaveBeenCalled();
  });
});
