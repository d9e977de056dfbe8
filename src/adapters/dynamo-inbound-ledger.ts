/** InboundLedger on the subscriber table: inbound message ids already handled, kept a week. */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InboundLedger } from '../ports';
import { conditionFailed, keys, type Table } from './dynamo-table';

/** Inbound message ids are remembered this long: far beyond any SNS or Lambda retry. */
const INBOUND_MEMORY_SECONDS = 7 * 24 * 3600;

export function claimInboundMessage(table: Table): InboundLedger['claimInboundMessage'] {
  return async (messageId, now) => {
    const nowSeconds = Math.floor(now / 1000);
    try {
      await table.doc.send(
        new PutCommand({
          TableName: table.name,
          Item: { pk: keys.inbound(messageId), kind: 'inbound', ttl: nowSeconds + INBOUND_MEMORY_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':nowSeconds': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (conditionFailed(error)) return false;
      throw error;
    }
  };
}

export function releaseInboundMessage(table: Table): InboundLedger['releaseInboundMessage'] {
  return async (messageId) => {
    await table.doc.send(new DeleteCommand({ TableName: table.name, Key: { pk: keys.inbound(messageId) } }));
  };
}

/** The whole port (the inbound function uses all of it). */
export function dynamoInboundLedger(table: Table): InboundLedger {
  return {
    claimInboundMessage: claimInboundMessage(table),
    releaseInboundMessage: releaseInboundMessage(table),
  };
}
