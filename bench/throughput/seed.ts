/**
 * Seeding for the throughput bench: sandbox users with one or two healthy devices and a Google grant
 * each (through the sandbox's grant helper, no browser), and the matching active subscribers written
 * through the real DynamoSubscribers adapter, all due now.
 */
import pLimit from 'p-limit';
import type { Subscriber } from '../../src/domain/subscriber';
import type { Subscribers } from '../../src/ports';
import { sandboxUser, trackerAndScale } from '../support/sandbox-users';

export const BENCH_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:bench';

export interface SeededUser {
  id: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

export function benchUserId(i: number): string {
  return `bench-${String(i).padStart(6, '0')}`;
}

/** Every other user gets a second device (a scale), so device lists are not all the same size. */
export async function seedSandboxUsers(
  sandboxUrl: string,
  count: number,
  now: number,
): Promise<SeededUser[]> {
  const limit = pLimit(32);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const id = benchUserId(i);
        // A new sandbox user comes with one tracker at 80%, synced now; every other one gets a scale too.
        const devices = i % 2 === 1 ? trackerAndScale(80 + (i % 15), now - 10 * 60_000) : undefined;
        const grant = await sandboxUser(sandboxUrl, id, devices);
        return {
          id,
          accessToken: grant.access_token,
          refreshToken: grant.refresh_token,
          expiresIn: grant.expires_in,
          scope: grant.scope,
        };
      }),
    ),
  );
}

export function benchSubscriber(user: SeededUser, i: number, now: number): Subscriber {
  return {
    id: `google#${user.id}`,
    provider: 'google',
    providerUserId: user.id,
    phone: `+1206${String(i).padStart(7, '0')}`,
    state: 'active',
    tokens: {
      accessToken: user.accessToken,
      refreshToken: user.refreshToken,
      expiresAt: now + user.expiresIn * 1000,
      scope: user.scope,
    },
    // Devices stay high, so whatever the hour there, nothing is due to be texted.
    timeZone: 'America/New_York',
    version: 0,
    signupId: `bench-signup-${i}`,
    topicArn: BENCH_TOPIC_ARN,
    subscriptionArn: `${BENCH_TOPIC_ARN}:sub-${i}`,
    threshold: 20,
    quietHours: { start: 22, end: 7 },
    devices: {},
    // All due, each at its own millisecond: dynalite tells apart GSI entries with equal keys by only
    // 24 bits of a hash of the table key, so thousands of equal nextCheckAt values lose some entries.
    nextCheckAt: now - 1 - i,
    createdAt: now,
    updatedAt: now,
  };
}

/** Conditional puts (what saveSubscriber does), many in flight: DynamoDB batch writes cannot carry conditions. */
export async function seedSubscribers(store: Subscribers, users: SeededUser[], now: number): Promise<void> {
  const limit = pLimit(48);
  await Promise.all(users.map((user, i) => limit(() => store.saveSubscriber(benchSubscriber(user, i, now)))));
}
