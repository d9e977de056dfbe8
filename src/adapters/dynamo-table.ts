/**
 * What the DynamoDB adapters share: the one table (single-table design, typed key prefixes in `pk`),
 * its keys, the due index, and reading items back. Each port has its own adapter module beside this
 * one; where functions use different parts of a port, the module exports one function per operation
 * (`getSubscriber(table)` returns the operation), so a function bundles, and its role allows, only
 * the DynamoDB commands it sends. A `dynamo<Port>(table)` builder gives the whole port.
 * Expiry is enforced on every read as well as by TTL, because TTL deletes lazily (and dynalite never).
 * Items are parsed into domain types on the way in (dynamo-items.ts), never cast.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The table every adapter works on, through one document client per container. */
export interface Table {
  doc: DynamoDBDocumentClient;
  name: string;
}

export const keys = {
  subscriber: (id: string) => `SUB#${id}`,
  phone: (phone: string) => `PHONE#${phone}`,
  signup: (state: string) => `STATE#${state}`,
  inbound: (id: string) => `INBOUND#${id}`,
};

export const SUBSCRIBER_PREFIX = 'SUB#';

export type Item = Record<string, unknown>;

/** False once the item's TTL (epoch seconds) has passed at `now` (epoch ms), deleted yet or not. */
export function alive(item: Item | undefined, now: number): item is Item {
  if (!item) return false;
  const ttl = item.ttl;
  return typeof ttl !== 'number' || ttl * 1000 > now;
}

/** True when a write was refused by its condition (the expected "someone else got there" answer). */
export function conditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
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
