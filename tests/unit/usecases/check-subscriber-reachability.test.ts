/** Whether a due alert can reach the person is settled before anything is recorded as sent. */
import { checkSubscriber } from '../../../src/usecases/check-subscriber';
import { STOPPED_RETENTION_MS } from '../../../src/usecases/erase-subscriber';
import { aDevice, aSubscriber, makeDeps, PHONE, T0, type TestDeps, tokens } from '../../support/fakes';

const ID = 'google#USER1';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:fbs-test-google-USER1';
const HOUR = 3600_000;

function seed(deps: TestDeps, withTopic = true) {
  deps.store.seedSubscriber(
    aSubscriber({
      topicArn: withTopic ? TOPIC : undefined,
      tokens: tokens({ expiresAt: T0 + 24 * HOUR }),
      nextCheckAt: T0,
    }),
  );
  deps.provider.devicesFor = [
    aDevice({ batteryLevel: 12, batteryStatus: 'Low', lastSyncTime: new Date(T0 - 60_000).toISOString() }),
  ];
}

describe('checkSubscriber before it texts', () => {
  it('stops a subscriber whose number is opted out, without marking the alert sent', async () => {
    const deps = makeDeps();
    seed(deps);
    deps.messenger.optedOut.add(PHONE);

    const outcome = await checkSubscriber(deps, ID);
    const after = deps.store.subscribers.get(ID);

    expect(outcome).toBe('skipped');
    expect(deps.messenger.published).toEqual([]);
    expect(after?.state).toBe('stopped');
    expect(after?.nextCheckAt).toBe(T0 + STOPPED_RETENTION_MS);
    expect(Object.values(after?.devices ?? {}).every((d) => d.episode?.lowSentAt === undefined)).toBe(true);
  });

  it('sends the alert once the person opts back in and resumes', async () => {
    const deps = makeDeps();
    seed(deps);
    deps.messenger.optedOut.add(PHONE);
    await checkSubscriber(deps, ID);
    deps.messenger.optedOut.delete(PHONE);
    const stopped = deps.store.subscribers.get(ID);
    deps.store.subscribers.set(ID, {
      ...(stopped as NonNullable<typeof stopped>),
      state: 'active',
      nextCheckAt: T0,
    });

    const outcome = await checkSubscriber(deps, ID);

    expect(outcome).toBe('texted');
    expect(deps.messenger.published).toHaveLength(1);
  });

  it('records nothing as sent for an active subscriber without a topic', async () => {
    const deps = makeDeps();
    seed(deps, false);

    const outcome = await checkSubscriber(deps, ID);

    expect(outcome).toBe('failed');
    expect(deps.store.subscribers.get(ID)?.devices).toEqual({});
  });
});
