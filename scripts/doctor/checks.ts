/**
 * The checks `npm run doctor` runs: read-only questions to the AWS account (or the local stack) that
 * a first deploy depends on, each answered with a status and, when it is not ok, the fix. Takes its
 * clients from the caller, so unit tests hand it mocked ones.
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetAccountSettingsCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
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
  type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { GetSMSSandboxAccountStatusCommand, ListTopicsCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DescribeParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: Status;
  detail: string;
  /** What to do about it, when the status is not ok. */
  fix?: string;
}

export interface AwsClients {
  sts: STSClient;
  lambda: LambdaClient;
  sms: PinpointSMSVoiceV2Client;
  sns: SNSClient;
  ssm: SSMClient;
  cloudFormation: CloudFormationClient;
}

export interface AwsOptions {
  region: string;
  service: string;
  stage: string;
  /** Concurrency the deploy will reserve for the checker (param checkerReservedConcurrency); 0 = none. */
  reservedConcurrency: number;
  /** Checker invocations the dispatcher runs at once (param checkParallelism). */
  checkParallelism: number;
  secretParameter: string;
  /** From --param or the deployed stack. */
  phoneNumberArn?: string;
  clientId?: string;
}

/** Lambda keeps this much account concurrency unreserved; a reservation may not go below it. */
export const UNRESERVED_MINIMUM = 100;
/** Google's Web client ids: `<project number>-<random>.apps.googleusercontent.com`. */
export const CLIENT_ID_SHAPE = /^\d+-[a-z0-9]+\.apps\.googleusercontent\.com$/;

const errorName = (error: unknown) =>
  (error as { name?: string })?.name ?? (error instanceof Error ? error.message : String(error));

/** Runs one check; an AWS error becomes a failed check that names it, never a crash. */
async function attempt(name: string, fix: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `${errorName(error)}: ${(error as Error).message ?? ''}`.trim(),
      fix,
    };
  }
}

export function stackName(options: Pick<AwsOptions, 'service' | 'stage'>): string {
  return `${options.service}-${options.stage}`;
}

export async function checkCredentials(c: AwsClients, o: AwsOptions): Promise<CheckResult> {
  return attempt(
    'AWS credentials and region',
    'Run `aws configure` (or export AWS_PROFILE=...), then retry; pass --region to change the region.',
    async () => {
      const id = await c.sts.send(new GetCallerIdentityCommand({}));
      return {
        name: 'AWS credentials and region',
        status: 'ok',
        detail: `account ${id.Account} as ${id.Arn}, region ${o.region}`,
      };
    },
  );
}

export async function checkLambdaConcurrency(c: AwsClients, o: AwsOptions): Promise<CheckResult> {
  const name = 'Lambda concurrency quota';
  const raise =
    'Service Quotas console -> AWS Lambda -> Concurrent executions -> Request increase (1000 is the usual default), or: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value 1000';
  return attempt(name, raise, async () => {
    const { AccountLimit } = await c.lambda.send(new GetAccountSettingsCommand({}));
    const limit = AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = AccountLimit?.UnreservedConcurrentExecutions ?? limit;
    const detail = `quota ${limit}, unreserved ${unreserved}`;
    if (o.reservedConcurrency > 0 && unreserved - o.reservedConcurrency < UNRESERVED_MINIMUM)
      return {
        name,
        status: 'fail',
        detail: `${detail}: reserving ${o.reservedConcurrency} for the checker would leave fewer than ${UNRESERVED_MINIMUM} unreserved, and the deploy would fail`,
        fix: `Leave checkerReservedConcurrency empty (the default), or raise the quota to at least ${o.reservedConcurrency + UNRESERVED_MINIMUM}: ${raise}`,
      };
    // Sign-up pages, callbacks and inbound texts must still run while a check round fans out.
    if (limit < o.checkParallelism + 10)
      return {
        name,
        status: 'warn',
        detail: `${detail}: a check round runs up to ${o.checkParallelism} checkers at once and could throttle sign-ups`,
        fix: `Deploy with --param="checkParallelism=${Math.max(1, Math.floor(limit / 3))}" until the quota is raised: ${raise}`,
      };
    return { name, status: 'ok', detail };
  });
}

