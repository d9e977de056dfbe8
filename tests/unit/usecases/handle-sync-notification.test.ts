import { UnreadableRecordError, VersionConflictError } from '../../../src/domain/errors';
import type { DeviceMemory, Subscriber } from '../../../src/domain/subscriber';
import { handleSyncNotifications } from '../../../src/usecases/handle-sync-notification';
import { aSubscriber, makeDeps, T0 } from '../../support/fakes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DEBOUNCE = 30 * MINUTE;

class RecordingQueue {
  readonly queued: string[][] = [];
  failWith?: Error;
  async enqueue(ids: string[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.queued.push(ids);
  }
}

const nearLow = (): DeviceMemory => ({
  name: 'Charge 6',
  type: 'TRACKER',
  level: 28,
  status: 'Medium',
  lastSyncTime: new Date(T0 - 2 * HOUR).toISOString(),
});
const full = (): DeviceMemory => ({
  name: 'Charge 6',
  type: 'TRACKER',
  level: 95,
  status: 'High',
  lastSyncTime: new Date(T0 - 10 * MINUTE).toISOString(),
});

function setup(overrides: Partial<Subscriber> = {}) {
  const deps = makeDeps();
  const checks = new RecordingQueue();
  deps.store.seedSubscriber(
    aSubscriber({
      fasterAlerts: true,
      devices: { 'dev-1': nearLow() },
      nextCheckAt: T0 + 3 * HOUR,
      ...overrides,
    }),
  );
  const run = async (dataType = 'steps', user = 'USER1', operation?: string) => {
    const { outcomes } = await handleSyncNotifications(
      { ...deps, checks },
      [{ healthUserId: user, dataType, operation }],
      { debounceMs: DEBOUNCE },
    );
    return outcomes[0];
  };
  const stored = () => deps.store.subscribers.get('google#USER1') as Subscriber;
  return { deps, checks, run, stored };
}

describe('handleSyncNotifications', () => {
  it('makes an opted-in subscriber near the threshold due now and queues their check', async () => {
    const { checks, run, stored } = setup();

    expect(await run()).toBe('queued');

    expect(checks.queued).toEqual([['google#USER1']]);
    expect(stored().nextCheckAt).toBe(T0);
    expect(stored().lastEarlyCheckAt).toBe(T0);
  });

  it('queues at most one early check per debounce period: a replay only keeps one check at its end', async () => {
    const { deps, checks, run, stored } = setup();
    await run();
    deps.clock.advance(5 * MINUTE);
    // The check ran meanwhile and scheduled the next look far ahead.
    deps.store.seedSubscriber({ ...stored(), nextCheckAt: T0 + 4 * HOUR });

    const again = await run();
    const thrice = await run();

    expect([again, thrice]).toEqual(['debounced', 'debounced']);
    expect(checks.queued).toHaveLength(1);
    expect(stored().nextCheckAt).toBe(T0 + DEBOUNCE);
    expect(stored().lastEarlyCheckAt).toBe(T0);
    expect(stored().pendingEarlyCheckAt).toBe(T0 + DEBOUNCE);
  });

  it('writes nothing for a repeat within the period once its check is scheduled', async () => {
    const { deps, run, stored } = setup();
    await run();
    deps.clock.advance(5 * MINUTE);
    await run();
    const scheduled = stored();

    deps.clock.advance(5 * MINUTE);
    expect(await run()).toBe('debounced');

    expect(stored()).toBe(scheduled);
    expect(stored().version).toBe(scheduled.version);
  });

  it('remembers when a notification arrived, rewriting it only every few hours', async () => {
    const { deps, run, stored } = setup({ devices: { 'dev-1': full() } });

    expect(await run()).toBe('nothing_to_learn');
    expect(stored().lastNotificationAt).toBe(T0);
    const marked = stored();

    deps.clock.advance(2 * HOUR);
    await run();
    expect(stored()).toBe(marked);

    deps.clock.advance(2 * HOUR);
    await run();
    expect(stored().lastNotificationAt).toBe(T0 + 4 * HOUR);
  });

  it('records no notification time for someone not opted in', async () => {
    const { run, stored } = setup({ fasterAlerts: undefined });

    expect(await run()).toBe('not_opted_in');
    expect(stored().lastNotificationAt).toBeUndefined();
  });

  it('queues again once the period is over', async () => {
    const { deps, checks, run } = setup();
    await run();
    deps.clock.advance(DEBOUNCE + MINUTE);

    expect(await run()).toBe('queued');
    expect(checks.queued).toHaveLength(2);
  });

  it.each([
    ['not opted in', { fasterAlerts: undefined }],
    ['stopped', { state: 'stopped' as const }],
    ['waiting for YES', { state: 'pending_confirmation' as const }],
    ['needing a new consent', { state: 'needs_reauth' as const }],
  ])('changes nothing for a subscriber %s', async (_label, overrides) => {
    const { deps, checks, run } = setup(overrides);
    const before = structuredClone(deps.store.subscribers.get('google#USER1'));

    expect(await run()).toBe('not_opted_in');

    expect(checks.queued).toEqual([]);
    expect(deps.store.subscribers.get('google#USER1')).toEqual(before);
  });

  it('changes nothing for a person it does not know', async () => {
    const { deps, checks, run } = setup();
    const before = structuredClone([...deps.store.subscribers.values()]);

    expect(await run('steps', 'SOMEONE-ELSE')).toBe('not_opted_in');
    expect(checks.queued).toEqual([]);
    expect([...deps.store.subscribers.values()]).toEqual(before);
  });

  it('spends no provider request when the check could change nothing (well charged, seen lately)', async () => {
    const { checks, run, stored } = setup({ devices: { 'dev-1': full() } });

    expect(await run()).toBe('nothing_to_learn');
    expect(checks.queued).toEqual([]);
    expect(stored().nextCheckAt).toBe(T0 + 3 * HOUR);
  });

  it('ignores deleted data and data types that are not a sync', async () => {
    const { checks, run } = setup();

    expect(await run('steps', 'USER1', 'DELETE')).toBe('ignored');
    expect(await run('sleep')).toBe('nothing_to_learn');
    expect(checks.queued).toEqual([]);
  });

  it('leaves the subscriber due when the check cannot be queued, for the next round', async () => {
    const { checks, run, stored } = setup();
    checks.failWith = Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });

    expect(await run()).toBe('queued');
    expect(stored().nextCheckAt).toBe(T0);
  });

