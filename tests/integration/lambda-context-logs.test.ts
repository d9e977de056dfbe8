/**
 * Every function that logs stamps each line with its invocation's Lambda context: each entry module in
 * src/functions is loaded as Lambda loads it (module scope wiring, environment only), invoked twice with
 * a Lambda Context, and the JSON lines Powertools writes to stdout and stderr are read back. The table is real
 * (dynalite), so the scheduled dispatcher runs a whole (empty) round.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { parse } from 'yaml';
import { ensureTables, type LocalDynamo, startDynamo } from '../../local/dynamo';
import { createLogger } from '../../src/adapters/logger';
import { makeCheckBatteriesHandler } from '../../src/handlers/check-batteries';
import type { CheckDeps } from '../../src/usecases/check-subscriber';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** An event each function logs about without needing anything but its table. */
const FUNCTIONS: Array<[key: string, module: string, event: unknown]> = [
  ['checkBatteries', 'check-batteries', { subscriberIds: 'not a list' }],
  ['createUserTopic', 'create-user-topic', { Records: [{ Sns: { Message: '{}' } }] }],
  ['inboundSms', 'inbound-sms', { Records: [{ Sns: { Message: 'not json' } }] }],
  [
    'signup',
    'signup',
    {
      rawPath: '/signup',
      headers: { 'sec-fetch-site': 'cross-site' },
      requestContext: { http: { method: 'POST' } },
    },
  ],
  // A well-formed state without the browser binding cookie is refused (and logged) before any I/O.
  [
    'oauthCallback',
    'oauth-callback',
    { headers: {}, queryStringParameters: { state: 's'.repeat(43), code: 'c' } },
  ],
  ['pollBatteries', 'poll-batteries', {}],
];

let dynamo: LocalDynamo;
let table: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startDynamo();
  [table] = (await ensureTables(dynamo.endpoint, resolve(__dirname, '../..'), 'test')) as [string];
});

afterAll(async () => {
  await dynamo.close();
});

beforeEach(() => {
  process.env = {
    ...savedEnv,
    // What Lambda sets for an on-demand function (Powertools reads it to tell cold starts).
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'lambda-context-test',
    AWS_SECRET_ACCESS_KEY: 'lambda-context-test',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    TABLE_NAME: table,
    NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:fitbit-battery-sms-test-new-subscriber',
    USER_TOPIC_PREFIX: 'fitbit-battery-sms-test-u-',
    PUBLIC_BASE_URL: 'https://example.test/',
    SERVICE_NUMBER: '+12025550100',
    OAUTH_CLIENT_ID: 'client-id',
    OAUTH_CLIENT_SECRET_PARAMETER: '/fitbit-battery-sms/test/oauth-client-secret',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    // Nothing is sent to these: the events above stop before any SNS, SMS or Lambda call.
    SNS_ENDPOINT: 'http://127.0.0.1:9',
    SMS_ENDPOINT: 'http://127.0.0.1:9',
    LAMBDA_ENDPOINT: 'http://127.0.0.1:9',
  };
  delete process.env.POWERTOOLS_DEV;
});

afterEach(() => {
  process.env = savedEnv;
  jest.restoreAllMocks();
});

function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/03/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The Powertools log lines (not the metrics) written while `act` runs (warnings and errors go to stderr). */
async function logLines(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  try {
    await act();
  } finally {
    jest.restoreAllMocks();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => typeof line.message === 'string');
}

async function loadHandler(module: string): Promise<Handler> {
  let handler: Handler | undefined;
  await jest.isolateModulesAsync(async () => {
    ({ handler } = (await import(`../../src/functions/${module}`)) as { handler: Handler });
  });
  return handler as Handler;
}

describe('every function logs with its Lambda context', () => {
  it.each(FUNCTIONS)('%s: request id and cold start on each line', async (key, module, event) => {
    const handler = await loadHandler(module);
    const name = `fitbit-battery-sms-test-${key}`;

    const first = await logLines(() => handler(event, lambdaContext(name, `${key}-request-1`)));
    const second = await logLines(() => handler(event, lambdaContext(name, `${key}-request-2`)));

    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    for (const line of first) {
      expect(line).toMatchObject({
        function_request_id: `${key}-request-1`,
        cold_start: true,
        function_name: name,
        function_arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
        function_memory_size: '256',
      });
    }
    for (const line of second) {
      expect(line).toMatchObject({ function_request_id: `${key}-request-2`, cold_start: false });
    }
  });

  it('covers every function in serverless.yml but pages, which logs nothing (a new function joins the list)', () => {
    const template = parse(readFileSync(resolve(__dirname, '../../serverless.yml'), 'utf8'), {
      customTags: [],
      strict: false,
    }) as { functions: Record<string, unknown> };

    expect(Object.keys(template.functions).sort()).toEqual(
      [...FUNCTIONS.map(([key]) => key), 'pages'].sort(),
    );
  });

  it('a handler called without the entry wrapper has no request id: the check above can fail', async () => {
    const logger = createLogger('fitbit-battery-sms');
    const bare = makeCheckBatteriesHandler({ logger } as unknown as CheckDeps, { concurrency: 1 });

    const lines = await logLines(() => bare({ subscriberIds: 'not a list' }));

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('function_request_id');
    expect(lines[0]).not.toHaveProperty('cold_start');
  });
});