export async function checkSmsSpendLimit(c: AwsClients): Promise<CheckResult> {
  const name = 'SMS monthly spend limit';
  const fix =
    'End User Messaging SMS console -> Spend limits: set the SMS limit; above the account maximum, request an increase (Service Quotas or a support case, about a day).';
  return attempt(name, fix, async () => {
    const { SpendLimits } = await c.sms.send(new DescribeSpendLimitsCommand({}));
    const sms = SpendLimits?.find((l) => l.Name === 'TEXT_MESSAGE_MONTHLY_SPEND_LIMIT');
    if (!sms) return { name, status: 'warn', detail: 'no SMS spend limit reported', fix };
    if (!sms.EnforcedLimit)
      return {
        name,
        status: 'fail',
        detail: `$0 a month (account maximum $${sms.MaxLimit}): no text can be sent`,
        fix,
      };
    return { name, status: 'ok', detail: `$${sms.EnforcedLimit} a month (account maximum $${sms.MaxLimit})` };
  });
}

export async function checkSmsSandbox(c: AwsClients): Promise<CheckResult> {
  const name = 'SMS sandbox';
  const fix =
    'End User Messaging SMS console -> SMS -> Request production access (a support case, usually about a day). Until then add your own phone under Sandbox -> Destination phone numbers to test.';
  return attempt(name, fix, async () => {
    const [sns, sms] = await Promise.all([
      c.sns.send(new GetSMSSandboxAccountStatusCommand({})),
      c.sms.send(new DescribeAccountAttributesCommand({})),
    ]);
    const tier = sms.AccountAttributes?.find((a) => a.Name === 'ACCOUNT_TIER')?.Value ?? 'unknown';
    const sandboxed = sns.IsInSandbox === true || /sandbox/i.test(tier);
    const detail = `SNS ${sns.IsInSandbox ? 'in the sandbox' : 'out of the sandbox'}, End User Messaging tier ${tier}`;
    if (sandboxed)
      return {
        name,
        status: 'warn',
        detail: `${detail}: texts reach only verified destination numbers (10 at most)`,
        fix,
      };
    return { name, status: 'ok', detail };
  });
}

async function describeNumber(c: AwsClients, arn: string): Promise<PhoneNumberInformation | undefined> {
  const { PhoneNumbers } = await c.sms.send(new DescribePhoneNumbersCommand({ PhoneNumberIds: [arn] }));
  return PhoneNumbers?.[0];
}

/** The phone number: active, two-way pointed at the stack's inbound topic, registration, keywords. */
export async function checkPhoneNumber(
  c: AwsClients,
  o: AwsOptions,
  inboundTopicArn?: string,
): Promise<CheckResult[]> {
  if (!o.phoneNumberArn)
    return [
      {
        name: 'Phone number',
        status: 'skip',
        detail: 'no number yet: not deployed, and no --param="phoneNumberArn=..." given',
        fix: 'Request a number (README: SMS set-up) and pass its ARN, or deploy and let the stack request one.',
      },
    ];
  const arn = o.phoneNumberArn;
  let info: PhoneNumberInformation | undefined;
  try {
    info = await describeNumber(c, arn);
  } catch (error) {
    return [
      {
        name: 'Phone number',
        status: 'fail',
        detail: `${errorName(error)}: ${(error as Error).message}`,
        fix: 'Check the ARN and the region.',
      },
    ];
  }
  if (!info)
    return [
      {
        name: 'Phone number',
        status: 'fail',
        detail: `${arn} not found`,
        fix: 'Check the ARN and the region.',
      },
    ];
  const results: CheckResult[] = [numberStatus(info)];
  results.push(await checkRegistration(c, info));
  if (inboundTopicArn) {
    const twoWayFix = `aws pinpoint-sms-voice-v2 update-phone-number --phone-number-id ${arn} --two-way-enabled --two-way-channel-arn ${inboundTopicArn} --two-way-channel-role <InboundSmsPublisherRoleArn output>`;
    results.push(
      info.TwoWayEnabled && info.TwoWayChannelArn === inboundTopicArn
        ? { name: 'Two-way SMS', status: 'ok', detail: "replies go to the stack's inbound topic" }
        : {
            name: 'Two-way SMS',
            status: 'fail',
            detail: info.TwoWayEnabled
              ? `replies go to ${info.TwoWayChannelArn}, not the stack's inbound topic`
              : 'two-way SMS is off: replies are lost',
            fix: twoWayFix,
          },
    );
  }
  results.push(await checkOptOutList(c, info.OptOutListName ?? 'Default'));
  results.push(await checkKeywords(c, arn));
  return results;
}

