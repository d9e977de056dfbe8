/**
 * Refresh under the optimistic lock, for real: concurrent checks of one subscriber on dynalite
 * against the sandbox's legacy Fitbit emulation, whose refresh tokens are single use.
 */
import { resolve } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalDynamo, localDynamoClient, startDynamo } from '../../local/dynamo';
import { DynamoPhoneDirectory } from '../../src/adapters/dynamo-phone-directory';
import { dynamoSubscribers } from '../../src/adapters/dynamo-subscribers';
import type { Table } from '../../src/adapters/dynamo-table';
import { DEFAULT_QUIET_HOURS, type Subscriber } from '../../src/domain/subscriber';
import type { Subscribers } from '../../src/ports';
import { refreshTokens } from '../../src/usecases/access-token';
import { checkSubscriber } from '../../src/usecases/check-subscriber';
import { FakeMessenger, makeDeps } from '../support/fakes';
import { fitbitTokens, useTestSandbox } from './sandbox/helpers';
import { fitbitFor } from './sandbox-providers';

let dynamo: LocalDynamo;
let table: Table;
let store: Subscribers;
const box = useTestSandbox({}, { perTest: false });

beforeAll(async () => {
  dynamo = await startDynamo();
  const [name] = (await ensureTables(dynamo.endpoint, resolve(__dirname, '../..'), 'refresh')) as [string];
  table = {
    doc: DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    name,
  };
  store = dynamoSubscribers(table);
});

afterAll(async () => {
  await dynamo.close();
});

function deps() {
  const provider = fitbitFor(box);
  return makeDeps({
    subscribers: store as never,
    phones: new DynamoPhoneDirectory(table) as never,
    provider: provider as never,
    messenger: new FakeMessenger(),
    clock: { now: () => box.clock.now } as never,
  });
}

async function activeSubscriber(user: string): Promise<Subscriber> {
  const grant = await fitbitTokens(box.url, user);
  const now = box.clock.now;
  return store.saveSubscriber({
    id: `fitbit#${user}`,
    provider: 'fitbit',
    providerUserId: user,
    phone: '+12015550140',
    state: 'active',
    // Already expired: every checker starts by refreshing.
    tokens: {
      accessToken: grant.access_token,
      refreshToken: grant.refresh_token,
      expiresAt: now - 1,
      scope: 'settings profile',
    },
    timeZone: 'UTC',
    version: 0,
    signupId: 'signup',
    topicArn: 'arn:aws:sns:us-east-1:000000000000:test',
    threshold: 20,
    quietHours: DEFAULT_QUIET_HOURS,
    devices: {},
    nextCheckAt: now,
    createdAt: now,
    updatedAt: now,
  });
}

async function refreshCount(user: string): Promise<number> {
  const body = (await (await fetch(`${box.url}/sandbox/users/${user}`)).json()) as {
    counters: { tokenRefreshes: { fitbit: number } };
  };
  return body.counters.tokenRefreshes.fitbit;
}

describe('token refresh under concurrency (legacy Fitbit, single-use refresh tokens)', () => {
  it('20 concurrent checks of one subscriber: all succeed, one refresh, and the subscriber keeps working', async () => {
    const subscriber = await activeSubscriber('conc-1');
    const d = deps();

    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => checkSubscriber(d, subscriber.id, { force: true })),
    );
    const stored = await store.getSubscriber(subscriber.id, box.clock.now);

    expect(outcomes.filter((o) => o === 'failed' || o === 'deferred')).toEqual([]);
    expect(stored?.state).toBe('active');
    expect(stored?.tokens.refreshToken).not.toBe(subscriber.tokens.refreshToken);
    expect(await refreshCount('conc-1')).toBe(1);

    // Eight hours on, the stored (rotated) refresh token still works: nothing was lost.
    box.clock.advance(9 * 3600_000);
    expect(await checkSubscriber(d, subscriber.id, { force: true })).toBe('checked');
    expect(await refreshCount('conc-1')).toBe(2);
  });

  it('a checker that refreshes with a token another checker already used takes the stored tokens', async () => {
    const stale = await activeSubscriber('conc-2');
    const d = deps();
    expect(await checkSubscriber(d, stale.id, { force: true })).toBe('checked');
    // Past the 2-minute replay window, the old refresh token is dead at the provider.
    box.clock.advance(5 * 60_000);

    const result = await refreshTokens(d, stale);
    const stored = await store.getSubscriber(stale.id, box.clock.now);

    expect(result.tokens.refreshToken).toBe(stored?.tokens.refreshToken);
    expect(stored?.state).toBe('active');
  });
});
