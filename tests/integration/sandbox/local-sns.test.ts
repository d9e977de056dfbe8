/** The local SNS emulator through the real @aws-sdk/client-sns, with a fake Lambda invoke API. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListPhoneNumbersOptedOutCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  NotFoundException,
  OptInPhoneNumberCommand,
  PublishCommand,
  paginateListSubscriptions,
  paginateListSubscriptionsByTopic,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { type LocalSns, startLocalSns } from '../../../local/sns';

const PHONE = '+14255550182';

interface Invocation {
  path: string;
  invocationType: string | undefined;
  body: { Records: Array<Record<string, unknown> & { Sns: Record<string, unknown> }> };
}

/** A stand-in for serverless-offline's Lambda API; `failures` makes the first N calls answer 500. */
async function fakeLambda(failures = 0) {
  const invocations: Invocation[] = [];
  let failuresLeft = failures;
  let attempts = 0;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      attempts++;
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(500).end('{}');
        return;
      }
      invocations.push({
        path: req.url ?? '',
        invocationType: req.headers['x-amz-invocation-type'] as string | undefined,
        body: JSON.parse(raw),
      });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    invocations,
    attempts: () => attempts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until(check: () => boolean, ms = 3000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let lambda: Awaited<ReturnType<typeof fakeLambda>>;
let sns: LocalSns;
let client: SNSClient;
let texts: Array<[string, string]>;
let logs: string[];

async function start(lambdaSubscriptions: Record<string, string[]> = {}, failures = 0, dataDir?: string) {
  lambda = await fakeLambda(failures);
  texts = [];
  logs = [];
  sns = await startLocalSns({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    region: 'us-east-1',
    accountId: '000000000000',
    lambdaEndpoint: lambda.url,
    lambdaSubscriptions,
    smsSink: (to, body) => {
      texts.push([to, body]);
    },
    log: (line) => logs.push(line),
    lambdaRetryDelaysMs: [10, 10],
  });
  client = new SNSClient({
    endpoint: sns.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
}

afterEach(async () => {
  client.destroy();
  await sns.close();
  await lambda.close();
});

describe('topics', () => {
  beforeEach(() => start());

  it('creates a topic idempotently by name with the account ARN', async () => {
    const a = await client.send(new CreateTopicCommand({ Name: 'alerts' }));
    const b = await client.send(new CreateTopicCommand({ Name: 'alerts' }));
    expect(a.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:alerts');
    expect(b.TopicArn).toBe(a.TopicArn);
    const list = await client.send(new ListTopicsCommand({}));
    expect(list.Topics).toEqual([{ TopicArn: a.TopicArn }]);
    const attrs = await client.send(new GetTopicAttributesCommand({ TopicArn: a.TopicArn }));
    expect(attrs.Attributes?.TopicArn).toBe(a.TopicArn);
  });

  it('rejects a bad topic name with InvalidParameterException', async () => {
    await expect(client.send(new CreateTopicCommand({ Name: 'no spaces' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('raises NotFoundException for a topic that does not exist', async () => {
    await expect(
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('SMS', () => {
  beforeEach(() => start());

  it('subscribes a phone idempotently and delivers a topic publish to it', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'user-1' }));
    const sub1 = await client.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: PHONE }));
    const sub2 = await client.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: PHONE }));
    expect(sub1.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:user-1:/);
    expect(sub2.SubscriptionArn).toBe(sub1.SubscriptionArn);
    const listed = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions).toEqual([expect.objectContaining({ Protocol: 'sms', Endpoint: PHONE })]);

    const published = await client.send(new PublishCommand({ TopicArn, Message: 'Battery low' }));
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await until(() => texts.length === 1);
    expect(texts).toEqual([[PHONE, 'Battery low']]);
  });

  it('stops delivering after Unsubscribe', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'user-2' }));
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: PHONE }),
    );
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    await client.send(new PublishCommand({ TopicArn, Message: 'x' }));
    await client.send(new PublishCommand({ PhoneNumber: '+14255550199', Message: 'marker' }));
    await sns.settled();
    // The marker proves deliveries ran; the unsubscribed phone got nothing.
    expect(texts).toEqual([['+14255550199', 'marker']]);
  });

  it('rejects an SMS endpoint that is not E.164', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'user-3' }));
    await expect(
      client.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: '555-0182' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('sends a PhoneNumber publish straight to the phone', async () => {
    await client.send(new PublishCommand({ PhoneNumber: PHONE, Message: 'Direct' }));
    await until(() => texts.length === 1);
    expect(texts).toEqual([[PHONE, 'Direct']]);
  });

  it('skips an opted-out number silently, logs it masked, and delivers again after OptInPhoneNumber', async () => {
    sns.optOut(PHONE);
    const check = await client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: PHONE }));
    expect(check.isOptedOut).toBe(true);
    const listed = await client.send(new ListPhoneNumbersOptedOutCommand({}));
    expect(listed.phoneNumbers).toEqual([PHONE]);

    const res = await client.send(new PublishCommand({ PhoneNumber: PHONE, Message: 'x' }));
    expect(res.MessageId).toEqual(expect.any(String));
    await until(() => logs.some((l) => l.includes('opted out')));
    expect(texts).toEqual([]);
    expect(logs.join('\n')).not.toContain(PHONE);

    await client.send(new OptInPhoneNumberCommand({ phoneNumber: PHONE }));
    await client.send(new PublishCommand({ PhoneNumber: PHONE, Message: 'back' }));
    await until(() => texts.length === 1);
  });
});