function numberStatus(info: PhoneNumberInformation): CheckResult {
  const name = 'Phone number';
  // Only the last four digits: enough to recognise it, and what the logs show too.
  const shown = info.PhoneNumber ? `...${info.PhoneNumber.slice(-4)}` : '?';
  const what = `${info.NumberType} ${shown} (${info.IsoCountryCode}) is ${info.Status}`;
  if (info.Status === 'ACTIVE') return { name, status: 'ok', detail: what };
  if (info.Status === 'PENDING')
    return {
      name,
      status: 'warn',
      detail: `${what}: it cannot text until its registration is approved`,
      fix: 'Complete and submit its registration (below); US toll-free review takes up to 15 business days.',
    };
  return { name, status: 'fail', detail: what, fix: 'See the number in the End User Messaging SMS console.' };
}

async function checkRegistration(c: AwsClients, info: PhoneNumberInformation): Promise<CheckResult> {
  const name = 'Number registration';
  const fix =
    'End User Messaging SMS console -> Registrations: complete the registration for this number with the PrivacyUrl and TermsUrl stack outputs, then submit it.';
  if (!info.RegistrationId)
    return info.Status === 'ACTIVE'
      ? { name, status: 'ok', detail: 'none needed or already folded into the number' }
      : { name, status: 'warn', detail: 'no registration attached to this number', fix };
  const id = info.RegistrationId;
  return attempt(name, fix, async () => {
    const { Registrations } = await c.sms.send(new DescribeRegistrationsCommand({ RegistrationIds: [id] }));
    const status = Registrations?.[0]?.RegistrationStatus ?? 'UNKNOWN';
    if (status === 'COMPLETE') return { name, status: 'ok', detail: `${id} approved` };
    if (status === 'SUBMITTED' || status === 'REVIEWING')
      return {
        name,
        status: 'warn',
        detail: `${id} ${status}: under review (US toll-free: up to 15 business days)`,
        fix: 'Wait; nothing to do.',
      };
    return { name, status: 'fail', detail: `${id} ${status}`, fix };
  });
}

async function checkOptOutList(c: AwsClients, listName: string): Promise<CheckResult> {
  const name = 'Opt-out list';
  const fix = `The number uses opt-out list "${listName}": create it or point the number at an existing one (aws pinpoint-sms-voice-v2 describe-opt-out-lists).`;
  return attempt(name, fix, async () => {
    const { OptOutLists } = await c.sms.send(new DescribeOptOutListsCommand({ OptOutListNames: [listName] }));
    return OptOutLists?.length
      ? {
          name,
          status: 'ok',
          detail: `"${listName}" exists (STOP adds to it; START and DELETE take numbers off)`,
        }
      : { name, status: 'fail', detail: `"${listName}" not found`, fix };
  });
}

async function checkKeywords(c: AwsClients, arn: string): Promise<CheckResult> {
  const name = 'Keywords';
  const fix = `aws pinpoint-sms-voice-v2 put-keyword --origination-identity ${arn} --keyword START --keyword-action OPT_IN --keyword-message 'Fitbit Battery SMS: texts resumed. Reply HELP for help, STOP to end.'`;
  return attempt(name, fix, async () => {
    const { Keywords } = await c.sms.send(new DescribeKeywordsCommand({ OriginationIdentity: arn }));
    const start = Keywords?.find((k) => k.Keyword?.toUpperCase() === 'START');
    return start?.KeywordAction === 'OPT_IN'
      ? { name, status: 'ok', detail: 'START opts people back in' }
      : {
          name,
          status: 'warn',
          detail: 'START is not an opt-in keyword: people who texted STOP cannot resubscribe by text',
          fix,
        };
  });
}

