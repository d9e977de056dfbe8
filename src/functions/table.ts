/** The subscriber table, through one DynamoDB document client per container. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../adapters/dynamo-table';
import type { Config } from '../config';
import { clientOptions } from './common';

export function tableOf(config: Config): Table {
  const dynamo = new DynamoDBClient(clientOptions(config, config.DYNAMODB_ENDPOINT));
  const doc = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return { doc, name: config.TABLE_NAME };
}
