/**
 * The local stack's IAM against real emulators: dynalite, the local SNS, the local SSM and an HTTP
 * Lambda stand-in, each behind its IAM gateway, called with the AWS SDK as a function would. Roles and
 * the topic policy come from a small CloudFormation template, resolved like the packaged one.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startDynamo } from '../../local/dynamo';
import { Authorizer, functionAccessKeyId, LOCAL_ADMIN_ACCESS_KEY_ID } from '../../local/iam/authorizer';
import { callsOf, type Gateway, startGateway } from '../../local/iam/gateway';
import {
  type CfnTemplate,
  type LocalWorld,
  resolveIntrinsics,
  serviceRoles,
  templateFunctions,
  topicPolicies,
} from '../../local/iam/template';
import { type LocalSns, startLocalSns } from '../../local/sns';
import { type LocalSsm, startLocalSsm } from '../../local/ssm';
import { environmentProblems, localFunctionEnvironment } from '../../local/start';

const world: LocalWorld = {
  region: 'us-east-1',
  accountId: '000000000000',
  stackName: 'demo-dev',
  apiUrl: 'http://127.0.0.1:3999',
  serviceNumber: '+12025550100',
};
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/demo';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:demo-new-subscriber';

const role = (name: string, statements: unknown[]) => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    RoleName: name,
    AssumeRolePolicyDocument: {
      Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] } }],
    },
    Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
  },
});
const fn = (name: string, roleId: string) => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    FunctionName: name,
    Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
    Environment: {
      Variables: {
        TABLE_NAME: { Ref: 'Table' },
        TOPIC: { Ref: 'NewSubscriberTopic' },
        PUBLIC_BASE_URL: { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] },
        SERVICE_NUMBER: {
          'Fn::If': ['CreatePhoneNumber', { 'Fn::GetAtt': ['PhoneNumber', 'PhoneNumber'] }, '+1999'],
        },
      },
    },
  },
});

const template: CfnTemplate = {
  Conditions: { CreatePhoneNumber: { 'Fn::Equals': ['', ''] } },
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'demo' } },
    HttpApi: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
    PhoneNumber: { Type: 'AWS::SMSVOICE::PhoneNumber', Properties: {} },
    NewSubscriberTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'demo-new-subscriber' } },
    WriterRole: role('demo-writer', [
      { Effect: 'Allow', Action: ['dynamodb:PutItem'], Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } },
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'NewSubscriberTopic' } },
      {
        Effect: 'Allow',
        Action: ['ssm:GetParameter'],
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's.
        Resource: { 'Fn::Sub': 'arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/demo/secret' },
      },
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:aws:lambda:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':function:demo-reader',
            ],
          ],
        },
      },
    ]),
    // May publish anywhere by its own role, but the topic policy lets only the writer announce.
    ReaderRole: role('demo-reader', [
      {
        Effect: 'Allow',
        Action: ['dynamodb:Query'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/due']] },
      },
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: '*' },
    ]),
    WriterLambdaFunction: fn('demo-writer', 'WriterRole'),
    ReaderLambdaFunction: fn('demo-reader', 'ReaderRole'),
    NewSubscriberTopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [{ Ref: 'NewSubscriberTopic' }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Resource: { Ref: 'NewSubscriberTopic' },
              Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['WriterRole', 'Arn'] } } },
            },
          ],
        },
      },
    },
  },
};

const functions = templateFunctions(template, world);
const authorizer = new Authorizer({
  region: world.region,
  accountId: world.accountId,
  functions,
  serviceRoles: serviceRoles(template, world),
  resourcePolicies: topicPolicies(template, world),
});
const context = {
  region: world.region,
  accountId: world.accountId,
  phoneNumberArn: 'arn:aws:sms-voice:us-east-1:000000000000:phone-number/phone-local',
  serviceNumber: world.serviceNumber,
};
const as = (key: string) => ({
  region: 'us-east-1',
  credentials: { accessKeyId: key, secretAccessKey: 'local' },
  maxAttempts: 1,
});

let closers: Array<() => Promise<void>> = [];
let dynamoGw: Gateway;
let snsGw: Gateway;
let ssmGw: Gateway;
let lambdaGw: Gateway;
let invoked: string[] = [];

beforeAll(async () => {
  const dynamo = await startDynamo();
  const sns: LocalSns = await startLocalSns({
    host: '127.0.0.1',
    port: 0,
    region: world.region,
    accountId: world.accountId,
    lambdaEndpoint: 'http://127.0.0.1:9',
    lambdaSubscriptions: { 'demo-new-subscriber': [] },
    smsSink: () => {},
  });
  const ssm: LocalSsm = await startLocalSsm({
    host: '127.0.0.1',
    region: world.region,
    accountId: world.accountId,
    secureStrings: { '/demo/secret': 'shh' },
  });
  const lambda: Server = createServer((req, res) => {
    invoked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => lambda.listen(0, '127.0.0.1', () => r()));
  const gw = (service: Parameters<typeof startGateway>[0]['service'], upstream: string) =>
    startGateway({ service, upstream, authorizer, context, host: '127.0.0.1' });
  dynamoGw = await gw('dynamodb', dynamo.endpoint);
  snsGw = await gw('sns', sns.url);
  ssmGw = await gw('ssm', ssm.url);
  lambdaGw = await gw('lambda', `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`);
  closers = [
    () => dynamoGw.close(),
    () => snsGw.close(),
    () => ssmGw.close(),
    () => lambdaGw.close(),
    () => dynamo.close(),
    () => sns.close(),
    () => ssm.close(),
    () => new Promise((r) => lambda.close(() => r())),
  ];
  const admin = new DynamoDBClient({ ...as(LOCAL_ADMIN_ACCESS_KEY_ID), endpoint: dynamoGw.url });
  await admin.send(
    new CreateTableCommand({
      TableName: 'demo',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'due', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [{ AttributeName: 'due', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );
  admin.destroy();
});

afterAll(async () => {
  await Promise.allSettled(closers.map((close) => close()));
});

const writer = functionAccessKeyId('writer');
const reader = functionAccessKeyId('reader');

/** The error an SDK call rejects with, for checking its AWS shape. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call was allowed');
}

describe('the template, resolved for the local stack', () => {
  it("gives each function its role's statements and an environment with local values", () => {
    const w = functions.find((f) => f.key === 'writer');

    expect(w?.roleArn).toBe('arn:aws:iam::000000000000:role/demo-writer');
    expect(w?.environment).toEqual({
      TABLE_NAME: 'demo',
      TOPIC,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3999',
      SERVICE_NUMBER: '+12025550100',
    });
    expect(w?.policies[0]?.policy.Statement[3]?.Resource).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:demo-reader',
    );
  });

  it('refuses what it cannot resolve rather than guessing', () => {
    expect(() => resolveIntrinsics(template, world, { 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(
      /does not know GetAtt Table.StreamArn/,
    );
    expect(() => resolveIntrinsics(template, world, { 'Fn::ImportValue': 'x' })).toThrow(/Fn::ImportValue/);
  });

  it('replaces only endpoints and credentials in a function environment', () => {
    const endpoints = {
      dynamodb: 'http://d',
      sns: 'http://s',
      sms: 'http://m',
      ssm: 'http://p',
      lambda: 'http://l',
      sandbox: 'http://x',
    };
    const env = localFunctionEnvironment(
      { key: 'writer', environment: { PUBLIC_BASE_URL: '' } },
      endpoints,
      'us-east-1',
    );

    expect(env.PUBLIC_BASE_URL).toBe('');
    expect(env.AWS_ACCESS_KEY_ID).toBe('local-fn-writer');
    expect(env.AWS_ENDPOINT_URL_SSM).toBe('http://p');
    expect(env.DYNAMODB_ENDPOINT).toBe('http://d');
  });

  it('says which variable a function would reject at cold start', () => {
    const problems = environmentProblems([{ key: 'writer', env: { PUBLIC_BASE_URL: '' } }]);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^writer: Invalid configuration: .*PUBLIC_BASE_URL/);
  });
});

describe('DynamoDB behind the IAM gateway', () => {
  it("allows an action the function's role grants on that table", async () => {
    const db = new DynamoDBClient({ ...as(writer), endpoint: dynamoGw.url });

    await expect(
      db.send(new PutItemCommand({ TableName: 'demo', Item: { pk: { S: 'a' } } })),
    ).resolves.toBeDefined();
    db.destroy();
  });

  it('refuses an action the role lacks with AccessDeniedException, HTTP 400, naming role and table', async () => {
    const db = new DynamoDBClient({ ...as(writer), endpoint: dynamoGw.url });
    const error = await failure(
      db.send(
        new QueryCommand({
          TableName: 'demo',
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': { S: 'a' } },
        }),
      ),
    );
    db.destroy();

    expect(error).toEqual({
      name: 'AccessDeniedException',
      status: 400,
      message: `User: arn:aws:sts::000000000000:assumed-role/demo-writer/demo-writer is not authorized to perform: dynamodb:Query on resource: ${TABLE} because no identity-based policy allows the dynamodb:Query action`,
    });
  });

  it('tells a table from its index: Query granted on the index only is refused on the table', async () => {
    const db = new DynamoDBClient({ ...as(reader), endpoint: dynamoGw.url });
    const query = (index?: string) =>
      db.send(
        new QueryCommand({
          TableName: 'demo',
          ...(index ? { IndexName: index } : {}),
          KeyConditionExpression: index ? 'due = :d' : 'pk = :d',
          ExpressionAttributeValues: { ':d': { S: 'x' } },
        }),
      );

    await expect(query('due')).resolves.toBeDefined();
    expect((await failure(query())).name).toBe('AccessDeniedException');
    expect(
      (await failure(db.send(new PutItemCommand({ TableName: 'other', Item: { pk: { S: 'a' } } })))).name,
    ).toBe('AccessDeniedException');
    db.destroy();
  });

  it('refuses an access key it does not know, and a request with no signature', async () => {
    const db = new DynamoDBClient({ ...as('AKIAREALKEYFROMELSEWHERE'), endpoint: dynamoGw.url });
    const unknown = await failure(
      db.send(new PutItemCommand({ TableName: 'demo', Item: { pk: { S: 'a' } } })),
    );
    db.destroy();
    const unsigned = await fetch(dynamoGw.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
    });

    expect(unknown.name).toBe('UnrecognizedClientException');
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toMatchObject({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
    });
  });
});

describe('SNS behind the IAM gateway, with the topic policy', () => {
  it('lets the one role the topic policy names publish', async () => {
    const sns = new SNSClient({ ...as(writer), endpoint: snsGw.url });

    await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hi' }))).resolves.toHaveProperty(
      'MessageId',
    );
    sns.destroy();
  });

  it('refuses every other role with AuthorizationError, HTTP 403, even one allowed sns:Publish on *', async () => {
    const sns = new SNSClient({ ...as(reader), endpoint: snsGw.url });
    const error = await failure(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hi' })));
    sns.destroy();

    expect(error).toEqual({
      name: 'AuthorizationErrorException',
      status: 403,
      message: `User: arn:aws:sts::000000000000:assumed-role/demo-reader/demo-reader is not authorized to perform: SNS:Publish on resource: ${TOPIC} with an explicit deny in a resource-based policy`,
    });
  });

  it('holds the local admin to the topic policy too', async () => {
    const sns = new SNSClient({ ...as(LOCAL_ADMIN_ACCESS_KEY_ID), endpoint: snsGw.url });

    expect((await failure(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hi' })))).name).toBe(
      'AuthorizationErrorException',
    );
    sns.destroy();
  });
});

describe('SSM and Lambda behind the IAM gateway', () => {
  it('hands the granted role its decrypted secret and refuses another parameter', async () => {
    const ssm = new SSMClient({ ...as(writer), endpoint: ssmGw.url });
    const out = await ssm.send(new GetParameterCommand({ Name: '/demo/secret', WithDecryption: true }));
    const other = await failure(
      ssm.send(new GetParameterCommand({ Name: '/demo/other', WithDecryption: true })),
    );
    ssm.destroy();

    expect(out.Parameter?.Value).toBe('shh');
    expect(other.name).toBe('AccessDeniedException');
    expect(other.message).toContain(
      'ssm:GetParameter on resource: arn:aws:ssm:us-east-1:000000000000:parameter/demo/other',
    );
  });

  it('invokes the granted function only, refusing others with AccessDeniedException, HTTP 403', async () => {
    invoked = [];
    const lambda = new LambdaClient({ ...as(writer), endpoint: lambdaGw.url });
    await lambda.send(new InvokeCommand({ FunctionName: 'demo-reader', Payload: Buffer.from('{}') }));
    const refused = await failure(
      lambda.send(new InvokeCommand({ FunctionName: 'demo-writer', Payload: Buffer.from('{}') })),
    );
    lambda.destroy();

    expect(invoked).toEqual(['/2015-03-31/functions/demo-reader/invocations']);
    expect(refused).toMatchObject({ name: 'AccessDeniedException', status: 403 });
    expect(refused.message).toContain(
      'lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:demo-writer',
    );
  });
});

describe('what the gateway asks IAM for a text', () => {
  const sendText = (input: Record<string, unknown>) =>
    callsOf(
      'sms-voice',
      {
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage' },
        body: Buffer.from(
          JSON.stringify({ DestinationPhoneNumber: '+12015550111', MessageBody: 'x', ...input }),
        ),
      },
      context,
    );

  it('asks for the phone number, and for the protect configuration too when the text names one', () => {
    expect(sendText({})).toEqual([{ action: 'sms-voice:SendTextMessage', resource: context.phoneNumberArn }]);
    expect(sendText({ ProtectConfigurationId: 'protect-abc' })).toEqual([
      { action: 'sms-voice:SendTextMessage', resource: context.phoneNumberArn },
      {
        action: 'sms-voice:SendTextMessage',
        resource: 'arn:aws:sms-voice:us-east-1:000000000000:protect-configuration/protect-abc',
      },
    ]);
  });
});