describe('Lambda delivery', () => {
  it('invokes a lambda subscription with the standard SNS event, waiting for it to finish', async () => {
    await start();
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'new-subscriber' }));
    await client.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'lambda',
        Endpoint: 'arn:aws:lambda:us-east-1:000000000000:function:svc-dev-onboard',
      }),
    );
    await client.send(
      new PublishCommand({
        TopicArn,
        Message: '{"userId":"alice"}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'welcome' } },
      }),
    );
    await until(() => lambda.invocations.length === 1);
    const [call] = lambda.invocations;
    expect(call?.path).toBe('/2015-03-31/functions/svc-dev-onboard/invocations');
    // RequestResponse, so settled() knows when the function is done (Publish never waits for it).
    expect(call?.invocationType).toBe('RequestResponse');
    expect(call?.body).toEqual({
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: expect.stringMatching(/^arn:aws:sns:us-east-1:000000000000:new-subscriber:/),
          Sns: {
            Type: 'Notification',
            MessageId: expect.any(String),
            TopicArn,
            Subject: null,
            Message: '{"userId":"alice"}',
            Timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
            SignatureVersion: '1',
            Signature: '',
            SigningCertUrl: '',
            UnsubscribeUrl: '',
            MessageAttributes: { kind: { Type: 'String', Value: 'welcome' } },
          },
        },
      ],
    });
  });

  it('delivers the in-process publish to configured lambdaSubscriptions, retrying a failing Lambda API', async () => {
    await start({ 'svc-dev-inbound-sms': ['svc-dev-inboundSms'] }, 2);
    const arn = 'arn:aws:sns:us-east-1:000000000000:svc-dev-inbound-sms';
    await sns.publish(arn, '{"messageBody":"YES"}');
    await until(() => lambda.invocations.length === 1);
    expect(lambda.attempts()).toBe(3);
    expect(lambda.invocations[0]?.path).toBe('/2015-03-31/functions/svc-dev-inboundSms/invocations');
    expect(lambda.invocations[0]?.body.Records[0]?.Sns.Message).toBe('{"messageBody":"YES"}');
  });

  it('rejects an in-process publish to an unknown topic', async () => {
    await start();
    await expect(sns.publish('arn:aws:sns:us-east-1:000000000000:ghost', 'x')).rejects.toThrow(
      /does not exist/,
    );
  });
});

describe('settled()', () => {
  it('waits for every delivery, including a Lambda that is slow to answer', async () => {
    await start({ 'svc-dev-inbound-sms': ['svc-dev-inboundSms'] }, 1);
    await sns.publish('arn:aws:sns:us-east-1:000000000000:svc-dev-inbound-sms', '{"messageBody":"HI"}');
    // The first attempt fails and is retried after a delay: settled() still waits for the retry.
    await sns.settled();
    expect(lambda.attempts()).toBe(2);
    expect(lambda.invocations).toHaveLength(1);
  });
});

