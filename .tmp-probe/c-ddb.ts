import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
export const d = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
export const g = GetCommand;
