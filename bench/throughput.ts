/**
 * Throughput of one round of battery checks, in one process with the real pieces: dynalite with the
 * serverless.yml tables, the sandbox answering every provider call after an injected latency, the
 * production adapters (bench/wiring.ts buildAllDeps, imported once the environment points at both),
 * the real dispatchChecks fanning out to an in-process dispatcher that runs the real checkBatch
 * (what the checker Lambda runs). Only texts are counted instead of sent.
 *
 *   npm run bench:throughput -- [--subscribers 10000] [--parallelism 10] [--concurrency 10]
 *                               [--batch-size 25] [--latency 100]
 *
 * Prints subscribers checked per second, the ratio to the ideal (concurrency / latency) and peak
 * memory, and writes bench/results/throughput.json. Only the round is timed, not the seeding.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTables, startDynamo } from '../local/dynamo';
import { sandboxProviderEnv } from '../local/local-config';
import { startSandbox } from '../local/sandbox';
import type { CheckDispatcher, Messenger } from '../src/ports';
import { checkBatch } from '../src/usecases/check-batch';
import type { Deps } from '../src/usecases/deps';
import { dispatchChecks } from '../src/usecases/dispatch-checks';
import { parseArgs } from './throughput/args';
import { startCpuProfile } from './throughput/profile';
import { seedSandboxUsers, seedSubscribers } from './throughput/seed';
import {
  type RunningService,
  type ServiceKind,
  type ServiceOptions,
  startServiceWorker,
} from './throughput/services';

const ROOT = resolve(__dirname, '..');
const CLIENT_ID = 'bench-client';
const CLIENT_SECRET = 'bench-secret';
const SERVICE_NUMBER = '+12025550100';
const MB = 1024 * 1024;

/** dynalite or the sandbox: on a worker thread by default, or here when asked (to compare). */
async function startService(
  kind: ServiceKind,
  options: ServiceOptions,
  onMain: boolean,
): Promise<RunningService> {
  if (!onMain) return startServiceWorker(kind, options);
  if (kind === 'dynamo') {
    const dynamo = await startDynamo();
    const tables = await ensureTables(dynamo.endpoint, options.root, options.stage);
    return { url: dynamo.endpoint, tables, close: () => Promise.resolve() };
  }
  const sandbox = await startSandbox({
    host: '127.0.0.1',
    port: 0,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    serviceNumber: options.serviceNumber,
    publishInbound: async () => {},
  });
  return { url: sandbox.url, tables: [], close: () => sandbox.close() };
}

/** Peak resident set size, sampled every 100 ms (and at each mark), in bytes. */
class RssSampler {
  peak = process.memoryUsage.rss();
  private readonly timer = setInterval(() => this.sample(), 100);

