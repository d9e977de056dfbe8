/**
 * DueSubscribers on the subscriber table's sparse, sharded `due` index. Its own port and module
 * because the dispatcher reads nothing else: its bundle and role hold one Query on the index.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DueSubscribers } from '../ports';
import { DUE_INDEX, DUE_SHARDS, SUBSCRIBER_PREFIX, type Table } from './dynamo-table';

export function dynamoDueSubscribers(table: Table): DueSubscribers {
  return {
    async *listDue(now, options) {
      for (let shard = 0; shard < DUE_SHARDS; shard++) {
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await table.doc.send(
            new QueryCommand({
              TableName: table.name,
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
            .map((item) =>
              typeof item.pk === 'string' ? item.pk.slice(SUBSCRIBER_PREFIX.length) : undefined,
            )
            .filter((id): id is string => id !== undefined);
          if (ids.length > 0) yield ids;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
      }
    },
  };
}
