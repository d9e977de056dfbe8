/**
 * Every store port's contract against its DynamoDB adapter on dynalite (a real DynamoDB API), each
 * test on a fresh table made from serverless.yml, so the due index and TTL attribute are the deployed ones.
 */
import { resolve } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTables, type LocalDynamo, localDynamoClient, startDynamo } from '../../local/dynamo';
import { dynamoDueSubscribers } from '../../src/adapters/dynamo-due-subscribers';
import { dynamoInboundLedger } from '../../src/adapters/dynamo-inbound-ledger';
import { DynamoPhoneDirectory } from '../../src/adapters/dynamo-phone-directory';
import { DynamoRateLimits } from '../../src/adapters/dynamo-rate-limits';
import { dynamoSignupStates } from '../../src/adapters/dynamo-signup-states';
import { dynamoSubscribers } from '../../src/adapters/dynamo-subscribers';
import type { Table } from '../../src/adapters/dynamo-table';
import { describeDueSubscribersContract } from './due-subscribers.contract';
import { describeInboundLedgerContract } from './inbound-ledger.contract';
import { describePhoneDirectoryContract } from './phone-directory.contract';
import { describeRateLimitsContract } from './rate-limits.contract';
import { describeSignupStatesContract } from './signup-states.contract';
import { describeSubscribersContract } from './subscribers.contract';

let dynamo: LocalDynamo;
let doc: DynamoDBDocumentClient;
let tables = 0;

beforeAll(async () => {
  dynamo = await startDynamo();
  doc = DynamoDBDocumentClient.from(localDynamoClient(dynamo.endpoint), {
    marshallOptions: { removeUndefinedValues: true },
  });
});

afterAll(async () => {
  doc.destroy();
  await dynamo.close();
});

async function freshTable(): Promise<Table> {
  tables += 1;
  const [name] = (await ensureTables(dynamo.endpoint, resolve(__dirname, '../..'), `contract${tables}`)) as [
    string,
  ];
  return { doc, name };
}

describeSignupStatesContract('DynamoDB on dynalite', async () => dynamoSignupStates(await freshTable()));
describeSubscribersContract('DynamoDB on dynalite', async () => dynamoSubscribers(await freshTable()));
describeDueSubscribersContract('DynamoDB on dynalite', async () => {
  const table = await freshTable();
  return { ...dynamoSubscribers(table), ...dynamoDueSubscribers(table) };
});
describePhoneDirectoryContract(
  'DynamoDB on dynalite',
  async () => new DynamoPhoneDirectory(await freshTable()),
);
describeInboundLedgerContract('DynamoDB on dynalite', async () => dynamoInboundLedger(await freshTable()));
describeRateLimitsContract(
  'DynamoDB on dynalite',
  async () => new DynamoRateLimits(await freshTable(), async () => 'contract-test-key'),
);