  sample(): number {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /** Peak since the last reset. */
  reset() {
    this.peak = this.sample();
  }

  stop() {
    clearInterval(this.timer);
  }
}

function seconds(fromMs: number): number {
  return (performance.now() - fromMs) / 1000;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const concurrency = args.parallelism * args.concurrency;
  const rss = new RssSampler();
  let processPeak = 0;
  const mark = () => {
    processPeak = Math.max(processPeak, rss.peak);
  };

  const setupStarted = performance.now();
  const serviceOptions = {
    root: ROOT,
    stage: 'bench',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    serviceNumber: SERVICE_NUMBER,
  };
  const [dynamo, sandbox] = await Promise.all([
    startService('dynamo', serviceOptions, args.servicesOnMain),
    startService('sandbox', serviceOptions, args.servicesOnMain),
  ]);
  const [tableName] = dynamo.tables;
  if (!tableName) {
    throw new Error(
      'local/serverless-config.ts found no AWS::DynamoDB::Table in serverless.yml (resources.Resources)',
    );
  }

  // The production wiring reads its configuration from the environment at import.
  Object.assign(process.env, {
    STAGE: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    TABLE_NAME: tableName,
    NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:bench-new-subscriber',
    USER_TOPIC_PREFIX: 'bench-',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000/',
    SERVICE_NUMBER,
    PROVIDER: 'google',
    OAUTH_CLIENT_ID: CLIENT_ID,
    OAUTH_CLIENT_SECRET: CLIENT_SECRET,
    ...sandboxProviderEnv(sandbox.url),
    DYNAMODB_ENDPOINT: dynamo.url,
    SNS_ENDPOINT: 'http://127.0.0.1:9/',
    SMS_ENDPOINT: sandbox.url,
    CHECK_BATCH_SIZE: String(args.batchSize),
    CHECK_PARALLELISM: String(args.parallelism),
    CHECK_CONCURRENCY: String(args.concurrency),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  });
  const { loadConfig } = await import('../src/config');
  const { buildAllDeps } = await import('./wiring');
  const config = loadConfig();
  const texts = { published: 0, direct: 0 };
  const wired = buildAllDeps(config);
  // Texts are counted, not sent; nothing else of the messenger is used by a check.
  const messenger: Messenger = {
    ...wired.messenger,
    publish: async () => {
      texts.published++;
    },
    sendText: async () => {
      texts.direct++;
    },
  };
  const deps: Deps = { ...wired, messenger };

  const now = Date.now();
  let started = performance.now();
  const users = await seedSandboxUsers(sandbox.url, args.subscribers, now);
  const seedSandboxS = seconds(started);
  started = performance.now();
  await seedSubscribers(deps.subscribers, users, now);
  const seedDynamoS = seconds(started);
  const latency = await fetch(`${sandbox.url}/sandbox/latency`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ms: args.latencyMs }),
  });
  if (!latency.ok) throw new Error(`could not set sandbox latency: ${await latency.text()}`);
  const setupS = seconds(setupStarted);

  // The checker Lambda, minus the Lambda: the same use case over the same deps.
  const dispatcher: CheckDispatcher = {
    check: (subscriberIds, force) =>
      checkBatch(deps, subscriberIds, { force, concurrency: args.concurrency }),
  };
  mark();
  rss.reset();
  const stopProfile = args.cpuProfile ? await startCpuProfile(args.cpuProfile) : undefined;
  const cpuBefore = process.cpuUsage();
  started = performance.now();
  const summary = await dispatchChecks(
    { dueSubscribers: deps.dueSubscribers, dispatcher, clock: deps.clock, logger: deps.logger },
    { force: false, batchSize: args.batchSize, parallelism: args.parallelism },
  );
  const roundS = seconds(started);
  const cpu = process.cpuUsage(cpuBefore);
  const roundPeak = rss.peak;
  await stopProfile?.();
  mark();
  rss.stop();

  const perSecond = summary.checked / roundS;
  const idealPerSecond = concurrency / (args.latencyMs / 1000);
  const ratio = perSecond / idealPerSecond;
  const peakRssMb = Math.max(processPeak, process.resourceUsage().maxRSS * 1024) / MB;
  const round2 = (n: number, digits = 2) => Number(n.toFixed(digits));

  const rows: [string, string][] = [
    ['subscribers due', `${summary.due} of ${args.subscribers}`],
    [
      'checked / texted',
      `${summary.checked} / ${summary.texted} (texts counted: ${texts.published + texts.direct})`,
    ],
    ['deferred / failed / skipped', `${summary.deferred} / ${summary.failed} / ${summary.skipped}`],
    ['batches', `${summary.batches} of ${args.batchSize}`],
    ['concurrency', `${concurrency} (${args.parallelism} checkers x ${args.concurrency})`],
    ['provider latency', `${args.latencyMs} ms`],
    ['dynalite + sandbox', args.servicesOnMain ? 'on the main thread' : 'on worker threads'],
    ['round', `${roundS.toFixed(2)} s`],
    ['checked per second', perSecond.toFixed(1)],
    ['ideal per second', idealPerSecond.toFixed(1)],
    ['ratio', `${ratio.toFixed(3)} (target >= 0.8)`],
    [
      'CPU during round',
      `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s (${(((cpu.user + cpu.system) / 1e6 / roundS) * 100).toFixed(0)}% of one core)`,
    ],
    ['peak RSS', `${(roundPeak / MB).toFixed(0)} MB in the round, ${peakRssMb.toFixed(0)} MB overall`],
    [
      'setup',
      `${setupS.toFixed(1)} s (sandbox users ${seedSandboxS.toFixed(1)} s, DynamoDB ${seedDynamoS.toFixed(1)} s)`,
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `\nthroughput: one round over ${args.subscribers} due subscribers (dynalite + sandbox, in process)`,
  );
  for (const [key, value] of rows) console.log(`  ${key.padEnd(width)}  ${value}`);

  const result = {
    subscribers: args.subscribers,
    concurrency,
    latencyMs: args.latencyMs,
    perSecond: round2(perSecond, 1),
    idealPerSecond: round2(idealPerSecond, 1),
    ratio: round2(ratio, 3),
    peakRssMb: Math.round(peakRssMb),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'throughput.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote bench/results/throughput.json ${JSON.stringify(result)}`);

  if (summary.checked !== args.subscribers) {
    console.error(`warning: ${args.subscribers - summary.checked} subscribers were not checked`);
    process.exitCode = 1;
  }
  await Promise.all([sandbox.close(), dynamo.close()]);
  // The SDK clients of the production wiring keep sockets to dynalite open; nothing else is pending.
  process.exit();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
