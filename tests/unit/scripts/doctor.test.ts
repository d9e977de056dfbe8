/**
 * `npm run doctor`'s checks against mocked AWS clients: each answer the account can give maps to the
 * right status and a fix an operator can act on, and the doctor only ever reads.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetAccountSettingsCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import {
  DescribeAccountAttributesCommand,
  DescribeKeywordsCommand,
  DescribeOptOutListsCommand,
  DescribePhoneNumbersCommand,
  DescribeProtectConfigurationsCommand,
  DescribeRegistrationsCommand,
  DescribeSpendLimitsCommand,
  type PhoneNumberInformation,
  PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSMSSandboxAccountStatusCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseParams } from '../../../scripts/doctor';
import {
  type AwsOptions,
  type CheckResult,
  checkLambdaConcurrency,
  formatChecklist,
  runAwsChecks,
  runLocalChecks,
} from '../../../scripts/doctor/checks';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const sms = mockClient(PinpointSMSVoiceV2Client);
const sns = mockClient(SNSClient);
const ssm = mockClient(SSMClient);
const cfn = mockClient(CloudFormationClient);
const dynamo = mockClient(DynamoDBClient);

const REGION = 'us-east-1';
const NUMBER_ARN = 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-abc';
const INBOUND = 'arn:aws:sns:us-east-1:123456789012:fitbit-battery-sms-prod-inbound-sms';
const PROTECT = 'protect-0123456789abcdef0123456789abcdef';
/** A protect configuration as DescribeProtectConfigurations lists it. */
const protect = (id: string, accountDefault: boolean) => ({
  ProtectConfigurationId: id,
  ProtectConfigurationArn: `arn:aws:sms-voice:us-east-1:123456789012:protect-configuration/${id}`,
  AccountDefault: accountDefault,
  DeletionProtectionEnabled: true,
  CreatedTimestamp: new Date(0),
});
const clients = () => ({
  sts: new STSClient({ region: REGION }),
  lambda: new LambdaClient({ region: REGION }),
  sms: new PinpointSMSVoiceV2Client({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
  ssm: new SSMClient({ region: REGION }),
  cloudFormation: new CloudFormationClient({ region: REGION }),
});
const options = (more: Partial<AwsOptions> = {}): AwsOptions => ({
  region: REGION,
  service: 'fitbit-battery-sms',
  stage: 'prod',
  reservedConcurrency: 0,
  checkParallelism: 10,
  secretParameter: '/fitbit-battery-sms/prod/oauth-client-secret',
  ...more,
});
const named = (results: CheckResult[], name: string) => {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no check named ${name}: ${results.map((r) => r.name).join(', ')}`);
  return found;
};

/** The stack's number, active, registered and two-way to the inbound topic. */
const NUMBER: PhoneNumberInformation = {
  PhoneNumberArn: NUMBER_ARN,
  PhoneNumber: '+18885550123',
  Status: 'ACTIVE',
  IsoCountryCode: 'US',
  NumberType: 'TOLL_FREE',
  TwoWayEnabled: true,
  TwoWayChannelArn: INBOUND,
  OptOutListName: 'Default',
  RegistrationId: 'registration-1',
  MessageType: 'TRANSACTIONAL',
  NumberCapabilities: ['SMS'],
  MonthlyLeasingPrice: '2.00',
  SelfManagedOptOutsEnabled: false,
  DeletionProtectionEnabled: true,
  CreatedTimestamp: new Date(0),
};

/** An account where everything is ready: production SMS, an active registered number, a deployed stack. */
function healthyAccount() {
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/op' });
  lambda.on(GetAccountSettingsCommand).resolves({
    AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 },
  });
  lambda.on(GetFunctionConfigurationCommand).resolves({
    Environment: { Variables: { OAUTH_CLIENT_ID: '123456789012-abc123def.apps.googleusercontent.com' } },
  });
  sms.on(DescribeSpendLimitsCommand).resolves({
    SpendLimits: [
      { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 50, MaxLimit: 100, Overridden: true },
    ],
  });
  sms
    .on(DescribeAccountAttributesCommand)
    .resolves({ AccountAttributes: [{ Name: 'ACCOUNT_TIER', Value: 'PRODUCTION' }] });
  sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: false });
  sms.on(DescribePhoneNumbersCommand).resolves({ PhoneNumbers: [NUMBER] });
  sms.on(DescribeRegistrationsCommand).resolves({
    Registrations: [
      {
        RegistrationId: 'registration-1',
        RegistrationArn: 'arn:registration-1',
        RegistrationType: 'US_TOLL_FREE_REGISTRATION',
        RegistrationStatus: 'COMPLETE',
        CurrentVersionNumber: 1,
        CreatedTimestamp: new Date(0),
      },
    ],
  });
  sms.on(DescribeOptOutListsCommand).resolves({
    OptOutLists: [{ OptOutListName: 'Default', OptOutListArn: 'arn:optout', CreatedTimestamp: new Date(0) }],
  });
  sms.on(DescribeKeywordsCommand).resolves({
    Keywords: [{ Keyword: 'START', KeywordMessage: 'resumed', KeywordAction: 'OPT_IN' }],
  });
  sms.on(DescribeProtectConfigurationsCommand).resolves({ ProtectConfigurations: [protect(PROTECT, true)] });
  ssm.on(DescribeParametersCommand).resolves({
    Parameters: [{ Name: '/fitbit-battery-sms/prod/oauth-client-secret', Type: 'SecureString' }],
  });
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'fitbit-battery-sms-prod',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(0),
        Outputs: [
          { OutputKey: 'SignupUrl', OutputValue: 'https://battery.example.com/' },
          { OutputKey: 'OAuthRedirectUri', OutputValue: 'https://battery.example.com/oauth/callback' },
          { OutputKey: 'PhoneNumberArn', OutputValue: NUMBER_ARN },
          { OutputKey: 'InboundSmsTopicArn', OutputValue: INBOUND },
          { OutputKey: 'ProtectConfigurationId', OutputValue: PROTECT },
        ],
      },
    ],
  });
}

beforeEach(() => {
  for (const mock of [sts, lambda, sms, sns, ssm, cfn, dynamo]) mock.reset();
});

describe('doctor against an AWS account', () => {
  it('passes every check on a ready account and prints the sign-up URL and the redirect URI', async () => {
    healthyAccount();

    const results = await runAwsChecks(clients(), options());

    expect(results.filter((r) => r.status !== 'ok')).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      'AWS credentials and region',
      'Lambda concurrency quota',
      'SMS monthly spend limit',
      'SMS sandbox',
      'Phone number',
      'Number registration',
      'Two-way SMS',
      'Opt-out list',
      'Keywords',
      'SMS country rule for alerts',
      'OAuth client secret in SSM',
      'Google OAuth client id',
      'Deployed stack',
    ]);
    const out = formatChecklist(results);
    expect(out).toContain('https://battery.example.com/oauth/callback');
    expect(out).toContain('https://battery.example.com/');
    // The number is recognisable, not printed whole.
    expect(out).not.toContain('+18885550123');
    expect(out).toContain('...0123');
  });

  it('reads and never writes: no command it sends changes anything, and the secret is never fetched', async () => {
    healthyAccount();

    await runAwsChecks(clients(), options());

    const sent = [sts, lambda, sms, sns, ssm, cfn].flatMap((m) =>
      m.calls().map((c) => c.args[0].constructor.name),
    );
    expect(sent.length).toBeGreaterThan(10);
    for (const name of sent) expect(name).toMatch(/^(Get|Describe|List)\w+Command$/);
    expect(ssm).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it("warns, with the one command, when the stack's country rule is not the account default SNS texts obey", async () => {
    healthyAccount();
    sms.on(DescribeProtectConfigurationsCommand).resolves({ ProtectConfigurations: [] });

    const none = named(await runAwsChecks(clients(), options()), 'SMS country rule for alerts');

    expect(sms).toHaveReceivedCommandWith(DescribeProtectConfigurationsCommand, {
      Filters: [{ Name: 'account-default', Values: ['true'] }],
    });
    expect(none.status).toBe('warn');
    expect(none.detail).toContain('no account default');
    expect(none.fix).toContain(
      `aws pinpoint-sms-voice-v2 set-account-default-protect-configuration --protect-configuration-id ${PROTECT} --region us-east-1`,
    );

    sms.on(DescribeProtectConfigurationsCommand).resolves({
      ProtectConfigurations: [protect('protect-someone-else', true)],
    });
    const other = named(await runAwsChecks(clients(), options()), 'SMS country rule for alerts');
    expect(other.status).toBe('warn');
    expect(other.detail).toContain('protect-someone-else');
  });

  it('stops at missing credentials with the fix, asking nothing else', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }));

    const results = await runAwsChecks(clients(), options());

    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', fix: expect.stringContaining('aws configure') });
    expect(lambda.calls()).toHaveLength(0);
  });

  it('fails a reservation that would leave fewer than 100 unreserved, and says how to raise the quota', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({
      AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 },
    });

    const reserving = await checkLambdaConcurrency(clients(), options({ reservedConcurrency: 20 }));
    const notReserving = await checkLambdaConcurrency(clients(), options());

    expect(reserving.status).toBe('fail');
    expect(reserving.fix).toContain('Leave checkerReservedConcurrency empty');
    expect(reserving.fix).toContain('service-quotas request-service-quota-increase');
    // Without a reservation the deploy works; a quota of 10 is still too small for 10 checkers at once.
    expect(notReserving.status).toBe('warn');
    expect(notReserving.fix).toContain('checkParallelism=3');
  });

  it('warns about the sandbox and a pending number under review, and fails a zero spend limit', async () => {
    healthyAccount();
    sns.on(GetSMSSandboxAccountStatusCommand).resolves({ IsInSandbox: true });
    sms
      .on(DescribeAccountAttributesCommand)
      .resolves({ AccountAttributes: [{ Name: 'ACCOUNT_TIER', Value: 'SANDBOXED' }] });
    sms.on(DescribeSpendLimitsCommand).resolves({
      SpendLimits: [
        { Name: 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT', EnforcedLimit: 0, MaxLimit: 1, Overridden: false },
      ],
    });
    sms.on(DescribePhoneNumbersCommand).resolves({ PhoneNumbers: [{ ...NUMBER, Status: 'PENDING' }] });
    sms.on(DescribeRegistrationsCommand).resolves({
      Registrations: [{ RegistrationId: 'registration-1', RegistrationStatus: 'REVIEWING' } as never],
    });

    const results = await runAwsChecks(clients(), options());

    expect(named(results, 'SMS sandbox')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('production access'),
    });
    expect(named(results, 'Phone number')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('PENDING'),
    });
    expect(named(results, 'Number registration')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('REVIEWING'),
    });
    expect(named(results, 'SMS monthly spend limit').status).toBe('fail');
  });

  it('fails two-way SMS pointed elsewhere, a missing START keyword and a missing secret, each with its command', async () => {
    healthyAccount();
    sms.on(DescribePhoneNumbersCommand).resolves({ PhoneNumbers: [{ ...NUMBER, TwoWayEnabled: false }] });
    sms.on(DescribeKeywordsCommand).resolves({ Keywords: [] });
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });

    const results = await runAwsChecks(clients(), options());

    expect(named(results, 'Two-way SMS').fix).toContain(
      `update-phone-number --phone-number-id ${NUMBER_ARN}`,
    );
    expect(named(results, 'Keywords')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('--keyword START --keyword-action OPT_IN'),
    });
    expect(named(results, 'OAuth client secret in SSM')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(
        'aws ssm put-parameter --region us-east-1 --type SecureString --name /fitbit-battery-sms/prod/oauth-client-secret',
      ),
    });
  });

  it('before the first deploy: the stack is not there yet, the number is skipped, a given client id is checked', async () => {
    healthyAccount();
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id fitbit-battery-sms-prod does not exist'), {
        name: 'ValidationError',
      }),
    );

    const results = await runAwsChecks(clients(), options({ clientId: 'my-client-id' }));

    expect(named(results, 'Deployed stack')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('npm run deploy -- --stage prod'),
    });
    expect(named(results, 'Phone number').status).toBe('skip');
    expect(named(results, 'Google OAuth client id')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('my-client-id'),
    });
    expect(lambda).not.toHaveReceivedCommand(GetFunctionConfigurationCommand);
  });

  it('turns any AWS error into a failed check that names it, and runs the other checks', async () => {
    healthyAccount();
    sms
      .on(DescribeSpendLimitsCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));

    const results = await runAwsChecks(clients(), options());

    expect(named(results, 'SMS monthly spend limit')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('AccessDeniedException'),
    });
    expect(named(results, 'Deployed stack').status).toBe('ok');
  });
});

describe('doctor --local', () => {
  let server: Server;
  let appUrl: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/terms' ? 404 : 200;
      res.end('page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('checks the pages over HTTP, the table and both topics', async () => {
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    sns
      .on(ListTopicsCommand)
      .resolves({ Topics: [{ TopicArn: 'arn:aws:sns:us-east-1:000000000000:app-dev-new-subscriber' }] });

    const results = await runLocalChecks(
      { dynamo: new DynamoDBClient({ region: REGION }), sns: new SNSClient({ region: REGION }) },
      { appUrl, tableName: 'app-dev', topicNames: ['app-dev-new-subscriber', 'app-dev-inbound-sms'] },
    );

    expect(named(results, 'Local pages')).toMatchObject({ status: 'fail', detail: '/terms 404' });
    expect(named(results, 'Local table').status).toBe('ok');
    expect(named(results, 'Local topics')).toMatchObject({
      status: 'fail',
      detail: 'missing app-dev-inbound-sms',
    });
  });
});

describe('parseParams', () => {
  it('reads --param values the way sls takes them, and refuses one without a name', () => {
    expect(parseParams(['checkerReservedConcurrency=20', 'oauthClientId=a=b'])).toEqual({
      checkerReservedConcurrency: '20',
      oauthClientId: 'a=b',
    });
    expect(() => parseParams(['=x'])).toThrow(/name=value/);
  });
});
