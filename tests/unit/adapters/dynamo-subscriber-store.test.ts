import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DUE_SHARDS, dueShardOf } from '../../../src/adapters/dynamo-table';
import { VersionConflictError } from '../../../src/domain/errors';
import { expiryAt } from '../../../src/domain/lifecycle';
import type { SignupState } from '../../../src/ports';
import { dynamoStore } from '../../support/dynamo-store';
import { aSubscriber, PHONE, T0 } from '../../support/fakes';

const TABLE = 'test-table';
const ddb = mockClient(DynamoDBDocumentClient);

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function makeStore() {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return dynamoStore({ doc, name: TABLE });
}

const signup = (overrides: Partial<SignupState> = {}): SignupState => ({
  state: 'state-aaaaaaaaaaaaaaaa',
  codeVerifier: 'verifier-1',
  phone: PHONE,
  browserBinding: 'binding-1',
  expiresAtMs: T0 + 600_000,
  ...overrides,
});

/** A sign-up state as the table stores it: `expiresAt` in epoch ms. */
const storedSignup = ({ expiresAtMs, ...rest }: SignupState) => ({ ...rest, expiresAt: expiresAtMs });

beforeEach(() => {
  ddb.reset();
});

describe('DynamoDB adapters (sign-up states, subscribers, due index, phones, inbound ledger)', () => {
  describe('sign-up states', () => {
    it('puts a new state with a TTL in seconds, never overwriting one', async () => {
      ddb.on(PutCommand).resolves({});

      await makeStore().putSignupState(signup({ expiresAtMs: T0 + 600_500 }));

      expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: {
          pk: 'STATE#state-aaaaaaaaaaaaaaaa',
          kind: 'signup',
          ...storedSignup(signup({ expiresAtMs: T0 + 600_500 })),
          ttl: Math.ceil((T0 + 600_500) / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it('consumes a state by deleting it and returns what it held, without table fields', async () => {
      ddb.on(DeleteCommand).resolves({
        Attributes: {
          pk: 'STATE#state-aaaaaaaaaaaaaaaa',
          kind: 'signup',
          ttl: Math.ceil((T0 + 600_000) / 1000),
          ...storedSignup(signup()),
        },
      });

      const result = await makeStore().consumeSignupState('state-aaaaaaaaaaaaaaaa', 'binding', T0);

      expect(result).toEqual(signup());
      expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
        TableName: TABLE,
        Key: { pk: 'STATE#state-aaaaaaaaaaaaaaaa' },
        ConditionExpression: 'attribute_exists(pk) AND browserBinding = :binding',
        ExpressionAttributeValues: { ':binding': 'binding' },
        ReturnValues: 'ALL_OLD',
      });
    });

    it('returns undefined for a state that is unknown or already used', async () => {
      ddb.on(DeleteCommand).rejects(conditionFailed());

      expect(await makeStore().consumeSignupState('state-aaaaaaaaaaaaaaaa', 'binding', T0)).toBeUndefined();
    });

    it('returns undefined for a state past its expiry that TTL has not deleted yet', async () => {
      ddb.on(DeleteCommand).resolves({
        Attributes: {
          pk: 'STATE#x',
          kind: 'signup',
          ttl: Math.ceil(T0 / 1000) + 1,
          ...storedSignup(signup({ expiresAtMs: T0 })),
        },
      });

      expect(await makeStore().consumeSignupState('state-aaaaaaaaaaaaaaaa', 'binding', T0)).toBeUndefined();
    });

    it('returns undefined when the TTL has passed', async () => {
      ddb.on(DeleteCommand).resolves({
        Attributes: {
          pk: 'STATE#x',
          kind: 'signup',
          ttl: Math.floor(T0 / 1000) - 1,
          ...storedSignup(signup()),
        },
      });

      expect(await makeStore().consumeSignupState('state-aaaaaaaaaaaaaaaa', 'binding', T0)).toBeUndefined();
    });

    it('rethrows other DynamoDB errors', async () => {
      ddb.on(DeleteCommand).rejects(new Error('ProvisionedThroughputExceeded'));

      await expect(makeStore().consumeSignupState('state-aaaaaaaaaaaaaaaa', 'binding', T0)).rejects.toThrow(
        'ProvisionedThroughputExceeded',
      );
    });
  });

  describe('subscribers', () => {
    it('reads a subscriber consistently and strips the table fields', async () => {
      const subscriber = aSubscriber();
      ddb
        .on(GetCommand)
        .resolves({ Item: { pk: `SUB#${subscriber.id}`, kind: 'subscriber', ...subscriber } });

      const result = await makeStore().getSubscriber(subscriber.id, T0);

      expect(result).toEqual(subscriber);
      expect(ddb).toHaveReceivedCommandWith(GetCommand, {
        TableName: TABLE,
        Key: { pk: 'SUB#google#USER1' },
        ConsistentRead: true,
      });
    });

    it('returns undefined for an unknown subscriber', async () => {
      ddb.on(GetCommand).resolves({});

      expect(await makeStore().getSubscriber('google#NOBODY', T0)).toBeUndefined();
    });

    it('hides an expired pending subscriber that TTL has not deleted yet', async () => {
      const expiresAt = Math.floor(T0 / 1000);
      const subscriber = aSubscriber({ state: 'pending_confirmation', expiresAtMs: expiresAt * 1000 });
      const { expiresAtMs: _ms, ...stored } = subscriber;
      ddb.on(GetCommand).resolves({
        Item: { pk: 'SUB#google#USER1', kind: 'subscriber', ttl: expiresAt, expiresAt, ...stored },
      });

      expect(await makeStore().getSubscriber(subscriber.id, T0)).toBeUndefined();
      expect(await makeStore().getSubscriber(subscriber.id, T0 - 1)).toEqual(subscriber);
    });

    it('creates a new subscriber only where none lives, and returns it at version 1', async () => {
      ddb.on(PutCommand).resolves({});
      const subscriber = aSubscriber({ version: 0, updatedAt: T0, expiresAtMs: expiryAt(T0) + 86_400_000 });
      const { expiresAtMs: _ms, ...stored } = subscriber;

      const saved = await makeStore().saveSubscriber(subscriber);

      expect(saved).toEqual({ ...subscriber, version: 1 });
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: {
          pk: 'SUB#google#USER1',
          kind: 'subscriber',
          ...stored,
          version: 1,
          // Epoch seconds in the table: DynamoDB's TTL, and the stored expiry.
          expiresAt: expiryAt(T0) / 1000 + 86_400,
          ttl: expiryAt(T0) / 1000 + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(T0 / 1000) },
      });
    });

    it('updates an existing subscriber only at the version it was read, without a TTL once confirmed', async () => {
      ddb.on(PutCommand).resolves({});
      const subscriber = aSubscriber({ version: 7 });

      const saved = await makeStore().saveSubscriber(subscriber);

      expect(saved.version).toBe(8);
      const input = ddb.commandCalls(PutCommand)[0]?.args[0].input;
      expect(input).toMatchObject({
        ConditionExpression: '#version = :read',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':read': 7 },
      });
      expect(input?.Item).toMatchObject({ version: 8 });
      expect(input?.Item).not.toHaveProperty('ttl');
    });

    it('indexes active checks and stopped erase dates only, and strips the shard on read', async () => {
      ddb.on(PutCommand).resolves({});
      const store = makeStore();

      await store.saveSubscriber(aSubscriber({ state: 'active', nextCheckAt: T0 }));
      await store.saveSubscriber(aSubscriber({ state: 'needs_reauth', nextCheckAt: T0 }));
      await store.saveSubscriber(aSubscriber({ state: 'active' }));
      await store.saveSubscriber(aSubscriber({ state: 'stopped', nextCheckAt: T0 }));

      const items = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item);
      expect(items[0]?.dueShard).toEqual(dueShardOf('google#USER1'));
      expect(items[0]?.dueShard).toMatch(new RegExp(`^DUE#[0-${DUE_SHARDS - 1}]$`));
      expect(items[1]).not.toHaveProperty('dueShard');
      expect(items[2]).not.toHaveProperty('dueShard');
      expect(items[3]?.dueShard).toEqual(dueShardOf('google#USER1'));
      ddb.on(GetCommand).resolves({ Item: { ...items[0] } });
      expect(await store.getSubscriber('google#USER1', T0)).not.toHaveProperty('dueShard');
    });

    it('throws VersionConflictError when someone wrote since the read', async () => {
      ddb.on(PutCommand).rejects(conditionFailed());

      await expect(makeStore().saveSubscriber(aSubscriber({ version: 3 }))).rejects.toBeInstanceOf(
        VersionConflictError,
      );
    });

    it('rethrows other errors from a save as they are', async () => {
      ddb.on(PutCommand).rejects(new Error('AccessDenied'));

      await expect(makeStore().saveSubscriber(aSubscriber())).rejects.toThrow('AccessDenied');
    });
  });

  describe('inbound message claims', () => {
    it('claims a new message id for 7 days', async () => {
      ddb.on(PutCommand).resolves({});

      expect(await makeStore().claimInboundMessage('msg-1', T0)).toBe(true);
      const nowSeconds = Math.floor(T0 / 1000);
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        TableName: TABLE,
        Item: { pk: 'INBOUND#msg-1', kind: 'inbound', ttl: nowSeconds + 7 * 24 * 3600 },
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
      });
    });

    it('returns false for a message id already claimed', async () => {
      ddb.on(PutCommand).rejects(conditionFailed());

      expect(await makeStore().claimInboundMessage('msg-1', T0)).toBe(false);
    });

    it('rethrows other errors while claiming', async () => {
      ddb.on(PutCommand).rejects(new Error('throttled'));

      await expect(makeStore().claimInboundMessage('msg-1', T0)).rejects.toThrow('throttled');
    });

    it('releases a claim by deleting it', async () => {
      ddb.on(DeleteCommand).resolves({});

      await makeStore().releaseInboundMessage('msg-1');

      expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
        TableName: TABLE,
        Key: { pk: 'INBOUND#msg-1' },
      });
    });
  });
});
