/** The DynamoDB adapters (one per store port) against a real DynamoDB API (dynalite), with the table from serverless.yml. */
import { resolve } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalDynamo, localDynamoClient, startDynamo } from '../../local/dynamo';
import { VersionConflictError } from '../../src/domain/errors';
import { DEFAULT_QUIET_HOURS, type Subscriber } from '../../src/domain/subscriber';
import type { SubscriberStore } from '../../src/ports';
import { dynamoStore } from '../support/dynamo-store';

const NOW = Date.parse('2026-11-23T12:00:00Z');
let dynamo: LocalDynamo;
let store: SubscriberStore;
let table: string;

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
  const doc = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
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
    await store.putSignupState({ ...signup, expiresAt: NOW + 600_000 });
    await store.putSignupState({ ...signup, state: 'e'.repeat(43), expiresAt: NOW - 1 });

    expect(await store.consumeSignupState('s'.repeat(43), NOW)).toMatchObject({ phone: '+12015550123' });
    expect(await store.consumeSignupState('s'.repeat(43), NOW)).toBeUndefined();
    expect(await store.consumeSignupState('e'.repeat(43), NOW)).toBeUndefined();
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

    const expiring = subscriber({ id: 'google#old', expiresAt: Math.floor(NOW / 1000) - 10 });
    await store.saveSubscriber(expiring);
    expect(await store.getSubscriber('google#old', NOW)).toBeUndefined();
    await expect(store.saveSubscriber(subscriber({ id: 'google#old' }))).resolves.toMatchObject({
      version: 1,
    });
  });

  it('keeps phone ownership and the pending sign-up apart, and releases only the named subscriber', async () => {
    const phone = '+12015550199';
    await store.setPendingSignup(phone, 'google#a');
    await store.setPhoneOwner(phone, 'google#a');
    await store.setPendingSignup(phone, 'google#b');
    await store.releasePhone(phone, 'google#c');

    expect(await store.getPhone(phone)).toMatchObject({ ownerId: 'google#a', pendingId: 'google#b' });

    await store.releasePhone(phone, 'google#b');
    expect(await store.getPhone(phone)).toMatchObject({ ownerId: 'google#a' });
    expect((await store.getPhone(phone))?.pendingId).toBeUndefined();
    await store.releasePhone(phone, 'google#a');
    expect((await store.getPhone(phone))?.ownerId).toBeUndefined();
  });

  it('allows three confirmation texts per number per day, and more the next day', async () => {
    const phone = '+12015550198';
    const today = [];
    for (let i = 0; i < 4; i++) today.push(await store.takeConfirmationAllowance(phone, '2026-11-23', 3));
    const tomorrow = await store.takeConfirmationAllowance(phone, '2026-11-24', 3);

    expect(today).toEqual([true, true, true, false]);
    expect(tomorrow).toBe(true);
  });

  it('reads many subscribers in one batch, leaving out missing and expired ones', async () => {
    const ids = Array.from({ length: 130 }, (_, i) => `google#batch-${i}`);
    for (const id of ids.slice(0, 120)) await store.saveSubscriber(subscriber({ id }));
    await store.saveSubscriber(
      subscriber({ id: 'google#batch-gone', expiresAt: Math.floor(NOW / 1000) - 1 }),
    );

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
