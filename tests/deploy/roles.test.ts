/**
 * Every role is exact: packaged as a prod deploy would be (no AWS credentials), each function's
 * bundle is read for the AWS SDK commands it can send (the operation names the bundled SDK keeps), and its role in the template must allow each
 * of them and nothing else (beyond what Lambda itself uses the role for: logs, and the on-failure
 * queue of functions that have one). Too narrow breaks on AWS; too wide is a security finding.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  actionsOfBundle,
  allowedActions,
  commandsInBundle,
  compareRole,
  iamActionOf,
  type PolicyStatement,
} from '../../bench/sdk-commands';
import { extract } from '../../bench/unzip';
import { packageProd } from './package-template';

type Resource = { Type: string; Properties: Record<string, unknown> };

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/** What each function sends, as this change found it: a new command must be added here and to its role. */
const EXPECTED: Record<string, string[]> = {
  pages: [],
  signup: ['dynamodb:PutItem'],
  oauthCallback: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'sns:CheckIfPhoneNumberIsOptedOut',
    'sns:Publish',
    'ssm:GetParameter',
  ],
  createUserTopic: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'sms-voice:SendTextMessage',
    'sns:CreateTopic',
    'sns:ListSubscriptionsByTopic',
    'sns:Subscribe',
    'sns:Unsubscribe',
  ],
  inboundSms: [
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'sms-voice:DeleteOptedOutNumber',
    'sms-voice:SendTextMessage',
    'sns:CheckIfPhoneNumberIsOptedOut',
    'sns:DeleteTopic',
    'sns:ListSubscriptionsByTopic',
    'sns:OptInPhoneNumber',
    'sns:Subscribe',
    'sns:Unsubscribe',
    'ssm:GetParameter',
  ],
  pollBatteries: ['dynamodb:Query', 'lambda:InvokeFunction'],
  googleHealthWebhook: ['dynamodb:GetItem', 'dynamodb:PutItem', 'lambda:InvokeFunction', 'ssm:GetParameter'],
  checkBatteries: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'sns:CheckIfPhoneNumberIsOptedOut',
    // A subscriber's topic deleted by hand is made again (only the confirmed phone on it) before an alert.
    'sns:CreateTopic',
    'sns:DeleteTopic',
    'sns:ListSubscriptionsByTopic',
    'sns:Publish',
    'sns:Subscribe',
    'sns:Unsubscribe',
    'ssm:GetParameter',
  ],
};

let dir: string;
let template: { Resources: Record<string, Resource> };
const bundles = new Map<string, string>();

