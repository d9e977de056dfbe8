/**
 * Seeding for the throughput bench: sandbox users with one or two healthy devices and a Google grant
 * each (through the sandbox's grant helper, no browser), and the matching active subscribers written
 * through the real DynamoSubscribers adapter, all due now.
 */
import pLimit from 'p-limit';
import type { Subscriber } from '../../src/domain/subscriber';
import type { Subscribers } from '../../src/ports';

export const BENCH_TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:bench';

export interface SeededUser {
  id: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scope: string;
}

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function benchUserId(i: number): string {
  return `bench-${String(i).padStart(6, '0')}`;
}

async function call(url: string, method: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Every other user gets a second device (a scale), so device lists are not all the same size. */
export async function seedSandboxUsers(
  sandboxUrl: string,
  count: number,
  now: number,
): Promise<SeededUser[]> {
  const limit = pLimit(32);
  const sync = rfc3339(now - 10 * 60_000);
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(async () => {
        const id = benchUserId(i);
        // A new sandbox user comes with one tracker at 80%, synced now; every other one gets a scale too.
        if (i % 2 === 1) {
          const devices = [
            {
              deviceType: 'TRACKER',
              batteryStatus: 'High',
              batteryLevel: 80 + (i % 15),
              lastSyncTime: sync,
              deviceVersion: 'Charge 6',
            },
            {
              deviceType: 'SCALE',
              batteryStatus: 'High',
              batteryLevel: 90,
              lastSyncTime: sync,
              deviceVersion: 'Aria Air',
            },
          ];
          await call(`${sandboxUrl}/sandbox/users/${id}/devices`, 'PUT', devices);
        }
        const grant = (await call(`${sandboxUrl}/sandbox/users/${id}/grant`, 'POST', {})) as {
          access_token: string;
          refresh_token: string;
          expires_in: number;
          scope: string;
        };
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
