/**
 * `npm run bench:bundle`: packages the prod stage, then for every function prints its zipped size,
 * its cold initialisation cost (a fresh Node process loading the bundled handler and its module-scope
 * wiring, median of several runs) and the AWS SDK commands its bundle can send. Writes
 * bench/results/bundle.json. Targets: < 250 KB zipped, < 150 ms initialisation CPU time.
 *
 * Initialisation is judged on CPU time (user + system of that process, process.cpuUsage() around the
 * require), not wall time: the work a module load does is CPU-bound, and on a shared machine wall time
 * mostly measures how long the process waited for a core (runs here varied 2-3x with the load), while
 * its CPU time stays within a few per cent. Wall time is printed beside it. Neither is Lambda's Init
 * Duration, which also counts the runtime starting and depends on the memory size (CPU share).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandsInBundle, iamActionOf } from './sdk-commands';
import { extract } from './unzip';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BUNDLE_RUNS ?? 7);
const ZIP_TARGET = 250 * 1024;
const INIT_TARGET_MS = 150;

/** What a deployed function finds in its environment (values are placeholders; nothing is called). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  TABLE_NAME: 'fitbit-battery-sms-prod',
  NEW_SUBSCRIBER_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:fitbit-battery-sms-prod-new-subscriber',
  USER_TOPIC_PREFIX: 'fitbit-battery-sms-prod-u-',
  PUBLIC_BASE_URL: 'https://example.execute-api.us-east-1.amazonaws.com',
  SERVICE_NUMBER: '+12025550100',
  OAUTH_CLIENT_ID: 'placeholder',
  OAUTH_CLIENT_SECRET_PARAMETER: '/fitbit-battery-sms/prod/oauth-client-secret',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU and wall milliseconds for a fresh process to load the handler module (imports and wiring). */
function initMs(handlerFile: string): { cpu: number; wall: number } {
  const probe =
    `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(handlerFile)});` +
    'const u=process.cpuUsage(c);' +
    'process.stdout.write(JSON.stringify({cpu:(u.user+u.system)/1e3,wall:Number(process.hrtime.bigint()-t)/1e6}));';
  // Nothing outside the zip is reachable: a function that needed the runtime's SDK would fail here.
  const run = spawnSync(process.execPath, ['--no-warnings', '-e', probe], {
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
    cwd: tmpdir(),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`loading ${handlerFile} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

function main() {
  const out = mkdtempSync(join(tmpdir(), 'fbs-bundle-'));
  console.error(`packaging the prod stage into ${out} ...`);
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      'prod',
      '--package',
      out,
      '--param=oauthClientId=placeholder-client-id.apps.googleusercontent.com',
      '--param=operatorEmail=operator@example.com',
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );

  const functions: Record<
    string,
    { zipBytes: number; initCpuMs: number; initWallMs: number; sdkCommands: string[] }
  > = {};
  for (const zip of readdirSync(out).filter((f) => f.endsWith('.zip'))) {
    const name = zip.replace(/\.zip$/, '');
    const dir = join(out, name);
    mkdirSync(dir);
    extract(join(out, zip), dir);
    const handler = readdirSync(join(dir, 'src/functions')).find((f) => f.endsWith('.js'));
    if (!handler) throw new Error(`${zip}: no handler inside`);
    const file = join(dir, 'src/functions', handler);
    initMs(file); // warm the file cache, as a re-used host would
    const runs = Array.from({ length: RUNS }, () => initMs(file));
    const round = (ms: number) => Math.round(ms * 10) / 10;
    functions[name] = {
      zipBytes: statSync(join(out, zip)).size,
      initCpuMs: round(median(runs.map((r) => r.cpu))),
      initWallMs: round(median(runs.map((r) => r.wall))),
      sdkCommands: commandsInBundle(readFileSync(file, 'utf8')).map((c) => iamActionOf(c)),
    };
  }

  console.log(`\nfunction            zipped KB   init CPU ms   init wall ms   (medians of ${RUNS} runs)`);
  for (const [name, f] of Object.entries(functions)) {
    const ok = f.zipBytes < ZIP_TARGET && f.initCpuMs < INIT_TARGET_MS ? 'ok' : 'OVER TARGET';
    console.log(
      `${name.padEnd(18)} ${(f.zipBytes / 1024).toFixed(1).padStart(9)}   ${String(f.initCpuMs).padStart(11)}   ${String(f.initWallMs).padStart(12)}   ${ok}`,
    );
  }
  console.log('\nAWS calls each bundle can send (IAM actions):');
  for (const [name, f] of Object.entries(functions)) {
    console.log(`${name.padEnd(18)} ${f.sdkCommands.length ? f.sdkCommands.join(', ') : '(none)'}`);
  }
  console.log(`targets: < ${ZIP_TARGET / 1024} KB zipped, < ${INIT_TARGET_MS} ms of CPU to initialise`);
  console.log(
    `load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/bundle.json'),
    `${JSON.stringify({ measuredAt: new Date().toISOString(), loadAverage: loadavg(), runs: RUNS, functions }, null, 2)}\n`,
  );
  console.log('wrote bench/results/bundle.json');
}

main();
