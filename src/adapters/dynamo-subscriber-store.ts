/**
 * The SubscriberStore on one DynamoDB table (single-table design, typed key prefixes in `pk`).
 * Expiry is enforced on every read as well as by TTL, because TTL deletes lazily (and dynalite never).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../domain/errors';
import type { Subscriber } from '../domain/subscriber';
import type { PhoneRecord, SignupState, SubscriberStore } from '../ports';

/** Inbound message ids are remembered this long: far beyond any SNS or Lambda retry. */
const INBOUND_MEMORY_SECONDS = 7 * 24 * 3600;

/** BatchGetItem reads at most this many keys per request. */
const BATCH_GET_LIMIT = 100;

const keys = {
  subscriber: (id: string) => `SUB#${id}`,
  phone: (phone: string) => `PHONE#${phone}`,
  signup: (state: string) => `STATE#${state}`,
  inbound: (id: string) => `INBOUND#${id}`,
};

type Item = Record<string, unknown>;

function alive(item: Item | undefined, now: number): item is Item {
  if (!item) return false;
  const ttl = item.ttl;
  return typeof ttl !== 'number' || ttl * 1000 > now;
}

function strip<T>(item: Item): T {
  const { pk: _pk, kind: _kind, ttl: _ttl, dueShard: _dueShard, ...rest } = item;
  return rest as T;
}

/**
 * The due index is spread over a few partition keys so no single GSI partition takes every write;
 * a round queries each shard for `nextCheckAt <= now`.
 */
export const DUE_SHARDS = 8;
export const DUE_INDEX = 'due';

export function dueShardOf(id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return `DUE#${hash % DUE_SHARDS}`;
}

