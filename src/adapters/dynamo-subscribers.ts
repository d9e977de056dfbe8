/**
 * Subscribers on the subscriber table: records by id, written under an optimistic lock (`version`).
 * One function per operation (see dynamo-table.ts): only the checker batch-reads, only the checker
 * and inboundSms delete.
 */
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../domain/errors';
import type { Subscriber } from '../domain/subscriber';
import type { Subscribers } from '../ports';
import { readSubscriber, subscriberAttributes } from './dynamo-items';
import { alive, conditionFailed, dueShardOf, type Item, keys, type Table } from './dynamo-table';

/** BatchGetItem reads at most this many keys per request. */
const BATCH_GET_LIMIT = 100;

export function getSubscriber(table: Table): Subscribers['getSubscriber'] {
  return async (id, now) => {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.name, Key: { pk: keys.subscriber(id) }, ConsistentRead: true }),
    );
    return alive(Item, now) ? readSubscriber(Item) : undefined;
  };
}

export function getSubscribers(table: Table): Subscribers['getSubscribers'] {
  return async (ids, now) => {
    const found = new Map<string, Subscriber>();
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) {
      let pending: Record<string, unknown>[] = ids
        .slice(i, i + BATCH_GET_LIMIT)
        .map((id) => ({ pk: keys.subscriber(id) }));
      // DynamoDB may hand back part of a batch as unprocessed under load: ask again, a few times.
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 5) throw new Error(`${pending.length} subscribers left unread after ${attempt} tries`);
        const { Responses, UnprocessedKeys } = await table.doc.send(
          new BatchGetCommand({ RequestItems: { [table.name]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[table.name] ?? []) {
          if (alive(item, now)) {
            const subscriber = readSubscriber(item);
            found.set(subscriber.id, subscriber);
          }
        }
        pending = (UnprocessedKeys?.[table.name]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return found;
  };
}

export function saveSubscriber(table: Table): Subscribers['saveSubscriber'] {
  return async (subscriber) => {
    const saved: Subscriber = { ...subscriber, version: subscriber.version + 1 };
    const item: Item = {
      pk: keys.subscriber(subscriber.id),
      kind: 'subscriber',
      ...subscriberAttributes(saved),
    };
    // The (sparse) due index holds active subscribers' next checks and stopped ones' erase dates.
    if ((saved.state === 'active' || saved.state === 'stopped') && saved.nextCheckAt !== undefined) {
      item.dueShard = dueShardOf(saved.id);
    }
    const isNew = subscriber.version === 0;
    try {
      await table.doc.send(
        new PutCommand({
          TableName: table.name,
          Item: item,
          // A new record may replace one whose TTL has passed but that DynamoDB has not yet deleted.
          ConditionExpression: isNew ? 'attribute_not_exists(pk) OR #ttl <= :nowSeconds' : '#version = :read',
          ExpressionAttributeNames: isNew ? { '#ttl': 'ttl' } : { '#version': 'version' },
          ExpressionAttributeValues: isNew
            ? { ':nowSeconds': Math.floor(subscriber.updatedAt / 1000) }
            : { ':read': subscriber.version },
        }),
      );
    } catch (error) {
      if (conditionFailed(error)) {
        throw new VersionConflictError(`subscriber changed since version ${subscriber.version}`);
      }
      throw error;
    }
    return saved;
  };
}

export function deleteSubscriber(table: Table): Subscribers['deleteSubscriber'] {
  return async (id) => {
    await table.doc.send(new DeleteCommand({ TableName: table.name, Key: { pk: keys.subscriber(id) } }));
  };
}

/** The whole port, for code that uses all of it (tests, benchmarks). */
export function dynamoSubscribers(table: Table): Subscribers {
  return {
    getSubscriber: getSubscriber(table),
    getSubscribers: getSubscribers(table),
    saveSubscriber: saveSubscriber(table),
    deleteSubscriber: deleteSubscriber(table),
  };
}
