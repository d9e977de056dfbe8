/**
 * What only the DynamoDB adapters have: the stored form of each item on dynalite (a real DynamoDB
 * API, the table from serverless.yml). The behaviour every implementation shares is in
 * tests/contract; here: epoch seconds only in stored attributes, items older code wrote, malformed
 * items failing clearly without stopping a checker batch, rate-limit keys that hold no number.
 */
import { resolve } from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalDynamo, localDynamoClient, startDynamo } from '../../local/dynamo';
import { DynamoPhoneDirectory } from '../../src/adapters/dynamo-phone-directory';
import { DynamoRateLimits } from '../../src/adapters/dynamo-rate-limits';
import { dynamoSignupStates } from '../../src/adapters/dynamo-signup-states';
import { dynamoSubscribers } from '../../src/adapters/dynamo-subscribers';
import { UnreadableRecordError } from '../../src/domain/errors';
import { claimPending, emptyPhone, expiryAt, releasePhone } from '../../src/domain/lifecycle';
import { CheckBatchError, checkBatch } from '../../src/usecases/check-batch';
import type { CheckDeps } from '../../src/usecases/check-subscriber';
import { aDevice, aSubscriber, makeDeps, PHONE, T0, tokens } from '../support/fakes';

let dynamo: LocalDynamo;
let table: string;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startDynamo();
  [table] = (await ensureTables(dynamo.endpoint, resolve(__dirname, '../..'), 'test')) as [string];
  doc = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
});

afterAll(async () => {
  doc.destroy();
  await dynamo.close();
});

const raw = async (pk: string) => (await doc.send(new GetCommand({ TableName: table, Key: { pk } }))).Item;
const put = (item: Record<string, unknown>) => doc.send(new PutCommand({ TableName: table, Item: item }));

