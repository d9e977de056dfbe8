/**
 * The CloudFormation template a prod deploy would create, generated without AWS credentials by
 * `sls package --stage prod` with placeholder params, and checked for what the README promises.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { getCountries } from 'libphonenumber-js';
import { AWS_SMS_COUNTRIES } from '../../deploy/aws-sms-countries';
import { allowedCountries, loadConfig } from '../../src/config';
import { EXISTING_NUMBER, type Packaged, packageProd } from './package-template';

type Resource = {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, read by path below.
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
  Condition?: string;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Template = { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };

/** The default prod stack: it requests its own number. */
let created: Packaged;
/** A prod stack on an existing number, a custom domain, a reserved checker concurrency and its own countries. */
let existing: Packaged;
let template: Template;

beforeAll(async () => {
  // One after the other: both builds share the service's esbuild work directory.
  created = await packageProd();
  existing = await packageProd({
    ...EXISTING_NUMBER,
    customDomain: 'battery.example.com',
    customDomainCertificateArn:
      'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012',
    checkerReservedConcurrency: '20',
    allowedCountries: 'us, mx',
  });
  template = created.template;
}, 240_000);

afterAll(() => {
  for (const p of [created, existing]) if (p) rmSync(p.dir, { recursive: true, force: true });
});

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

    expect(functions().length).toBe(8);
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

  it('keeps the table safe: on-demand, PITR, encryption, TTL, deletion protection, retained except on a failed first create', () => {
    const [[, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource]];

    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    // A rolled-back first create removes it, so the retry does not trip over a leftover table.
    expect(table.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('sends failed async invocations and SNS deliveries to dead-letter queues, with alarms on them', () => {
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    const subscriptions = ofType('AWS::SNS::Subscription').filter(
      ([, r]) => r.Properties.Protocol === 'lambda',
    );
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);

    // createUserTopic, inboundSms, pollBatteries, and checkBatteries for early checks (async invokes).
    expect(configs).toHaveLength(4);
    for (const config of configs) expect(config.DestinationConfig.OnFailure.Destination).toBeDefined();
    expect(subscriptions).toHaveLength(2);
    for (const [, sub] of subscriptions)
      expect(sub.Properties.RedrivePolicy.deadLetterTargetArn).toBeDefined();
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(alarms.filter((a) => a.Metrics)).toHaveLength(6);
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
      expect(env).not.toHaveProperty('WEBHOOK_SECRET');
      expect(env.WEBHOOK_SECRET_PARAMETER).toBe('/fitbit-battery-sms/prod/webhook-secret');
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

  it('requests a two-way phone number pointed at the inbound topic, released only if its first create rolls back', () => {
    const [[, phone]] = ofType('AWS::SMSVOICE::PhoneNumber') as [[string, Resource]];

    expect(phone.Properties.TwoWay).toEqual({
      Enabled: true,
      ChannelArn: { Ref: 'InboundSmsTopic' },
      ChannelRole: { 'Fn::GetAtt': ['InboundSmsPublisherRole', 'Arn'] },
    });
    expect(phone.DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(phone.UpdateReplacePolicy).toBe('Retain');
    expect(phone.Properties.DeletionProtectionEnabled).toBe(true);
    expect(template.Outputs.PhoneNumberArn?.Value).toEqual({ 'Fn::GetAtt': ['PhoneNumber', 'Arn'] });
  });

  it("answers HELP, and takes START as an opt-in keyword (STOP and UNSTOP are the carrier's on toll-free)", () => {
    const [[, phone]] = ofType('AWS::SMSVOICE::PhoneNumber') as [[string, Resource]];
    const keywords = phone.Properties.OptionalKeywords as { Keyword: string; Action: string }[];

    expect(phone.Properties.MandatoryKeywords.HELP.Message).toMatch(/STOP/);
    expect(phone.Properties.MandatoryKeywords.HELP.Message.length).toBeLessThanOrEqual(160);
    expect(keywords).toContainEqual(expect.objectContaining({ Keyword: 'START', Action: 'OPT_IN' }));
    // The resource rejects optional keywords that contain STOP or HELP.
    for (const { Keyword } of keywords) expect(Keyword).not.toMatch(/stop|help/i);
  });

  it('gives every route throttling only to routes the stage depends on, with the same route key', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage') as [[string, Resource]];
    const dependsOn = [stage.DependsOn ?? []].flat();
    const routeKeys = Object.keys(stage.Properties.RouteSettings);

    expect(routeKeys.length).toBeGreaterThan(0);
    for (const key of routeKeys) {
      const routes = ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey === key);
      expect(routes).toHaveLength(1);
      expect(dependsOn).toContain(routes[0]?.[0]);
    }
  });

  it('reserves no checker concurrency unless configured (new accounts cannot reserve any)', () => {
    expect(fnNamed('CheckBatteries').Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(
      existing.template.Resources.CheckBatteriesLambdaFunction.Properties.ReservedConcurrentExecutions,
    ).toBe(20);
  });

  it('has no unused shared role, and names each role with its region (IAM names are global)', () => {
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    for (const [, fn] of functions()) {
      expect(roleOf(fn).Properties.RoleName).toMatch(/^fitbit-battery-sms-prod-us-east-1-\w+$/);
      expect(roleOf(fn).Properties.RoleName.length).toBeLessThanOrEqual(64);
    }
  });

  it('serves the API at the execute-api address by default and says where to sign up and what to register', () => {
    const endpoint = { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] };

    expect(fnNamed('Pages').Properties.Environment.Variables.PUBLIC_BASE_URL).toEqual(endpoint);
    expect(template.Outputs.OAuthRedirectUri?.Value).toEqual({
      'Fn::Join': ['', [endpoint, '/oauth/callback']],
    });
    expect(template.Outputs.TermsUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/terms']] });
    expect(template.Outputs.PrivacyUrl?.Value).toEqual({ 'Fn::Join': ['', [endpoint, '/privacy']] });
    expect(ofType('AWS::ApiGatewayV2::DomainName')).toEqual([]);
  });

  it('routes GET /terms to the pages function', () => {
    const keys = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);

    expect(keys).toEqual(expect.arrayContaining(['GET /', 'GET /privacy', 'GET /terms']));
  });
});

describe('the prod template on an existing number and a custom domain', () => {
  const resources = () => existing.template.Resources as Record<string, Resource>;
  const fn = (name: string) => resources()[`${name}LambdaFunction`] as Resource;

  it('requests no number: texts from the given one, and may send only from it', () => {
    const role = resources()[fn('InboundSms').Properties.Role['Fn::GetAtt'][0]] as Resource;
    const sending = statementsOf(role).filter((s) => actions(s).includes('sms-voice:SendTextMessage'));

    expect(Object.values(resources()).some((r) => r.Type === 'AWS::SMSVOICE::PhoneNumber')).toBe(false);
    expect(fn('CheckBatteries').Properties.Environment.Variables.SERVICE_NUMBER).toBe(
      EXISTING_NUMBER.serviceNumber,
    );
    expect(sending.map((s) => s.Resource)).toEqual([
      [EXISTING_NUMBER.phoneNumberArn, { 'Fn::GetAtt': ['SmsProtectConfiguration', 'Arn'] }],
    ]);
    expect(existing.template.Outputs.PhoneNumberArn.Value).toBe(EXISTING_NUMBER.phoneNumberArn);
  });

  it('maps the custom domain to the API and uses it for the public URL and the OAuth redirect', () => {
    const domain = Object.values(resources()).find((r) => r.Type === 'AWS::ApiGatewayV2::DomainName');
    const mapping = Object.values(resources()).find((r) => r.Type === 'AWS::ApiGatewayV2::ApiMapping');

    expect(domain?.Properties.DomainName).toBe('battery.example.com');
    expect(domain?.Properties.DomainNameConfigurations[0].EndpointType).toBe('REGIONAL');
    expect(mapping?.Properties).toMatchObject({ ApiId: { Ref: 'HttpApi' }, Stage: '$default' });
    expect(mapping?.DependsOn).toEqual(['HttpApiStage']);
    for (const name of ['Pages', 'Signup', 'OauthCallback', 'CheckBatteries'])
      expect(fn(name).Properties.Environment.Variables.PUBLIC_BASE_URL).toBe('https://battery.example.com');
    expect(existing.template.Outputs.OAuthRedirectUri.Value).toBe(
      'https://battery.example.com/oauth/callback',
    );
    expect(existing.template.Outputs.CustomDomainTarget.Value).toEqual({
      'Fn::GetAtt': ['CustomDomain', 'RegionalDomainName'],
    });
  });
});

/**
 * The SMS country rule. A protect configuration allows every country it does not name, so the rule
 * names every country AWS documents it can text, and only those (a code the API does not know could
 * fail the deploy), and blocks all but the ones sign-ups accept: the same list the deployed
 * functions compute from their own environment.
 */
describe('the SMS protect configuration', () => {
  const PROTECT_ARN = { 'Fn::GetAtt': ['SmsProtectConfiguration', 'Arn'] };
  const PROTECT_ID = { 'Fn::GetAtt': ['SmsProtectConfiguration', 'ProtectConfigurationId'] };
  const rulesOf = (t: Template) => {
    const protect = Object.values(t.Resources).filter(
      (r) => r.Type === 'AWS::SMSVOICE::ProtectConfiguration',
    );
    expect(protect).toHaveLength(1);
    return (protect[0] as Resource).Properties.CountryRuleSet.SMS as Array<{
      CountryCode: string;
      ProtectStatus: string;
    }>;
  };
  /** What the functions of this template accept at sign-up, from the environment it gives them. */
  const appCountries = (t: Template) => {
    const signup = t.Resources.SignupLambdaFunction as Resource;
    const env = signup.Properties.Environment.Variables as Record<string, unknown>;
    const strings = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string'));
    return allowedCountries(
      loadConfig({
        ...strings,
        // Resolved by CloudFormation on deploy; any valid value serves here.
        NEW_SUBSCRIBER_TOPIC_ARN: 'arn:x',
        PUBLIC_BASE_URL: 'https://x.example',
        SERVICE_NUMBER: '+12025550100',
      }),
    );
  };
  const expectRule = (t: Template, allowed: string[]) => {
    const rules = rulesOf(t);
    const codes = rules.map((r) => r.CountryCode);
    expect(new Set(codes).size).toBe(codes.length);
    // Exactly AWS's documented SMS countries: none left on the default ALLOW, none AWS may refuse.
    expect([...codes].sort()).toEqual([...AWS_SMS_COUNTRIES].sort());
    const allowing = rules.filter((r) => r.ProtectStatus === 'ALLOW').map((r) => r.CountryCode);
    expect(allowing.sort()).toEqual([...allowed].sort());
    for (const rule of rules)
      expect(rule.ProtectStatus).toBe(allowed.includes(rule.CountryCode) ? 'ALLOW' : 'BLOCK');
  };

  it('blocks every country but the default ones (US and CA), the same list sign-ups accept', () => {
    expect(appCountries(template).sort()).toEqual(['CA', 'US']);
    expectRule(template, appCountries(template));
  });

  it('follows the allowedCountries param, the same list the functions read', () => {
    expect(appCountries(existing.template).sort()).toEqual(['MX', 'US']);
    expectRule(existing.template, appCountries(existing.template));
  });

  it("names only ISO codes of AWS's documented SMS countries, within the API's 300 rules", () => {
    const iso = new Set<string>(getCountries());
    expect(AWS_SMS_COUNTRIES.length).toBeGreaterThan(200);
    expect(AWS_SMS_COUNTRIES.length).toBeLessThanOrEqual(300);
    for (const code of AWS_SMS_COUNTRIES) {
      expect(code).toMatch(/^[A-Z]{2}$/);
      expect(iso.has(code)).toBe(true);
    }
    // Codes with no SMS route AWS documents (territories, uninhabited islands, retired codes).
    const codes = rulesOf(template).map((r) => r.CountryCode);
    for (const absent of ['AQ', 'AX', 'BV', 'EH', 'IO', 'AN', 'AC', 'TA', 'XK'])
      expect(codes).not.toContain(absent);
    // Sign-up countries people use and AWS texts are all there, blocked unless allowed.
    for (const present of ['GB', 'DE', 'MX', 'IN', 'AU', 'NG', 'MN', 'MO'])
      expect(rulesOf(template).find((r) => r.CountryCode === present)?.ProtectStatus).toBe('BLOCK');
  });

  it('is named by the functions that text one-to-one, and their roles may send under it', () => {
    for (const name of ['CreateUserTopicLambdaFunction', 'InboundSmsLambdaFunction']) {
      const fn = template.Resources[name] as Resource;
      expect(fn.Properties.Environment.Variables.PROTECT_CONFIGURATION_ID).toEqual(PROTECT_ID);
      const sending = statementsOf(roleOf(fn)).filter((s) =>
        actions(s).includes('sms-voice:SendTextMessage'),
      );
      expect(sending.map((s) => s.Resource)).toEqual([
        [{ 'Fn::GetAtt': ['PhoneNumber', 'Arn'] }, PROTECT_ARN],
      ]);
    }
    // SNS texts obey it only as the account default: the id is an output for that command.
    expect(template.Outputs.ProtectConfigurationId?.Value).toEqual(PROTECT_ID);
    expect(
      (template.Resources.SmsProtectConfiguration as Resource).Properties.DeletionProtectionEnabled,
    ).toBe(true);
  });
});

describe('packaging refuses a half-given number', () => {
  it('wants the E.164 number with the ARN, so alerts never go out from the placeholder', async () => {
    await expect(packageProd({ phoneNumberArn: EXISTING_NUMBER.phoneNumberArn })).rejects.toThrow(
      /phoneNumberArn needs serviceNumber/,
    );
  });

  it('refuses an allowed country that is no country, rather than block nothing', async () => {
    await expect(packageProd({ allowedCountries: 'US,ZZ' })).rejects.toThrow(/allowedCountries: ZZ/);
  });

  it('refuses an allowed country AWS does not document it can text, rather than fail the deploy', async () => {
    await expect(packageProd({ allowedCountries: 'US,EH' })).rejects.toThrow(
      /allowedCountries: EH is not a country AWS End User Messaging documents/,
    );
  });
});

/** AWS's CloudFormation linter: no errors (E) on either stack. Installed on CI and these machines. */
describe('cfn-lint', () => {
  const lint = (file: string) => {
    try {
      execFileSync('cfn-lint', ['--version'], { stdio: 'pipe' });
    } catch {
      throw new Error(
        'cfn-lint is not installed (pip install cfn-lint, see /work/shared/reference/toolchain.md): the template cannot be checked',
      );
    }
    try {
      execFileSync('cfn-lint', ['--format', 'parseable', file], { stdio: 'pipe', encoding: 'utf8' });
      return [];
    } catch (error) {
      // Exit codes: 2 errors, 4 warnings, 8 informational (or-ed); the findings are on stdout.
      const out = String((error as { stdout?: string }).stdout ?? '');
      if (!out.trim()) throw error;
      return out.split('\n').filter((line) => /:E\d{4}:/.test(line));
    }
  };

  it('finds no errors in the stack that requests its number', () => {
    expect(lint(created.file)).toEqual([]);
  });

  it('finds no errors in the stack on an existing number and a custom domain', () => {
    expect(lint(existing.file)).toEqual([]);
  });
});
