/**
 * `npm start`: the whole product on this machine, no AWS or Google account needed. Starts embedded
 * DynamoDB, the sandbox (Google/Fitbit emulator + phone network), a local SNS, a local SSM, and
 * serverless-offline. Each function runs with the environment of the packaged CloudFormation template
 * (only endpoints and credentials replaced) and signs its AWS calls with its own local identity; an
 * IAM gateway in front of every emulator enforces the template's roles and topic policies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config';
import { ensureTables, startDynamo } from './dynamo';
import {
  Authorizer,
  functionAccessKeyId,
  LOCAL_ADMIN_ACCESS_KEY_ID,
  LOCAL_SECRET_ACCESS_KEY,
} from './iam/authorizer';
import { type GatewayContext, type ServiceName, startGateway } from './iam/gateway';
import {
  type CfnTemplate,
  type LocalWorld,
  localPhoneNumberArn,
  packagedTemplate,
  serviceRoles,
  type TemplateFunction,
  templateFunctions,
  topicPolicies,
} from './iam/template';
import {
  deployParams,
  functionName,
  type LocalConfig,
  localConfig,
  sandboxProviderEnv,
  topicArn,
  topicName,
} from './local-config';
import { startSandbox } from './sandbox';
import { smsKeywordSettings, smsProtectConfigurations, snsSubscriptions } from './serverless-config';
import { type LocalSns, startLocalSns } from './sns';
import { startLocalSsm } from './ssm';
import { ensureWebhookSubscriber } from './webhook-subscriber';

const ROOT = resolve(__dirname, '..');

/** The params a deployer passes (README: Deploy); everything else is the template's own default. */
export { deployParams };

export interface LocalEndpoints {
  dynamodb: string;
  sns: string;
  sms: string;
  ssm: string;
  lambda: string;
  sandbox: string;
}

/**
 * A function's environment on the local stack: the template's, with endpoints pointed at the local
 * emulators and the function's own local credentials. Nothing else changes, so a variable that would
 * be empty or wrong on AWS is empty or wrong here.
 */
