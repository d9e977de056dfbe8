/**
 * PhoneDirectory on the subscriber table: one item per phone number (its owner and the sign-ups
 * waiting for its YES), read-modify-written under its own version like subscribers. A record that
 * holds nothing is deleted, and one without an owner expires with its last pending sign-up, so no
 * item keeps a number nobody is about. One function per operation (see dynamo-table.ts): the
 * createUserTopic function only reads.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { VersionConflictError } from '../domain/errors';
import { isVacant, livePending, type PhoneRecord, phoneExpiry } from '../domain/lifecycle';
import type { PhoneDirectory } from '../ports';
import { phoneAttributes, readPhone } from './dynamo-items';
import { alive, conditionFailed, type Item, keys, type Table } from './dynamo-table';

export function getPhone(table: Table): PhoneDirectory['getPhone'] {
  return async (phone, now) => {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.name, Key: { pk: keys.phone(phone) }, ConsistentRead: true }),
    );
    if (!alive(Item, now)) return undefined;
    const record = readPhone(Item);
    const pending = livePending(record, now);
    const { pending: _all, ...rest } = record;
    return Object.keys(pending).length > 0 ? { ...rest, pending } : rest;
  };
}

export function savePhone(table: Table): PhoneDirectory['savePhone'] {
  return async (record, now) => {
    const key = { pk: keys.phone(record.phone) };
    const isNew = record.version === 0;
    // A new record may replace one whose TTL has passed but that DynamoDB has not yet deleted.
    const condition: {
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      ExpressionAttributeValues: Record<string, unknown>;
    } = isNew
      ? {
          // An item from before phone records had a version reads as version 0, and is written over.
          ConditionExpression:
            'attribute_not_exists(pk) OR attribute_not_exists(#version) OR #ttl <= :nowSeconds',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#version': 'version' },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
        }
      : {
          ConditionExpression: '#version = :read',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':read': record.version },
        };
    try {
      if (isVacant(record, now)) {
        // Nobody owns the number and nothing waits: the number is not kept at all.
        if (!isNew)
          await table.doc.send(new DeleteCommand({ TableName: table.name, Key: key, ...condition }));
        return { phone: record.phone, version: 0 };
      }
      const saved: PhoneRecord = { ...record, version: record.version + 1 };
      const item: Item = { ...key, kind: 'phone', ...phoneAttributes(saved, phoneExpiry(record, now)) };
      await table.doc.send(new PutCommand({ TableName: table.name, Item: item, ...condition }));
      return saved;
    } catch (error) {
      if (conditionFailed(error))
        throw new VersionConflictError(`phone record changed since version ${record.version}`);
      throw error;
    }
  };
}

/** The whole port, for functions that read and write it. */
export class DynamoPhoneDirectory implements PhoneDirectory {
  readonly getPhone: PhoneDirectory['getPhone'];
  readonly savePhone: PhoneDirectory['savePhone'];
  constructor(table: Table) {
    this.getPhone = getPhone(table);
    this.savePhone = savePhone(table);
  }
}