describe('the DynamoDB adapters on dynalite: what is stored', () => {
  it('stores expiries in epoch seconds (ttl, expiresAt) and reads them back as epoch ms', async () => {
    const subscribers = dynamoSubscribers({ doc, name: table });
    const expiresAtMs = expiryAt(T0 + 86_400_000);
    const saved = await subscribers.saveSubscriber(
      aSubscriber({ id: 'google#UNITS', version: 0, state: 'pending_confirmation', expiresAtMs }),
    );

    const item = await raw('SUB#google#UNITS');

    expect(item).toMatchObject({ ttl: expiresAtMs / 1000, expiresAt: expiresAtMs / 1000 });
    expect(item).not.toHaveProperty('expiresAtMs');
    expect(await subscribers.getSubscriber('google#UNITS', T0)).toEqual(saved);
  });

  it('gives an ownerless phone record the TTL of its last claim, and deletes the item once vacant', async () => {
    const phones = new DynamoPhoneDirectory({ doc, name: table });
    const phone = '+12015550197';
    const expiresAtMs = expiryAt(T0 + 3600_000);
    const saved = await phones.savePhone(
      claimPending(emptyPhone(phone), 'google#A', { code: '1111', expiresAtMs }, T0),
      T0,
    );
    expect(await raw(`PHONE#${phone}`)).toMatchObject({
      ttl: expiresAtMs / 1000,
      pending: { 'google#A': { code: '1111', expiresAt: expiresAtMs / 1000 } },
    });

    await phones.savePhone(releasePhone(saved, 'google#A', T0), T0);

    expect(await raw(`PHONE#${phone}`)).toBeUndefined();
  });

  it('keeps sign-up states with their expiry in epoch ms and a TTL in seconds', async () => {
    const signups = dynamoSignupStates({ doc, name: table });
    const state = 'x'.repeat(43);
    await signups.putSignupState({
      state,
      codeVerifier: 'v',
      phone: PHONE,
      browserBinding: 'b',
      expiresAtMs: T0 + 600_500,
    });

    expect(await raw(`STATE#${state}`)).toMatchObject({
      expiresAt: T0 + 600_500,
      ttl: Math.ceil((T0 + 600_500) / 1000),
    });
  });

  it('counts rate limits under a keyed hash of the number, never the number, each with a TTL', async () => {
    const limits = new DynamoRateLimits({ doc, name: table }, async () => 'test-key');
    await limits.take('confirmations', '+12015550196', 3, 86_400_000, T0);
    await limits.takeDistinct('account-numbers', 'google#acct', '+12015550101', 3, 86_400_000, T0);
    await limits.cooldown('hint', '+12015550196', 3600_000, T0);

    const items = (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
    const rate = items.filter((item) => String(item.pk).startsWith('RATE#'));

    expect(rate).toHaveLength(3);
    expect(JSON.stringify(rate, (_k, v) => (v instanceof Set ? [...v] : v))).not.toMatch(
      /201555019|201555010/,
    );
    for (const item of rate) expect(typeof item.ttl).toBe('number');
  });
});

describe('the DynamoDB adapters on dynalite: items older code wrote', () => {
  it('reads a subscriber from before scheduling and time-zone re-reads, expiry in epoch seconds', async () => {
    // The shape the first release wrote (commit 226fa30): no nextCheckAt, failures, timeZoneCheckedAt.
    const expiresAt = Math.ceil((T0 + 86_400_000) / 1000);
    await put({
      pk: 'SUB#google#OLD',
      kind: 'subscriber',
      id: 'google#OLD',
      provider: 'google',
      providerUserId: 'OLD',
      phone: PHONE,
      state: 'pending_confirmation',
      tokens: { accessToken: 'at', refreshToken: 'rt', expiresAt: T0 + 3600_000, scope: 's' },
      timeZone: 'Europe/London',
      version: 3,
      signupId: 'signup-old',
      threshold: 20,
      quietHours: { start: 22, end: 7 },
      devices: { d1: { name: 'Charge 5', type: 'TRACKER', level: 40, status: 'Medium' } },
      createdAt: T0 - 86_400_000,
      updatedAt: T0 - 1000,
      expiresAt,
      ttl: expiresAt,
    });

    const read = await dynamoSubscribers({ doc, name: table }).getSubscriber('google#OLD', T0);

    expect(read).toMatchObject({ id: 'google#OLD', version: 3, expiresAtMs: expiresAt * 1000 });
    expect(read).not.toHaveProperty('expiresAt');
    expect(read).not.toHaveProperty('ttl');
  });

  it('reads a phone record from before the optimistic lock as version 0, and writes over it', async () => {
    // The first release kept { phone, ownerId, pendingId } with no version and no TTL.
    const phone = '+12015550166';
    await put({ pk: `PHONE#${phone}`, kind: 'phone', phone, ownerId: 'google#OWNER', pendingId: 'google#P' });
    const phones = new DynamoPhoneDirectory({ doc, name: table });

    const read = await phones.getPhone(phone, T0);
    const saved = await phones.savePhone(
      claimPending(
        read ?? emptyPhone(phone),
        'google#NEW',
        { code: '5555', expiresAtMs: expiryAt(T0 + 3600_000) },
        T0,
      ),
      T0,
    );

    expect(read).toEqual({ phone, ownerId: 'google#OWNER', version: 0 });
    expect(saved.version).toBe(1);
    expect(await phones.getPhone(phone, T0)).toEqual(saved);
    expect(await raw(`PHONE#${phone}`)).not.toHaveProperty('pendingId');
  });
});

describe('the DynamoDB adapters on dynalite: malformed items', () => {
  const broken = (id: string) => ({
    pk: `SUB#${id}`,
    kind: 'subscriber',
    ...aSubscriber({ id, providerUserId: id.slice(7) }),
    // A hand edit gone wrong: the refresh token lost, the state misspelt.
    tokens: { accessToken: 'secret-access-token', expiresAt: T0, scope: 's' },
    state: 'acitve',
  });

  it('refuses a malformed subscriber naming the kind and the fields, never the number or a token', async () => {
    await put(broken('google#BROKEN'));

    const error = await dynamoSubscribers({ doc, name: table })
      .getSubscriber('google#BROKEN', T0)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnreadableRecordError);
    expect((error as UnreadableRecordError).kind).toBe('subscriber');
    expect((error as Error).message).toMatch(/subscriber/);
    expect((error as Error).message).toMatch(/tokens\.refreshToken/);
    expect((error as Error).message).toMatch(/state/);
    expect((error as Error).message).not.toMatch(/secret-access-token|2015550123|acitve/);
  });

  it('refuses a malformed phone record and sign-up state by kind', async () => {
    await put({ pk: `PHONE#${PHONE}`, kind: 'phone', phone: PHONE, version: 'two' });
    await put({ pk: `STATE#${'m'.repeat(43)}`, kind: 'signup', state: 'm'.repeat(43), browserBinding: 'b' });

    await expect(new DynamoPhoneDirectory({ doc, name: table }).getPhone(PHONE, T0)).rejects.toMatchObject({
      name: 'UnreadableRecordError',
      kind: 'phone',
    });
    await expect(
      dynamoSignupStates({ doc, name: table }).consumeSignupState('m'.repeat(43), 'b', T0),
    ).rejects.toMatchObject({ name: 'UnreadableRecordError', kind: 'signup' });
  });

  it('checks every other subscriber of a batch that holds a malformed one, and reports that one', async () => {
    const subscribers = dynamoSubscribers({ doc, name: table });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const saved = await subscribers.saveSubscriber(
        aSubscriber({
          id: `google#BATCH${i}`,
          providerUserId: `BATCH${i}`,
          version: 0,
          tokens: tokens({ expiresAt: T0 + 3600_000 }),
          nextCheckAt: T0,
        }),
      );
      ids.push(saved.id);
    }
    await put(broken('google#BATCH-BROKEN'));
    const fakes = makeDeps();
    fakes.provider.devicesFor = [aDevice({ batteryLevel: 80, lastSyncTime: new Date(T0).toISOString() })];
    const deps: CheckDeps = { ...fakes, subscribers };

    const error = await checkBatch(deps, [...ids.slice(0, 2), 'google#BATCH-BROKEN', ...ids.slice(2)], {
      concurrency: 2,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CheckBatchError);
    expect((error as CheckBatchError).summary).toMatchObject({ checked: 4, failed: 1 });
    expect((error as CheckBatchError).errors).toEqual([expect.any(UnreadableRecordError)]);
    for (const id of ids) expect((await subscribers.getSubscriber(id, T0))?.nextCheckAt).toBeGreaterThan(T0);
    expect(fakes.logger.entries).toContainEqual(
      expect.objectContaining({
        message: 'check failed',
        extra: expect.objectContaining({
          subscriberId: 'google#BATCH-BROKEN',
          error: 'UnreadableRecordError',
          detail: expect.stringContaining('tokens.refreshToken'),
        }),
      }),
    );
    expect(fakes.logger.dump()).not.toMatch(/secret-access-token|2015550123/);
  });
});