export class DynamoSubscriberStore implements SubscriberStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putSignupState(signup: SignupState): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.signup(signup.state),
          kind: 'signup',
          ...signup,
          ttl: Math.ceil(signup.expiresAt / 1000),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async consumeSignupState(state: string, now: number): Promise<SignupState | undefined> {
    try {
      const { Attributes } = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.signup(state) },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (!alive(Attributes, now)) return undefined;
      const signup = strip<SignupState>(Attributes);
      return signup.expiresAt > now ? signup : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async getSubscriber(id: string, now: number): Promise<Subscriber | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.subscriber(id) }, ConsistentRead: true }),
    );
    return alive(Item, now) ? strip<Subscriber>(Item) : undefined;
  }

  async getSubscribers(ids: string[], now: number): Promise<Map<string, Subscriber>> {
    const found = new Map<string, Subscriber>();
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = ids
        .slice(i, i + BATCH_GET_LIMIT)
        .map((id) => ({ pk: keys.subscriber(id) }));
      // DynamoDB may hand back part of a batch as unprocessed under load: ask again, a few times.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 5) throw new Error(`${pending.length} subscribers left unread after ${attempt} tries`);
        const { Responses, UnprocessedKeys } = await this.doc.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          if (alive(item, now)) {
            const subscriber = strip<Subscriber>(item);
            found.set(subscriber.id, subscriber);
          }
        }
        pending = (UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return found;
  }

  async saveSubscriber(subscriber: Subscriber): Promise<Subscriber> {
    const saved: Subscriber = { ...subscriber, version: subscriber.version + 1 };
    const item: Item = { pk: keys.subscriber(subscriber.id), kind: 'subscriber', ...saved };
    if (saved.expiresAt !== undefined) item.ttl = saved.expiresAt;
    // The (sparse) due index holds active subscribers' next checks and stopped ones' erase dates.
    if ((saved.state === 'active' || saved.state === 'stopped') && saved.nextCheckAt !== undefined) {
      item.dueShard = dueShardOf(saved.id);
    }
    const isNew = subscriber.version === 0;
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          // A new record may replace one whose TTL has passed but that DynamoDB has not yet deleted.
          ConditionExpression: isNew ? 'attribute_not_exists(pk) OR #ttl < :nowSeconds' : '#version = :read',
          ExpressionAttributeNames: isNew ? { '#ttl': 'ttl' } : { '#version': 'version' },
          ExpressionAttributeValues: isNew
            ? { ':nowSeconds': Math.floor(subscriber.updatedAt / 1000) }
            : { ':read': subscriber.version },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError(`subscriber changed since version ${subscriber.version}`);
      }
      throw error;
    }
    return saved;
  }

  async getPhone(phone: string): Promise<PhoneRecord | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: keys.phone(phone) }, ConsistentRead: true }),
    );
    return Item ? strip<PhoneRecord>(Item) : undefined;
  }

  async setPendingSignup(phone: string, subscriberId: string): Promise<void> {
    await this.updatePhone(phone, { set: ['pendingId = :id'] }, { ':id': subscriberId });
  }

  async setPhoneOwner(phone: string, subscriberId: string): Promise<void> {
    await this.updatePhone(phone, { set: ['ownerId = :id'], remove: ['pendingId'] }, { ':id': subscriberId });
  }

  async releasePhone(phone: string, subscriberId: string): Promise<void> {
    for (const attribute of ['ownerId', 'pendingId']) {
      try {
        await this.updatePhone(phone, { remove: [attribute] }, { ':id': subscriberId }, `${attribute} = :id`);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  async takeReplyAllowance(
    phone: string,
    kind: 'hint' | 'signup',
    now: number,
    windowMs: number,
  ): Promise<boolean> {
    const attribute = kind === 'hint' ? 'lastHintAt' : 'lastSignupReplyAt';
    try {
      await this.updatePhone(
        phone,
        { set: [`${attribute} = :now`] },
        { ':now': now, ':since': now - windowMs },
        `attribute_not_exists(${attribute}) OR ${attribute} <= :since`,
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async deleteSubscriber(id: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: keys.subscriber(id) } }));
  }

  async takeConfirmationAllowance(phone: string, day: string, max: number): Promise<boolean> {
    try {
      // Same day: count up while under the cap. A new day: start again at one.
      await this.updatePhone(
        phone,
        { set: ['confirmationsSent = confirmationsSent + :one'] },
        { ':day': day, ':max': max, ':one': 1 },
        'confirmationsDay = :day AND confirmationsSent < :max',
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    try {
      await this.updatePhone(
        phone,
        { set: ['confirmationsDay = :day', 'confirmationsSent = :one'] },
        { ':day': day, ':one': 1 },
        'attribute_not_exists(confirmationsDay) OR confirmationsDay <> :day',
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async updatePhone(
    phone: string,
    changes: { set?: string[]; remove?: string[] },
    values: Record<string, unknown>,
    condition?: string,
  ): Promise<void> {
    const set = [...(changes.set ?? []), 'phone = :phone', 'kind = :kind'];
    const remove = changes.remove?.length ? ` REMOVE ${changes.remove.join(', ')}` : '';
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.phone(phone) },
        UpdateExpression: `SET ${set.join(', ')}${remove}`,
        ConditionExpression: condition,
        ExpressionAttributeValues: { ...values, ':phone': phone, ':kind': 'phone' },
      }),
    );
  }

  async *listDue(now: number, options: { force: boolean; pageSize: number }): AsyncIterable<string[]> {
    for (let shard = 0; shard < DUE_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: options.force
              ? 'dueShard = :shard'
              : 'dueShard = :shard AND nextCheckAt <= :now',
            ExpressionAttributeValues: options.force
              ? { ':shard': `DUE#${shard}` }
              : { ':shard': `DUE#${shard}`, ':now': now },
            ProjectionExpression: 'pk',
            Limit: options.pageSize,
            ExclusiveStartKey: startKey,
          }),
        );
        const ids = (page.Items ?? [])
          .map((item) => (typeof item.pk === 'string' ? item.pk.slice('SUB#'.length) : undefined))
          .filter((id): id is string => id !== undefined);
        if (ids.length > 0) yield ids;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }

  async claimInboundMessage(messageId: string, now: number): Promise<boolean> {
    const nowSeconds = Math.floor(now / 1000);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.inbound(messageId), kind: 'inbound', ttl: nowSeconds + INBOUND_MEMORY_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :nowSeconds',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async releaseInboundMessage(messageId: string): Promise<void> {
    await this.doc.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: keys.inbound(messageId) } }),
    );
  }
}
