/**
 * RateLimits on the DynamoDB table: one item per (kind, subject, window), keyed by an HMAC of the
 * subject so a counter about a phone number never stores the number, and expiring with its window.
 * Fixed windows (aligned to the epoch, so a day is a UTC day): simple, atomic, and enough to stop a
 * flood; a burst across a window edge can reach twice the limit, never more.
 */
import { createHmac } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateLimits } from '../ports';
import { conditionFailed, type Table } from './dynamo-table';

/** A keyed hash: without the key, nobody holding the table can test a guessed number against it. */
export function keyedHash(key: string, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export class DynamoRateLimits implements RateLimits {
  constructor(
    private readonly table: Table,
    /** Read when first needed (on AWS it comes from SSM). */
    private readonly hmacKey: () => Promise<string>,
  ) {}

  private async window(kind: string, subject: string, windowMs: number, now: number) {
    const bucket = Math.floor(now / windowMs);
    return {
      pk: `RATE#${kind}#${keyedHash(await this.hmacKey(), subject)}#${bucket}`,
      ttl: Math.ceil(((bucket + 1) * windowMs) / 1000),
    };
  }

  async take(kind: string, subject: string, max: number, windowMs: number, now: number): Promise<boolean> {
    const { pk, ttl } = await this.window(kind, subject, windowMs, now);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk },
          UpdateExpression: 'SET #ttl = :ttl, kind = :kind ADD used :one',
          ConditionExpression: 'attribute_not_exists(used) OR used < :max',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':ttl': ttl, ':kind': 'rate', ':one': 1, ':max': max },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async cooldown(kind: string, subject: string, windowMs: number, now: number): Promise<boolean> {
    const pk = `RATE#${kind}#${keyedHash(await this.hmacKey(), subject)}`;
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk },
          UpdateExpression: 'SET #ttl = :ttl, kind = :kind, lastAt = :now',
          ConditionExpression: 'attribute_not_exists(lastAt) OR lastAt <= :since',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':ttl': Math.ceil((now + windowMs) / 1000),
            ':kind': 'rate',
            ':now': now,
            ':since': now - windowMs,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }

  async takeDistinct(
    kind: string,
    subject: string,
    member: string,
    max: number,
    windowMs: number,
    now: number,
  ): Promise<boolean> {
    const { pk, ttl } = await this.window(kind, subject, windowMs, now);
    const hashed = keyedHash(await this.hmacKey(), member);
    try {
      await this.table.doc.send(
        new UpdateCommand({
          TableName: this.table.name,
          Key: { pk },
          UpdateExpression: 'SET #ttl = :ttl, kind = :kind ADD members :member',
          ConditionExpression:
            'attribute_not_exists(members) OR contains(members, :hashed) OR size(members) < :max',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':ttl': ttl,
            ':kind': 'rate',
            ':member': new Set([hashed]),
            ':hashed': hashed,
            ':max': max,
          },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  }
}
