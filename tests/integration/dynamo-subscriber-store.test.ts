/** The DynamoDB adapters (one per store port) against a real DynamoDB API (dynalite), with the table from serverless.yml. */
import { resolve } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalDynamo, localDynamoClient, startDynamo } from '../../local/dynamo';
import { DynamoRateLimits } from '../../src/adapters/dynamo-rate-limits';
import { VersionConflictError } from '../../src/domain/errors';
import { claimPending, emptyPhone, expiryAt, releasePhone, takeOwnership } from '../../src/domain/lifecycle';
import { DEFAULT_QUIET_HOURS, type Subscriber } from '../../src/domain/subscriber';
import type { SubscriberStore } from '../../src/ports';
import { dynamoStore } from '../support/dynamo-store';

const NOW = Date.parse('2026-11-23T12:00:00Z');
let dynamo: LocalDynamo;
let store: SubscriberStore;
let table: string;
let doc: DynamoDBDocumentClient;

function subscriber(overrides: Partial<Subscriber> = {}): Subscriber {
  return {
    id: 'google#user-1',
    provider: 'google',
    providerUserId: 'user-1',
    phone: '+12015550123',
    state: 'pending_confirmation',
    tokens: { accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: NOW + 3600_000, scope: 's' },
    timeZone: 'America/New_York',
    version: 0,
    signupId: 'signup-1',
    threshold: 20,
    quietHours: DEFAULT_QUIET_HOURS,
    devices: {},
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

beforeAll(async () => {
  dynamo = await startDynamo();
  [table] = (await ensureTables(dynamo.endpoint, resolve(__dirname, '../..'), 'test')) as [string];
  doc = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
  store = dynamoStore({ doc, name: table });
});

afterAll(async () => {
  await dynamo.close();
});

describe('DynamoSubscriberStore on dynalite', () => {
  it('hands out a sign-up state once, and never after it expires', async () => {
    const signup = { state: 's'.repeat(43), codeVerifier: 'v', phone: '+12015550123', browserBinding: 'b' };
    await store.putSignupState({ ...signup, expiresAtMs: NOW + 600_000 });
    await store.putSignupState({ ...signup, state: 'e'.repeat(43), expiresAtMs: NOW - 1 });

    // Another browser's binding leaves the state for its own browser (finding 9).
    expect(await store.consumeSignupState('s'.repeat(43), 'other', NOW)).toBeUndefined();
    expect(await store.consumeSignupState('s'.repeat(43), 'b', NOW)).toMatchObject({ phone: '+12015550123' });
    expect(await store.consumeSignupState('s'.repeat(43), 'b', NOW)).toBeUndefined();
    expect(await store.consumeSignupState('e'.repeat(43), 'b', NOW)).toBeUndefined();
  });

  it('saves with optimistic locking: a writer holding an old version loses', async () => {
    const first = await store.saveSubscriber(subscriber({ id: 'google#lock' }));
    const winner = await store.saveSubscriber({ ...first, state: 'active' });

    await expect(store.saveSubscriber({ ...first, state: 'stopped' })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(winner.version).toBe(2);
    expect((await store.getSubscriber('google#lock', NOW))?.state).toBe('active');
  });

  it('refuses to create a subscriber twice, but replaces one whose expiry has passed', async () => {
    await store.saveSubscriber(subscriber({ id: 'google#twice' }));
    await expect(store.saveSubscriber(subscriber({ id: 'google#twice' }))).rejects.toBeInstanceOf(
      VersionConflictError,
    );

    const expiring = subscriber({ id: 'google#old', expiresAtMs: NOW - 10_000 });
    await store.saveSubscriber(expiring);
    expect(await store.getSubscriber('google#old', NOW)).toBeUndefined();
    await expect(store.saveSubscriber(subscriber({ id: 'google#old' }))).resolves.toMatchObject({
      version: 1,
    });
  });

  it('keeps a phone record under its own version, expiring with its last claim, and deletes it once vacant', async () => {
    const phone = '+12015550199';
    const day = expiryAt(NOW + 86_400_000);
    const first = await store.savePhone(
      claimPending(emptyPhone(phone), 'google#a', { code: '1111', expiresAtMs: day }, NOW),
      NOW,
    );
    // A second writer that also thought the number was new loses.
    await expect(
      store.savePhone(
        claimPending(emptyPhone(phone), 'google#x', { code: '3333', expiresAtMs: day }, NOW),
        NOW,
      ),
    ).rejects.toBeInstanceOf(VersionConflictError);
    const owned = await store.savePhone(takeOwnership(first, 'google#a', NOW), NOW);
    await expect(store.savePhone({ ...first, ownerId: 'google#b' }, NOW)).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    expect(await store.getPhone(phone, NOW)).toEqual({ phone, ownerId: 'google#a', version: owned.version });

    const pendingB = await store.savePhone(
      claimPending(owned, 'google#b', { code: '2222', expiresAtMs: day }, NOW),
      NOW,
    );
    // A claim past its expiry is not read back, even before TTL removes anything.
    expect(await store.getPhone(phone, day)).toEqual({
      phone,
      ownerId: 'google#a',
      version: pendingB.version,
    });

    const released = await store.savePhone(
      releasePhone(releasePhone(pendingB, 'google#a', NOW), 'google#b', NOW),
      NOW,
    );
    expect(released.version).toBe(0);
    expect(await store.getPhone(phone, NOW)).toBeUndefined();
    const raw = await doc.send(new GetCommand({ TableName: table, Key: { pk: `PHONE#${phone}` } }));
    expect(raw.Item).toBeUndefined();
  });

  it('gives an ownerless phone record the expiry of its last pending claim', async () => {
    const phone = '+12015550197';
    const expiresAtMs = expiryAt(NOW + 3600_000);
    await store.savePhone(
      claimPending(emptyPhone(phone), 'google#a', { code: '1111', expiresAtMs }, NOW),
      NOW,
    );

    const raw = await doc.send(new GetCommand({ TableName: table, Key: { pk: `PHONE#${phone}` } }));

    expect(raw.Item?.ttl).toBe(expiresAtMs / 1000);
    expect(await store.getPhone(phone, expiresAtMs)).toBeUndefined();
  });

  it('counts rate limits under a keyed hash of the number, never the number, and expires them', async () => {
    const limits = new DynamoRateLimits({ doc, name: table }, async () => 'test-key');
    const phone = '+12015550196';
    const day = 24 * 3600_000;
    const today = [];
    for (let i = 0; i < 4; i++) today.push(await limits.take('confirmations', phone, 3, day, NOW));
    const tomorrow = await limits.take('confirmations', phone, 3, day, NOW + day);
    const numbers = [];
    for (const n of ['+12015550101', '+12015550102', '+12015550103', '+12015550104', '+12015550101'])
      numbers.push(await limits.takeDistinct('account-numbers', 'google#acct', n, 3, day, NOW));
    const cooled = [
      await limits.cooldown('hint', phone, 3600_000, NOW),
      await limits.cooldown('hint', phone, 3600_000, NOW + 1000),
      await limits.cooldown('hint', phone, 3600_000, NOW + 3600_000),
    ];

    expect(today).toEqual([true, true, true, false]);
    expect(tomorrow).toBe(true);
    expect(numbers).toEqual([true, true, true, false, true]);
    expect(cooled).toEqual([true, false, true]);
    const items = (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
    const rate = items.filter((item) => String(item.pk).startsWith('RATE#'));
    expect(rate.length).toBeGreaterThan(0);
    expect(JSON.stringify(rate, (_k, v) => (v instanceof Set ? [...v] : v))).not.toMatch(/2015550/);
    for (const item of rate) expect(typeof item.ttl).toBe('number');
  });

  it('reads many subscribers in one batch, leaving out missing and expired ones', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `google#batch-${i}`);
    for (const id of ids.slice(0, 120)) await store.saveSubscriber(subscriber({ id }));
    await store.saveSubscriber(subscriber({ id: 'google#batch-gone', expiresAtMs: NOW - 1000 }));

    const found = await store.getSubscribers([...ids, 'google#batch-gone'], NOW);

    expect(found.size).toBe(120);
    expect(found.get('google#batch-7')?.phone).toBe('+12015550123');
    expect(found.has('google#batch-125')).toBe(false);
    expect(found.has('google#batch-gone')).toBe(false);
  });

  it('claims an inbound message id once until it is released', async () => {
    expect(await store.claimInboundMessage('msg-1', NOW)).toBe(true);
    expect(await store.claimInboundMessage('msg-1', NOW)).toBe(false);
    await store.releaseInboundMessage('msg-1');
    expect(await store.claimInboundMessage('msg-1', NOW)).toBe(true);
  });
});