export async function checkSecretParameter(c: AwsClients, o: AwsOptions): Promise<CheckResult> {
  const name = 'OAuth client secret in SSM';
  const fix = `aws ssm put-parameter --region ${o.region} --type SecureString --name ${o.secretParameter} --value 'GOCSPX-...'`;
  return attempt(name, fix, async () => {
    // Describe only: the doctor never reads the secret itself.
    const { Parameters } = await c.ssm.send(
      new DescribeParametersCommand({
        ParameterFilters: [{ Key: 'Name', Option: 'Equals', Values: [o.secretParameter] }],
      }),
    );
    const found = Parameters?.[0];
    if (!found) return { name, status: 'fail', detail: `${o.secretParameter} does not exist`, fix };
    if (found.Type !== 'SecureString')
      return {
        name,
        status: 'warn',
        detail: `${o.secretParameter} is a ${found.Type}, not encrypted`,
        fix: `${fix} --overwrite`,
      };
    return { name, status: 'ok', detail: `${o.secretParameter} (SecureString)` };
  });
}

export interface StackView {
  result: CheckResult;
  outputs: Record<string, string>;
}

/**
 * The alerts go out through SNS, and SNS texts obey a protect configuration only when it is the
 * account default, which CloudFormation cannot set (one-to-one texts name the stack's own). A warning,
 * not a failure: sign-ups already refuse other countries; this is the second lock, and it applies to
 * every SMS the account sends through SNS, which the operator must decide for a shared account.
 */
export async function checkAccountDefaultProtect(
  c: AwsClients,
  o: Pick<AwsOptions, 'region'>,
  protectId: string | undefined,
): Promise<CheckResult> {
  const name = 'SMS country rule for alerts';
  if (!protectId)
    return { name, status: 'skip', detail: 'no deployed stack to read its protect configuration from' };
  const fix = `aws pinpoint-sms-voice-v2 set-account-default-protect-configuration --protect-configuration-id ${protectId} --region ${o.region} (it then applies to every SMS this account sends through SNS)`;
  return attempt(name, fix, async () => {
    const { ProtectConfigurations } = await c.sms.send(
      new DescribeProtectConfigurationsCommand({ Filters: [{ Name: 'account-default', Values: ['true'] }] }),
    );
    const current = ProtectConfigurations?.find((p) => p.AccountDefault)?.ProtectConfigurationId;
    if (current === protectId)
      return { name, status: 'ok', detail: `${protectId} is the account default: SNS alerts obey it` };
    return {
      name,
      status: 'warn',
      detail: current
        ? `the account default is ${current}, not this stack's ${protectId}: SNS alerts follow that one's countries`
        : `no account default: SNS alerts obey no country rule (one-to-one texts obey ${protectId})`,
      fix,
    };
  });
}

export async function checkStack(c: AwsClients, o: AwsOptions): Promise<StackView> {
  const name = 'Deployed stack';
  const deploy = `npm run deploy -- --stage ${o.stage} --param="oauthClientId=..." --param="operatorEmail=..."`;
  try {
    const { Stacks } = await c.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName(o) }));
    const stack = Stacks?.[0];
    const outputs = Object.fromEntries(
      (stack?.Outputs ?? []).map((out) => [out.OutputKey ?? '', out.OutputValue ?? '']),
    );
    const status = stack?.StackStatus ?? 'UNKNOWN';
    const links = ['SignupUrl', 'OAuthRedirectUri', 'PrivacyUrl', 'TermsUrl']
      .filter((k) => outputs[k])
      .map((k) => `${k} ${outputs[k]}`);
    if (/_COMPLETE$/.test(status) && !/ROLLBACK|DELETE/.test(status))
      return {
        outputs,
        result: {
          name,
          status: 'ok',
          detail: `${stackName(o)} ${status}; ${links.join('; ')}`,
        },
      };
    return {
      outputs,
      result: {
        name,
        status: 'fail',
        detail: `${stackName(o)} ${status}`,
        fix: `See the stack's events in the CloudFormation console, then ${deploy}`,
      },
    };
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? ''))
      return {
        outputs: {},
        result: { name, status: 'warn', detail: `${stackName(o)} is not deployed yet`, fix: deploy },
      };
    return {
      outputs: {},
      result: {
        name,
        status: 'fail',
        detail: `${errorName(error)}: ${(error as Error).message}`,
        fix: 'Check the credentials allow cloudformation:DescribeStacks.',
      },
    };
  }
}