  it('keeps an earlier due time: an early check never postpones a check', async () => {
    const { run, stored } = setup({ nextCheckAt: T0 - 5 * MINUTE });

    await run();

    expect(stored().nextCheckAt).toBe(T0 - 5 * MINUTE);
  });
});

describe('handleSyncNotifications: a batch', () => {
  const steps = (user: string) => ({ healthUserId: user, dataType: 'steps' });

  function batchSetup() {
    const { deps, checks } = setup();
    deps.store.seedSubscriber(
      aSubscriber({
        providerUserId: 'USER2',
        fasterAlerts: true,
        devices: { 'dev-2': nearLow() },
        nextCheckAt: T0 + 3 * HOUR,
      }),
    );
    const run = (users: string[]) =>
      handleSyncNotifications({ ...deps, checks }, users.map(steps), { debounceMs: DEBOUNCE });
    return { deps, checks, run };
  }

  it('queues the due checks of the whole batch in one call', async () => {
    const { checks, run } = batchSetup();

    const result = await run(['USER1', 'USER2', 'USER1']);

    expect(result).toEqual({ outcomes: ['queued', 'queued', 'debounced'], retry: false });
    expect(checks.queued).toEqual([['google#USER1', 'google#USER2']]);
  });

  it.each([
    ['an unreadable record', new UnreadableRecordError('subscriber', 'devices: invalid')],
    ['a lock lost on every try', new VersionConflictError('conflict')],
  ])('handles the rest of the batch past %s, and asks for no redelivery', async (_label, error) => {
    const { deps, checks, run } = batchSetup();
    deps.store.failures.fail('getSubscriber', error, error instanceof VersionConflictError ? 5 : 1);

    const result = await run(['USER1', 'USER2']);

    expect(result).toEqual({ outcomes: ['failed', 'queued'], retry: false });
    expect(checks.queued).toEqual([['google#USER2']]);
    const logged = deps.logger.entries.find((e) => e.message === 'sync notification failed');
    expect(logged?.extra).toEqual({ subscriberId: 'google#USER1', error: error.name, permanent: true });
  });

  it('takes a thrown non-error as temporary, and logs no more than its kind', async () => {
    const { deps, checks, run } = batchSetup();
    const odd = { getSubscriber: deps.store.getSubscriber.bind(deps.store), calls: 0 };
    deps.store.getSubscriber = async (id, now) => {
      if (odd.calls++ === 0) throw 'a string, not an Error';
      return odd.getSubscriber(id, now);
    };

    const result = await run(['USER1', 'USER2']);

    expect(result).toEqual({ outcomes: ['failed', 'queued'], retry: true });
    expect(checks.queued).toEqual([['google#USER2']]);
    expect(deps.logger.entries.find((e) => e.message === 'sync notification failed')?.extra).toEqual({
      subscriberId: 'google#USER1',
      error: 'unknown',
      permanent: false,
    });
  });

  it('asks for a redelivery after a temporary failure, still handling the others', async () => {
    const { deps, checks, run } = batchSetup();
    deps.store.failures.fail('getSubscriber', new Error('ProvisionedThroughputExceededException'));

    const result = await run(['USER1', 'USER2']);

    expect(result).toEqual({ outcomes: ['failed', 'queued'], retry: true });
    expect(checks.queued).toEqual([['google#USER2']]);
  });
});