describe('ListSubscriptions paging', () => {
  beforeEach(() => start());

  const phone = (i: number) => `+1425555${String(i).padStart(4, '0')}`;

  it('returns 100 per page with a NextToken, and every subscription exactly once', async () => {
    const a = await client.send(new CreateTopicCommand({ Name: 'page-a' }));
    const b = await client.send(new CreateTopicCommand({ Name: 'page-b' }));
    for (let i = 0; i < 101; i++) {
      await client.send(new SubscribeCommand({ TopicArn: a.TopicArn, Protocol: 'sms', Endpoint: phone(i) }));
      if (i < 100)
        await client.send(
          new SubscribeCommand({ TopicArn: b.TopicArn, Protocol: 'sms', Endpoint: phone(i) }),
        );
    }
    const first = await client.send(new ListSubscriptionsCommand({}));
    expect(first.Subscriptions).toHaveLength(100);
    expect(first.NextToken).toEqual(expect.any(String));

    const sizes: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateListSubscriptions({ client }, {})) {
      sizes.push(page.Subscriptions?.length ?? 0);
      seen.push(...(page.Subscriptions ?? []).map((s) => s.SubscriptionArn ?? ''));
    }
    expect(sizes).toEqual([100, 100, 1]);
    expect(new Set(seen).size).toBe(201);

    const byTopic: string[] = [];
    for await (const page of paginateListSubscriptionsByTopic({ client }, { TopicArn: a.TopicArn })) {
      expect(page.Subscriptions?.every((s) => s.TopicArn === a.TopicArn)).toBe(true);
      byTopic.push(...(page.Subscriptions ?? []).map((s) => s.Endpoint ?? ''));
    }
    expect(byTopic.sort()).toEqual(Array.from({ length: 101 }, (_, i) => phone(i)).sort());
  });

  it('answers the last page without a NextToken, and refuses a made-up one', async () => {
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'small' }));
    await client.send(new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: PHONE }));
    const page = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(page.Subscriptions).toEqual([
      {
        SubscriptionArn: expect.any(String),
        Owner: '000000000000',
        Protocol: 'sms',
        Endpoint: PHONE,
        TopicArn,
      },
    ]);
    expect(page.NextToken).toBeUndefined();
    await expect(client.send(new ListSubscriptionsCommand({ NextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });
});

describe('restart', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-sns-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function restart() {
    client.destroy();
    await sns.close();
    await lambda.close();
    await start({}, 0, dir);
  }

  it('keeps topics, subscriptions and the opt-out list across a restart on the same data folder', async () => {
    await start({}, 0, dir);
    const { TopicArn } = await client.send(new CreateTopicCommand({ Name: 'user-kept' }));
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sms', Endpoint: PHONE }),
    );
    sns.optOut('+14255550100');

    await restart();
    expect((await client.send(new ListTopicsCommand({}))).Topics).toEqual([{ TopicArn }]);
    const listed = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions?.map((s) => s.SubscriptionArn)).toEqual([SubscriptionArn]);
    const check = await client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: '+14255550100' }));
    expect(check.isOptedOut).toBe(true);
    await client.send(new PublishCommand({ TopicArn, Message: 'still here' }));
    await sns.settled();
    expect(texts).toEqual([[PHONE, 'still here']]);
  });

  it('forgets what was deleted, and starts afresh when the folder is emptied', async () => {
    await start({}, 0, dir);
    const gone = await client.send(new CreateTopicCommand({ Name: 'user-gone' }));
    await client.send(new CreateTopicCommand({ Name: 'user-other' }));
    await client.send(new DeleteTopicCommand({ TopicArn: gone.TopicArn }));
    await restart();
    expect((await client.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toEqual([
      'arn:aws:sns:us-east-1:000000000000:user-other',
    ]);

    client.destroy();
    await sns.close();
    await lambda.close();
    rmSync(dir, { recursive: true, force: true });
    await start({}, 0, dir);
    expect((await client.send(new ListTopicsCommand({}))).Topics).toEqual([]);
  });

  it('sets an unreadable state file aside instead of losing it, and starts empty', async () => {
    await start({}, 0, dir);
    await client.send(new CreateTopicCommand({ Name: 'user-x' }));
    client.destroy();
    await sns.close();
    await lambda.close();
    writeFileSync(join(dir, 'sns.json'), '{ not json');
    await start({}, 0, dir);
    expect((await client.send(new ListTopicsCommand({}))).Topics).toEqual([]);
    const aside = readdirSync(dir).filter((f) => f.startsWith('sns.json.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0] ?? ''), 'utf8')).toBe('{ not json');
    expect(logs.join('\n')).toContain('could not be read');
  });
});