export function localFunctionEnvironment(
  fn: Pick<TemplateFunction, 'key' | 'environment'>,
  endpoints: LocalEndpoints,
  region: string,
): Record<string, string> {
  return {
    ...fn.environment,
    DYNAMODB_ENDPOINT: endpoints.dynamodb,
    SNS_ENDPOINT: endpoints.sns,
    SMS_ENDPOINT: endpoints.sms,
    LAMBDA_ENDPOINT: endpoints.lambda,
    ...sandboxProviderEnv(endpoints.sandbox),
    // Lambda reserves AWS_* names: these exist only locally, never in the template.
    AWS_ENDPOINT_URL_SSM: endpoints.ssm,
    // What Lambda sets for an on-demand function; Powertools reads it to tell a cold start in the logs.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_ACCESS_KEY_ID: functionAccessKeyId(fn.key),
    AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
}

/** serverless-offline's own process: no credentials of the developer's may leak into handlers. */
function offlineProcessEnv(environmentFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'local-offline-no-access',
    AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
    LOCAL_FUNCTION_ENVIRONMENT: environmentFile,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
}

async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((r, j) => {
    server.once('error', j);
    server.listen(0, host, () => r());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** One line per function whose environment src/config.ts would reject at cold start. */
export function environmentProblems(functions: { key: string; env: Record<string, string> }[]): string[] {
  const problems: string[] = [];
  for (const { key, env } of functions) {
    try {
      loadConfig(env);
    } catch (error) {
      problems.push(`${key}: ${(error as Error).message}`);
    }
  }
  return problems;
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export interface LocalStack {
  urls: Record<string, string>;
  /** Every AWS call the IAM gateways decided, in order: who, what, on what, allowed or not. */
  iamCalls(): IamCall[];
  /**
   * Resolves when every webhook notification the sandbox sent (retries included), every SNS delivery
   * the stack started, and the functions it invoked, has finished.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  /** Tests only: changes the packaged template before the stack reads it (e.g. drops a statement). */
  editTemplate?: (template: CfnTemplate) => void;
}

export async function startLocalStack(
  cfg: LocalConfig = localConfig(),
  log = console.log,
  options: LocalStackOptions = {},
): Promise<LocalStack> {
  const quiet = (line: string) => {
    if (cfg.logLevel === 'DEBUG') log(line);
  };
  const dataDir = resolve(ROOT, cfg.dataDir);
  // What has started so far, closed again if a later part fails (a port in use, say): a failed
  // start must not leave servers behind that keep the process (or a test runner) alive.
  const started: Array<() => Promise<void>> = [];
  const closeStarted = () => Promise.allSettled(started.reverse().map((close) => close()));
  try {
    return await startParts(cfg, log, quiet, dataDir, started, options);
  } catch (error) {
    await closeStarted();
    throw error;
  }
}

export interface IamCall {
  caller: string;
  action: string;
  resource: string;
  allowed: boolean;
}

async function startParts(
  cfg: LocalConfig,
  log: (line: string) => void,
  quiet: (line: string) => void,
  dataDir: string,
  started: Array<() => Promise<void>>,
  options: LocalStackOptions,
): Promise<LocalStack> {
  const world: LocalWorld = {
    region: cfg.region,
    accountId: cfg.accountId,
    stackName: `${cfg.service}-${cfg.stage}`,
    apiUrl: `http://${cfg.host}:${cfg.httpPort}`,
    serviceNumber: cfg.serviceNumber,
  };
  const template = await packagedTemplate(ROOT, cfg.stage, deployParams(cfg), log);
  options.editTemplate?.(template);
  const functions = templateFunctions(template, world);
  const iamCalls: IamCall[] = [];
  const authorizer = new Authorizer({
    region: cfg.region,
    accountId: cfg.accountId,
    functions,
    serviceRoles: serviceRoles(template, world),
    resourcePolicies: topicPolicies(template, world),
    onDecision: (call) => {
      iamCalls.push(call);
      const line = `[iam] ${call.caller} ${call.action} ${call.resource}: ${call.allowed ? 'allowed' : 'DENIED'}`;
      if (call.allowed) quiet(line);
      else log(line);
    },
  });
  const gatewayContext: GatewayContext = {
    region: cfg.region,
    accountId: cfg.accountId,
    phoneNumberArn: localPhoneNumberArn(world),
    serviceNumber: cfg.serviceNumber,
  };
  const gateway = async (service: ServiceName, upstream: string, port?: number) => {
    const g = await startGateway({
      service,
      upstream,
      authorizer,
      context: gatewayContext,
      host: cfg.host,
      port,
      log,
    });
    started.push(() => g.close());
    return g.url;
  };

  const dynamo = await startDynamo({ host: cfg.host, port: 0, path: join(dataDir, 'dynamodb') });
  started.push(() => dynamo.close());
  await ensureTables(dynamo.endpoint, ROOT, cfg.stage);

  // The secrets a deployer puts in SSM (README: Deploy), under the names the template gives.
  const namesOf = (variable: string) =>
    new Set(functions.map((f) => f.environment[variable]).filter((n): n is string => Boolean(n)));
  const ssm = await startLocalSsm({
    host: cfg.host,
    region: cfg.region,
    accountId: cfg.accountId,
    secureStrings: {
      ...Object.fromEntries([...namesOf('OAUTH_CLIENT_SECRET_PARAMETER')].map((n) => [n, cfg.clientSecret])),
      ...Object.fromEntries([...namesOf('WEBHOOK_SECRET_PARAMETER')].map((n) => [n, cfg.webhookSecret])),
    },
  });
  started.push(() => ssm.close());

  const inboundTopic = topicArn(cfg, topicName(cfg, 'inbound-sms'));
  // End User Messaging publishes inbound texts through the role the template gives it (ChannelRole).
  const smsService = authorizer.serviceIdentity('sms-voice.amazonaws.com');
  let sns: LocalSns | undefined;
  const sandbox = await startSandbox({
    keywords: smsKeywordSettings(template),
    protectConfigurations: smsProtectConfigurations(template),
    host: cfg.host,
    port: cfg.sandboxPort,
    dataDir,
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    serviceNumber: cfg.serviceNumber,
    stage: cfg.stage,
    publishInbound: async (payload) => {
      if (!sns) throw new Error('local SNS is not running');
      const decision = await authorizer.authorize(smsService, 'sns:Publish', inboundTopic);
      if (!decision.allowed) throw new Error(decision.message);
      await sns.publish(inboundTopic, payload);
    },
    onOptOutChange: (phone, optedOut) => (optedOut ? sns?.optOut(phone) : sns?.optIn(phone)),
    log: quiet,
  });
  started.push(() => sandbox.close());

  // serverless-offline's Lambda API listens inside; callers reach it through the IAM gateway.
  const offlineLambdaPort = await freePort(cfg.host);
  sns = await startLocalSns({
    host: cfg.host,
    port: 0,
    region: cfg.region,
    accountId: cfg.accountId,
    // SNS delivers to its subscribed functions as a service (Lambda's resource policy allows it).
    lambdaEndpoint: `http://${cfg.host}:${offlineLambdaPort}`,
    lambdaSubscriptions: snsSubscriptions(ROOT, cfg.stage),
    dataDir,
    smsSink: (to, body) => {
      sandbox.phones.deliver(to, body);
    },
    log: quiet,
  });
  const localSns = sns;
  started.push(() => localSns.close());
  for (const phone of sandbox.phones.optedOutNumbers()) sns.optOut(phone);

  const endpoints: LocalEndpoints = {
    dynamodb: await gateway('dynamodb', dynamo.endpoint, cfg.dynamoPort),
    sns: await gateway('sns', sns.url, cfg.snsPort),
    sms: await gateway('sms-voice', sandbox.url),
    ssm: await gateway('ssm', ssm.url),
    lambda: await gateway('lambda', `http://${cfg.host}:${offlineLambdaPort}`, cfg.lambdaPort),
    sandbox: sandbox.url,
  };
  const environments = Object.fromEntries(
    functions.map((fn) => [fn.key, localFunctionEnvironment(fn, endpoints, cfg.region)]),
  );
  const problems = environmentProblems(Object.entries(environments).map(([key, env]) => ({ key, env })));
  if (problems.length > 0) {
    throw new Error(
      `the packaged template gives functions an environment they reject at cold start (as they would on AWS):\n  ${problems.join('\n  ')}`,
    );
  }
  const environmentFile = join(dataDir, 'function-environments.json');
  writeFileSync(environmentFile, JSON.stringify(environments, null, 2));

  const args = [
    join(ROOT, 'node_modules/osls/bin/serverless.js'),
    'offline',
    'start',
    '--stage',
    cfg.stage,
    '--httpPort',
    String(cfg.httpPort),
    '--lambdaPort',
    String(offlineLambdaPort),
    ...Object.entries(deployParams(cfg)).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
  ];
  const offline = spawn(process.execPath, args, {
    cwd: ROOT,
    env: offlineProcessEnv(environmentFile),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') log(`[offline] ${line}`);
  };
  offline.stdout?.on('data', prefix);
  offline.stderr?.on('data', prefix);

  const stopOffline = async () => {
    if (offline.exitCode !== null) return;
    offline.kill('SIGTERM');
    await new Promise((r) => {
      const timer = setTimeout(() => {
        offline.kill('SIGKILL');
        r(undefined);
      }, 5000);
      offline.once('exit', () => {
        clearTimeout(timer);
        r(undefined);
      });
    });
  };
  started.push(stopOffline);
  const stop = async () => {
    // Last in, first out: offline, then the gateways, then what they front.
    await Promise.allSettled([...started].reverse().map((close) => close()));
  };

  const app = world.apiUrl;
  await waitForHttp(`${app}/style.css`, offline, 120_000);
  // Google's management API verifies the endpoint before it accepts it, so this needs the API up.
  const subscriber = await ensureWebhookSubscriber({
    apiUrl: sandbox.url,
    project: cfg.webhookProject,
    subscriberId: cfg.webhookSubscriberId,
    endpointUri: `${app}/webhooks/google-health`,
    secret: cfg.webhookSecret,
    accessToken: 'local-admin',
  });
  if (!subscriber.ok)
    log(
      `[webhooks] the sandbox did not accept ${app}/webhooks/google-health as a subscriber: ${subscriber.error}`,
    );
  return {
    urls: {
      'Sign-up page': `${app}/`,
      'Lambda invoke API': endpoints.lambda,
      'Sandbox (Google, Fitbit, phones)': `${sandbox.url}/sandbox`,
      'Sandbox phone': `${sandbox.url}/sandbox/phone`,
      'Sandbox devices': `${sandbox.url}/sandbox/devices`,
      'Webhook subscriber': subscriber.ok ? subscriber.name : 'none (see the [webhooks] line above)',
      'Local SNS API': endpoints.sns,
      'Local DynamoDB': endpoints.dynamodb,
      'Poll now': `AWS_ACCESS_KEY_ID=${LOCAL_ADMIN_ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY=local aws lambda invoke --region ${cfg.region} --endpoint-url ${endpoints.lambda} --function-name ${functionName(cfg, 'pollBatteries')} --payload '{"force":true}' /dev/stdout`,
    },
    iamCalls: () => [...iamCalls],
    settled: async () => {
      // Webhook notifications (and their retries) first: what they start ends in SNS deliveries.
      await sandbox.webhooksSettled();
      await localSns.settled();
    },
    stop,
  };
}

if (require.main === module) {
  const cfg = localConfig();
  startLocalStack(cfg)
    .then((stack) => {
      console.log('\nfitbit-battery-sms local stack is up:\n');
      for (const [name, url] of Object.entries(stack.urls)) console.log(`  ${name.padEnd(34)} ${url}`);
      console.log(`\nData is kept in ${cfg.dataDir}/. Press Ctrl-C to stop.\n`);
      let stopping = false;
      const shutdown = () => {
        if (stopping) return;
        stopping = true;
        console.log('\nStopping...');
        stack.stop().then(() => process.exit(0));
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
    })
    .catch((error) => {
      console.error(`Local stack failed to start: ${error instanceof Error ? error.message : error}`);
      process.exit(1);
    });
}
