/**
 * Every role is exact: packaged as a prod deploy would be (no AWS credentials), each function's
 * bundle is read for the AWS SDK commands it can send, and its role in the template must allow each
 * of them and nothing else (beyond what Lambda itself uses the role for: logs, and the on-failure
 * queue of functions that have one). Too narrow breaks on AWS; too wide is a security finding.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  actionsOfBundle,
  allowedActions,
  commandsInBundle,
  compareRole,
  iamActionOf,
  type PolicyStatement,
} from '../../bench/sdk-commands';
import { extract } from '../../bench/unzip';

type Resource = { Type: string; Properties: Record<string, unknown> };

const ROOT = resolve(__dirname, '../..');
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
    'sns:Publish',
    'ssm:GetParameter',
  ],
  createUserTopic: [
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'sms-voice:SendTextMessage',
    'sns:CreateTopic',
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
    'sns:OptInPhoneNumber',
    'sns:Unsubscribe',
    'ssm:GetParameter',
  ],
  pollBatteries: ['dynamodb:Query', 'lambda:InvokeFunction'],
  checkBatteries: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'sns:CheckIfPhoneNumberIsOptedOut',
    // A subscriber's topic deleted by hand is made again before an alert.
    'sns:CreateTopic',
    'sns:DeleteTopic',
    'sns:Publish',
    'sns:Subscribe',
    'sns:Unsubscribe',
    'ssm:GetParameter',
  ],
};

let dir: string;
let template: { Resources: Record<string, Resource> };
const bundles = new Map<string, string>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbs-roles-'));
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      'prod',
      '--package',
      dir,
      '--param=oauthClientId=placeholder-client-id.apps.googleusercontent.com',
      '--param=operatorEmail=operator@example.com',
    ],
    {
      cwd: ROOT,
      stdio: 'pipe',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLS_TELEMETRY_DISABLED: '1' },
    },
  );
  template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
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
    expect(bundles.get('pages')).not.toMatch(/@aws-sdk\//);
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
  const minified =
    'var o=require("@aws-sdk/lib-dynamodb"),s=x(require("@aws-sdk/client-sns"));' +
    'async function a(t){await t.send(new o.BatchGetCommand({}));await t.send(new o.PutCommand({}))}' +
    'const p=new s.CheckIfPhoneNumberIsOptedOutCommand({}),q={PublishCommand:1},r=z.DeleteCommand;';

  it('finds each command on the SDK package it was required from, and only those', () => {
    expect(commandsInBundle(minified)).toEqual([
      { sdkPackage: '@aws-sdk/client-sns', command: 'CheckIfPhoneNumberIsOptedOutCommand' },
      { sdkPackage: '@aws-sdk/lib-dynamodb', command: 'BatchGetCommand' },
      { sdkPackage: '@aws-sdk/lib-dynamodb', command: 'PutCommand' },
    ]);
  });

  it.each([
    ['@aws-sdk/lib-dynamodb', 'GetCommand', 'dynamodb:GetItem'],
    ['@aws-sdk/lib-dynamodb', 'BatchGetCommand', 'dynamodb:BatchGetItem'],
    ['@aws-sdk/lib-dynamodb', 'QueryCommand', 'dynamodb:Query'],
    ['@aws-sdk/client-dynamodb', 'PutItemCommand', 'dynamodb:PutItem'],
    ['@aws-sdk/client-lambda', 'InvokeCommand', 'lambda:InvokeFunction'],
    ['@aws-sdk/client-pinpoint-sms-voice-v2', 'SendTextMessageCommand', 'sms-voice:SendTextMessage'],
    ['@aws-sdk/client-ssm', 'GetParameterCommand', 'ssm:GetParameter'],
  ])('maps %s %s to %s', (sdkPackage, command, action) => {
    expect(iamActionOf({ sdkPackage, command })).toBe(action);
  });

  it('refuses a package or document-client command it cannot map', () => {
    expect(() => iamActionOf({ sdkPackage: '@aws-sdk/client-s3', command: 'GetObjectCommand' })).toThrow(
      /client-s3/,
    );
    expect(() => iamActionOf({ sdkPackage: '@aws-sdk/lib-dynamodb', command: 'NewCommand' })).toThrow(
      /NewCommand/,
    );
  });
});
