/**
 * `npm run doctor`: a read-only preflight before and after `npm run deploy`. Asks the AWS account
 * (or, with --local, the local stack) what a working deploy depends on and prints a checklist with
 * a fix for each problem. Exits 1 when a check failed; warnings (for example a number still pending
 * registration) do not fail it.
 *
 *   npm run doctor -- --stage prod [--region us-east-1] [--param="checkerReservedConcurrency=20"] ...
 *   npm run doctor -- --local
 *   GOOGLE_ACCESS_TOKEN=$(gcloud auth print-access-token) \
 *     npm run doctor -- --stage prod --fix --google-project <project id>
 *
 * --fix also registers the deployed webhook endpoint with Google (faster alerts; scripts/doctor/webhook.ts).
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { localConfig, topicName } from '../local/local-config';
import { type CheckResult, checkStack, formatChecklist, runAwsChecks, runLocalChecks } from './doctor/checks';
import { fixWebhookSubscriber } from './doctor/webhook';

const SERVICE = 'fitbit-battery-sms';

/** `--param="name=value"`, the way `sls deploy` takes them, so one command line serves both. */
export function parseParams(values: string[]): Record<string, string> {
  return Object.fromEntries(
    values.map((value) => {
      const at = value.indexOf('=');
      if (at < 1) throw new Error(`--param takes name=value, got "${value}"`);
      return [value.slice(0, at), value.slice(at + 1)];
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      stage: { type: 'string', default: 'prod' },
      region: { type: 'string' },
      param: { type: 'string', multiple: true, default: [] },
      fix: { type: 'boolean', default: false },
      'google-project': { type: 'string' },
      'subscriber-id': { type: 'string', default: 'battery-sms' },
    },
  });
  let results: CheckResult[];
  if (values.local) {
    const cfg = localConfig();
    // The local stack accepts any credentials; the SDK only needs some.
    const local = { region: cfg.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    results = await runLocalChecks(
      {
        dynamo: new DynamoDBClient({ ...local, endpoint: `http://${cfg.host}:${cfg.dynamoPort}` }),
        sns: new SNSClient({ ...local, endpoint: `http://${cfg.host}:${cfg.snsPort}` }),
      },
      {
        appUrl: `http://${cfg.host}:${cfg.httpPort}/`,
        tableName: `${cfg.service}-${cfg.stage}`,
        topicNames: [topicName(cfg, 'new-subscriber'), topicName(cfg, 'inbound-sms')],
      },
    );
  } else {
    const params = parseParams(values.param);
    const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
    const stage = values.stage;
    const client = { region };
    const clients = {
      sts: new STSClient(client),
      lambda: new LambdaClient(client),
      sms: new PinpointSMSVoiceV2Client(client),
      sns: new SNSClient(client),
      ssm: new SSMClient(client),
      cloudFormation: new CloudFormationClient(client),
    };
    const webhookSecretParameter = params.webhookSecretParameter || `/${SERVICE}/${stage}/webhook-secret`;
    const options = {
      region,
      service: SERVICE,
      stage,
      reservedConcurrency: Number(params.checkerReservedConcurrency || 0),
      checkParallelism: Number(params.checkParallelism || 10),
      secretParameter: params.oauthClientSecretParameter || `/${SERVICE}/${stage}/oauth-client-secret`,
      phoneNumberArn: params.phoneNumberArn || undefined,
      clientId: params.oauthClientId || undefined,
      webhookSecretParameter,
    };
    results = await runAwsChecks(clients, options);
    if (values.fix) {
      results.push(
        await registerWebhook({
          project: values['google-project'],
          subscriberId: values['subscriber-id'],
          endpointUri: (await checkStack(clients, options)).outputs.WebhookUrl,
          // Read only to hand it to Google; never printed.
          secret: async () =>
            (
              await clients.ssm.send(
                new GetParameterCommand({ Name: webhookSecretParameter, WithDecryption: true }),
              )
            ).Parameter?.Value,
          apiUrl: params.healthApiUrl || 'https://health.googleapis.com',
        }),
      );
    }
  }
  console.log(formatChecklist(results));
  const failed = results.filter((r) => r.status === 'fail').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  console.log(`\n${failed} failed, ${warned} to watch, ${results.length - failed - warned} ok or skipped`);
  return failed ? 1 : 0;
}

/** --fix: the webhook subscriber on Google, once the project, endpoint, secret and token are known. */
async function registerWebhook(o: {
  project?: string;
  subscriberId: string;
  endpointUri?: string;
  secret: () => Promise<string | undefined>;
  apiUrl: string;
}): Promise<CheckResult> {
  const name = 'Google Health webhook subscriber';
  const accessToken = process.env.GOOGLE_ACCESS_TOKEN;
  if (!o.project)
    return {
      name,
      status: 'fail',
      detail: 'no Google Cloud project given',
      fix: 'Pass --google-project <project id>.',
    };
  if (!accessToken)
    return {
      name,
      status: 'fail',
      detail: 'no Google access token',
      fix: 'GOOGLE_ACCESS_TOKEN=$(gcloud auth print-access-token) npm run doctor -- --fix ... (a principal with a Google Health API role)',
    };
  if (!o.endpointUri)
    return {
      name,
      status: 'fail',
      detail: 'the stack has no WebhookUrl output',
      fix: 'Deploy first (npm run deploy).',
    };
  const secret = await o.secret().catch(() => undefined);
  if (!secret)
    return {
      name,
      status: 'fail',
      detail: 'the webhook secret is not in SSM',
      fix: `aws ssm put-parameter --type SecureString --name /${SERVICE}/<stage>/webhook-secret --value "Bearer $(openssl rand -hex 32)"`,
    };
  return fixWebhookSubscriber({ ...o, project: o.project, endpointUri: o.endpointUri, secret, accessToken });
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`doctor: ${error instanceof Error ? error.message : error}`);
      process.exit(2);
    },
  );
}