beforeAll(async () => {
  // The same packaging as `npm run package:prod` (placeholder params, no AWS credentials).
  ({ dir, template } = await packageProd());
  for (const name of Object.keys(EXPECTED)) {
    const out = join(dir, name);
    mkdirSync(out);
    extract(join(dir, `${name}.zip`), out);
    const handler = fn(name).Properties.Handler as string;
    bundles.set(name, readFileSync(join(out, `${handler.replace(/\.[^.]+$/, '')}.js`), 'utf8'));
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logical = (name: string) => `${name[0]?.toUpperCase()}${name.slice(1)}`;
const fn = (name: string) => template.Resources[`${logical(name)}LambdaFunction`] as Resource;

function roleStatements(name: string): PolicyStatement[] {
  const roleId = (fn(name).Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  expect(roleId).toBe(`${logical(name)}IamRoleLambdaExecution`);
  const role = template.Resources[roleId] as Resource;
  const policies = (role.Properties.Policies ?? []) as Array<{
    PolicyDocument: { Statement: PolicyStatement[] };
  }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

/** Lambda writes logs with every role, and sends to the on-failure queue with the roles that have one. */
function lambdaUses(name: string): string[] {
  const onFailure = Object.values(template.Resources).some(
    (r) =>
      r.Type === 'AWS::Lambda::EventInvokeConfig' &&
      JSON.stringify(r.Properties.FunctionName).includes(`${logical(name)}LambdaFunction`) &&
      JSON.stringify(r.Properties.DestinationConfig ?? {}).includes('OnFailure'),
  );
  return onFailure ? [...LOGS, 'sqs:SendMessage'] : LOGS;
}

describe('each function role is exactly what its bundle sends', () => {
  it.each(Object.keys(EXPECTED))('%s: the bundle sends what the wiring says', (name) => {
    expect(actionsOfBundle(bundles.get(name) as string)).toEqual(EXPECTED[name]);
  });

  it.each(Object.keys(EXPECTED))('%s: its role allows every command and nothing more', (name) => {
    const needed = actionsOfBundle(bundles.get(name) as string);
    const allowed = allowedActions(roleStatements(name));

    expect(compareRole(needed, allowed, lambdaUses(name))).toEqual({ missing: [], extra: [] });
  });

  it('the pages function carries no AWS SDK at all', () => {
    const pages = bundles.get('pages') as string;
    expect(commandsInBundle(pages)).toEqual([]);
    expect(pages).not.toMatch(/"\w+Client"|amazonaws\.com/);
  });

  it('detects a role with one action removed, and one with an action too many', () => {
    const statements = roleStatements('checkBatteries');
    const needed = actionsOfBundle(bundles.get('checkBatteries') as string);
    const without = statements.map((s) => ({
      ...s,
      Action: (Array.isArray(s.Action) ? s.Action : [s.Action]).filter((a) => a !== 'dynamodb:BatchGetItem'),
    }));
    const wider = [...statements, { Effect: 'Allow', Action: 'sns:OptInPhoneNumber', Resource: '*' }];

    expect(compareRole(needed, allowedActions(without), lambdaUses('checkBatteries'))).toEqual({
      missing: ['dynamodb:BatchGetItem'],
      extra: [],
    });
    expect(compareRole(needed, allowedActions(wider), lambdaUses('checkBatteries'))).toEqual({
      missing: [],
      extra: ['sns:OptInPhoneNumber'],
    });
  });
});

describe('reading SDK commands out of a bundle', () => {
  // The shape esbuild gives the SDK's command builders and command classes once minified.
  const minified =
    'var Br=Zr(Ze,"AmazonSimpleNotificationService","SNSClient",Vo),Pe=Zr(d1,"DynamoDB_20120810","DynamoDBClient",Vo);' +
    'var nc=class extends Br(Rr,Ar,"CheckIfPhoneNumberIsOptedOut",Ov){};var a$=class extends Pe(p1,Di,"BatchGetItem",R1){};' +
    'var d=class extends Pe(l1,Di,"DescribeEndpoints",I1){};var q={op:"PublishCommand"},r="DeleteTopic";';

  it('finds each command class with the client its builder names, and only those', () => {
    expect(commandsInBundle(minified)).toEqual([
      { client: 'DynamoDBClient', operation: 'BatchGetItem' },
      { client: 'SNSClient', operation: 'CheckIfPhoneNumberIsOptedOut' },
    ]);
  });

  it('fails on a command whose builder names no client, rather than missing it', () => {
    expect(() => commandsInBundle('var x=class extends Q(a,b,"Publish",c){};')).toThrow(/Publish/);
  });

  it.each([
    ['DynamoDBClient', 'GetItem', 'dynamodb:GetItem'],
    ['DynamoDBClient', 'BatchGetItem', 'dynamodb:BatchGetItem'],
    ['LambdaClient', 'Invoke', 'lambda:InvokeFunction'],
    ['PinpointSMSVoiceV2Client', 'SendTextMessage', 'sms-voice:SendTextMessage'],
    ['SSMClient', 'GetParameter', 'ssm:GetParameter'],
    ['SNSClient', 'OptInPhoneNumber', 'sns:OptInPhoneNumber'],
  ])('maps %s %s to %s', (client, operation, action) => {
    expect(iamActionOf({ client, operation })).toBe(action);
  });

  it('refuses a client it cannot map', () => {
    expect(() => iamActionOf({ client: 'S3Client', operation: 'GetObject' })).toThrow(/S3Client/);
  });
});