export async function checkClientId(c: AwsClients, o: AwsOptions): Promise<CheckResult> {
  const name = 'Google OAuth client id';
  const fix =
    'Google Cloud console -> APIs & Services -> Credentials -> OAuth client ID (Web application); deploy with --param="oauthClientId=<its client id>".';
  return attempt(name, fix, async () => {
    let id = o.clientId;
    let from = 'given';
    if (!id) {
      // The deployed functions carry it in their environment (it is not a secret).
      const config = await c.lambda
        .send(new GetFunctionConfigurationCommand({ FunctionName: `${o.service}-${o.stage}-pages` }))
        .catch(() => undefined);
      id = config?.Environment?.Variables?.OAUTH_CLIENT_ID;
      from = 'deployed';
    }
    if (!id) return { name, status: 'fail', detail: 'none given and none deployed', fix };
    if (!CLIENT_ID_SHAPE.test(id))
      return {
        name,
        status: 'fail',
        detail: `${from} "${id}" is not a Google Web client id (<number>-<id>.apps.googleusercontent.com)`,
        fix,
      };
    return { name, status: 'ok', detail: `${from} ${id}` };
  });
}

/** Every AWS check, in the order an operator fixes them. Stops after the credentials if those fail. */
export async function runAwsChecks(c: AwsClients, o: AwsOptions): Promise<CheckResult[]> {
  const credentials = await checkCredentials(c, o);
  if (credentials.status === 'fail') return [credentials];
  const stack = await checkStack(c, o);
  const withNumber = { ...o, phoneNumberArn: o.phoneNumberArn || stack.outputs.PhoneNumberArn };
  return [
    credentials,
    await checkLambdaConcurrency(c, o),
    await checkSmsSpendLimit(c),
    await checkSmsSandbox(c),
    ...(await checkPhoneNumber(c, withNumber, stack.outputs.InboundSmsTopicArn)),
    await checkAccountDefaultProtect(c, o, stack.outputs.ProtectConfigurationId),
    await checkSecretParameter(c, o),
    await checkClientId(c, o),
    stack.result,
  ];
}

export interface LocalClients {
  dynamo: DynamoDBClient;
  sns: SNSClient;
}

export interface LocalOptions {
  appUrl: string;
  tableName: string;
  topicNames: string[];
}

/** The local stack (`npm start`): the pages answer, the table and the topics exist. */
export async function runLocalChecks(c: LocalClients, o: LocalOptions): Promise<CheckResult[]> {
  const start = 'Start it with `npm start` (in another terminal), then retry.';
  const pages = await attempt('Local pages', start, async () => {
    const failing: string[] = [];
    for (const path of ['/', '/privacy', '/terms']) {
      const response = await fetch(new URL(path, o.appUrl));
      if (response.status !== 200) failing.push(`${path} ${response.status}`);
    }
    return failing.length
      ? { name: 'Local pages', status: 'fail', detail: failing.join(', '), fix: start }
      : { name: 'Local pages', status: 'ok', detail: `${o.appUrl} serves /, /privacy and /terms` };
  });
  const table = await attempt('Local table', start, async () => {
    const { Table } = await c.dynamo.send(new DescribeTableCommand({ TableName: o.tableName }));
    return { name: 'Local table', status: 'ok', detail: `${o.tableName} ${Table?.TableStatus}` };
  });
  const topics = await attempt('Local topics', start, async () => {
    const { Topics } = await c.sns.send(new ListTopicsCommand({}));
    const arns = (Topics ?? []).map((t) => t.TopicArn ?? '');
    const missing = o.topicNames.filter((name) => !arns.some((arn) => arn.endsWith(`:${name}`)));
    return missing.length
      ? { name: 'Local topics', status: 'fail', detail: `missing ${missing.join(', ')}`, fix: start }
      : { name: 'Local topics', status: 'ok', detail: o.topicNames.join(', ') };
  });
  return [pages, table, topics];
}

const MARK: Record<Status, string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** The checklist as the operator reads it: one line per check, the fix indented under it. */
export function formatChecklist(results: CheckResult[]): string {
  return results
    .map(
      (r) =>
        `${MARK[r.status]} ${r.name}: ${r.detail}${r.fix && r.status !== 'ok' ? `\n       fix: ${r.fix}` : ''}`,
    )
    .join('\n');
}
