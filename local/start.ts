/**
 * `npm start`: the whole product on this machine, no AWS or Google account needed. Starts embedded
 * DynamoDB, the sandbox (Google/Fitbit emulator + phone network), a local SNS, and serverless-offline
 * pointed at them; prints the URLs; Ctrl-C stops everything it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ensureTables, startDynamo } from './dynamo';
import { functionName, type LocalConfig, localConfig, topicArn, topicName } from './local-config';
import { startSandbox } from './sandbox';
import { snsSubscriptions } from './serverless-config';
import { type LocalSns, startLocalSns } from './sns';

const ROOT = resolve(__dirname, '..');

/** The serverless.yml params that point the deployed code at the local stack instead of AWS/Google. */
export function offlineParams(cfg: LocalConfig, sandboxUrl: string, snsUrl: string, dynamoUrl: string) {
  return {
    provider: cfg.provider,
    localServiceNumber: cfg.serviceNumber,
    oauthClientId: cfg.clientId,
    oauthClientSecret: cfg.clientSecret,
    logLevel: cfg.logLevel,
    publicBaseUrl: `http://${cfg.host}:${cfg.httpPort}`,
    newSubscriberTopicArn: topicArn(cfg, topicName(cfg, 'new-subscriber')),
    dynamodbEndpoint: dynamoUrl,
    snsEndpoint: snsUrl,
    smsEndpoint: sandboxUrl,
    lambdaEndpoint: `http://${cfg.host}:${cfg.lambdaPort}`,
    googleAuthUrl: `${sandboxUrl}/o/oauth2/v2/auth`,
    googleTokenUrl: `${sandboxUrl}/token`,
    googleRevokeUrl: `${sandboxUrl}/revoke`,
    healthApiUrl: sandboxUrl,
    fitbitAuthUrl: `${sandboxUrl}/oauth2/authorize`,
    fitbitTokenUrl: `${sandboxUrl}/oauth2/token`,
    fitbitRevokeUrl: `${sandboxUrl}/oauth2/revoke`,
    fitbitApiUrl: sandboxUrl,
  };
}

/** SDK clients offline need some credentials; any value will do. Never real ones. */
const FAKE_AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
};

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
  stop(): Promise<void>;
}

export async function startLocalStack(
  cfg: LocalConfig = localConfig(),
  log = console.log,
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
    return await startParts(cfg, log, quiet, dataDir, started);
  } catch (error) {
    await closeStarted();
    throw error;
  }
}

async function startParts(
  cfg: LocalConfig,
  log: (line: string) => void,
  quiet: (line: string) => void,
  dataDir: string,
  started: Array<() => Promise<void>>,
): Promise<LocalStack> {
  const dynamo = await startDynamo({ host: cfg.host, port: cfg.dynamoPort, path: join(dataDir, 'dynamodb') });
  started.push(() => dynamo.close());
  await ensureTables(dynamo.endpoint, ROOT, cfg.stage);

  const inboundTopic = topicArn(cfg, topicName(cfg, 'inbound-sms'));
  let sns: LocalSns | undefined;
  const sandbox = await startSandbox({
    host: cfg.host,
    port: cfg.sandboxPort,
    dataDir,
    clientId: cfg.clientId,
    clientSecret: cfg.clientSecret,
    serviceNumber: cfg.serviceNumber,
    publishInbound: async (payload) => {
      if (!sns) throw new Error('local SNS is not running');
      await sns.publish(inboundTopic, payload);
    },
    onOptOutChange: (phone, optedOut) => (optedOut ? sns?.optOut(phone) : sns?.optIn(phone)),
    log: quiet,
  });
  started.push(() => sandbox.close());
  sns = await startLocalSns({
    host: cfg.host,
    port: cfg.snsPort,
    region: cfg.region,
    accountId: cfg.accountId,
    lambdaEndpoint: `http://${cfg.host}:${cfg.lambdaPort}`,
    lambdaSubscriptions: snsSubscriptions(ROOT, cfg.stage),
    smsSink: (to, body) => {
      sandbox.phones.deliver(to, body);
    },
    log: quiet,
  });
  const localSns = sns;
  started.push(() => localSns.close());
  for (const phone of sandbox.phones.optedOutNumbers()) sns.optOut(phone);

  const params = offlineParams(cfg, sandbox.url, sns.url, dynamo.endpoint);
  const args = [
    join(ROOT, 'node_modules/osls/bin/serverless.js'),
    'offline',
    'start',
    '--stage',
    cfg.stage,
    '--httpPort',
    String(cfg.httpPort),
    '--lambdaPort',
    String(cfg.lambdaPort),
    ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]),
  ];
  const offline = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...FAKE_AWS_ENV, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
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
    await stopOffline();
    await Promise.allSettled([localSns.close(), sandbox.close(), dynamo.close()]);
  };

  const app = `http://${cfg.host}:${cfg.httpPort}`;
  await waitForHttp(`${app}/style.css`, offline, 120_000);
  return {
    urls: {
      'Sign-up page': `${app}/`,
      'Lambda invoke API': `http://${cfg.host}:${cfg.lambdaPort}`,
      'Sandbox (Google, Fitbit, phones)': `${sandbox.url}/sandbox`,
      'Sandbox phone': `${sandbox.url}/sandbox/phone`,
      'Sandbox devices': `${sandbox.url}/sandbox/devices`,
      'Local SNS API': sns.url,
      'Local DynamoDB': dynamo.endpoint,
      'Poll now': `aws lambda invoke --endpoint-url http://${cfg.host}:${cfg.lambdaPort} --function-name ${functionName(cfg, 'pollBatteries')} --payload '{"force":true}' /dev/stdout`,
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
