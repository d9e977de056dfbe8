/**
 * Embedded DynamoDB for the local stack and the integration tests: dynalite in this process,
 * persistent under a folder when given one, with the tables of serverless.yml created at start.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { tableDefinitions } from './serverless-config';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => import('node:http').Server;

export interface LocalDynamo {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startDynamo(
  options: { host?: string; port?: number; path?: string } = {},
): Promise<LocalDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // SDK clients keep their sockets alive; close() would wait for them to go idle otherwise.
        server.closeAllConnections();
      }),
  };
}

export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Creates the serverless.yml tables that do not exist yet; returns their names. */
export async function ensureTables(endpoint: string, root: string, stage: string): Promise<string[]> {
  const client = localDynamoClient(endpoint);
  const names: string[] = [];
  for (const definition of tableDefinitions(root, stage)) {
    try {
      await client.send(new CreateTableCommand(definition as never));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    names.push(definition.TableName);
  }
  client.destroy();
  return names;
}
