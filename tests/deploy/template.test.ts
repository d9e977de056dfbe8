/**
 * The CloudFormation template a prod deploy would create, generated without AWS credentials by
 * `sls package --stage prod` with placeholder params, and checked for what the README promises.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, read by path below.
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  Condition?: string;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const ROOT = resolve(__dirname, '../..');
let dir: string;
let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fbs-template-'));
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
    // No credentials of any kind: packaging must not need them.
    {
      cwd: ROOT,
      stdio: 'pipe',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLS_TELEMETRY_DISABLED: '1' },
    },
  );
  template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const functions = () => ofType('AWS::Lambda::Function');
const statementsOf = (role: Resource): Statement[] =>
  (role.Properties.Policies ?? []).flatMap(
    (p: { PolicyDocument: { Statement: Statement[] } }) => p.PolicyDocument.Statement,
  );
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const roleOf = (fn: Resource) => template.Resources[fn.Properties.Role['Fn::GetAtt'][0]] as Resource;
const fnNamed = (name: string) => template.Resources[`${name}LambdaFunction`] as Resource;

describe('the prod CloudFormation template', () => {
  it('runs every function on nodejs22.x, arm64, with its own role', () => {
    const roles = functions().map(([, fn]) => fn.Properties.Role['Fn::GetAtt'][0]);

    expect(functions().length).toBe(7);
    for (const [, fn] of functions()) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
    }
    expect(new Set(roles).size).toBe(roles.length);
    expect(roles).not.toContain('IamRoleLambdaExecution');
  });

  it('grants no wildcard resource except to SNS actions that have no resource-level permissions', () => {
    const unscopable = new Set(['sns:CheckIfPhoneNumberIsOptedOut', 'sns:OptInPhoneNumber']);
    for (const [, fn] of functions()) {
      for (const statement of statementsOf(roleOf(fn))) {
        if (statement.Resource === '*') expect(actions(statement).every((a) => unscopable.has(a))).toBe(true);
      }
    }
  });

  it('lets only createUserTopic and the checker (which re-makes a topic deleted by hand) create topics, only under the service prefix', () => {
    const mayCreate = new Set(['CreateUserTopicLambdaFunction', 'CheckBatteriesLambdaFunction']);
    for (const [name, fn] of functions()) {
      const creating = statementsOf(roleOf(fn)).filter((s) => actions(s).includes('sns:CreateTopic'));
      if (!mayCreate.has(name)) {
        expect(creating).toEqual([]);
        continue;
      }
      expect(creating).toHaveLength(1);
      expect(JSON.stringify(creating[0]?.Resource)).toContain('fitbit-battery-sms-prod-u-*');
    }
  });

  it('gives the sign-up pages no access beyond what they use', () => {
    const signup = statementsOf(roleOf(fnNamed('Signup'))).filter((s) => !actions(s)[0]?.startsWith('logs:'));
    const pages = statementsOf(roleOf(fnNamed('Pages'))).filter((s) => !actions(s)[0]?.startsWith('logs:'));

    expect(signup.flatMap(actions)).toEqual(['dynamodb:PutItem']);
    expect(pages).toEqual([]);
  });

  it('keeps the table safe: on-demand, PITR, encryption, TTL, deletion protection, retained', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];

    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('sends failed async invocations and SNS deliveries to dead-letter queues, with alarms on them', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    const subscriptions = ofType('AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties.Protocol === 'lambda',
    );
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);

    expect(configs).toHaveLength(3);
    for (const config of configs) expect(config.DestinationConfig.OnFailure.Destination).toBeDefined();
    expect(subscriptions).toHaveLength(2);
    for (const [, sub] of subscriptions)
      expect(sub.Properties.RedrivePolicy.deadLetterTargetArn).toBeDefined();
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(alarms.filter((a) => a.Metrics)).toHaveLength(5);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(ofType('AWS::SNS::Subscription').some(([, r]) => r.Properties.Protocol === 'email')).toBe(true);
  });

  it('keeps logs for 30 days', () => {
    for (const [, group] of ofType('AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('schedules the dispatcher', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties.ScheduleExpression);

    expect(rules).toEqual(['rate(5 minutes)']);
  });

  it('holds no secret: the client secret is named in SSM, never given', () => {
    const raw = JSON.stringify(template);
    for (const [, fn] of functions()) {
      const env = fn.Properties.Environment.Variables;
      expect(env).not.toHaveProperty('OAUTH_CLIENT_SECRET');
      expect(env.OAUTH_CLIENT_SECRET_PARAMETER).toBe('/fitbit-battery-sms/prod/oauth-client-secret');
      expect(env.DYNAMODB_ENDPOINT).toBe('');
    }
    expect(raw).not.toContain('local-client-secret');
    expect(raw).not.toMatch(/GOCSPX-/);
  });

  it('gives every function the API endpoint as its public address, never an empty one', () => {
    for (const [, fn] of functions()) {
      expect(fn.Properties.Environment.Variables.PUBLIC_BASE_URL).toEqual({
        'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'],
      });
    }
  });

  it('throttles the sign-up routes', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];

    expect(stage.Properties.RouteSettings['POST /signup'].ThrottlingRateLimit).toBeLessThanOrEqual(10);
    expect(stage.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeDefined();
  });

  it('lets only the callback publish new subscribers and only End User Messaging publish inbound texts', () => {
    const policies = ofType('AWS::SNS::TopicPolicy').map(([, r]) => JSON.stringify(r.Properties));

    expect(
      policies.some((p) => p.includes('OauthCallbackIamRoleLambdaExecution') && p.includes('Deny')),
    ).toBe(true);
    expect(policies.some((p) => p.includes('sms-voice.amazonaws.com') && p.includes('Deny'))).toBe(true);
  });

  it('requests a two-way phone number pointed at the inbound topic unless one is given', () => {
    const [[, phone]] = ofType('AWS::SMSVOICE::PhoneNumber') as [[string, Resource]];

    expect(phone.Condition).toBe('CreatePhoneNumber');
    expect(phone.Properties.TwoWay).toEqual({
      Enabled: true,
      ChannelArn: { Ref: 'InboundSmsTopic' },
      ChannelRole: { 'Fn::GetAtt': ['InboundSmsPublisherRole', 'Arn'] },
    });
  });
});
