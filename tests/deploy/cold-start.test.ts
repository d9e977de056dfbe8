/**
 * Every function of a prod deploy initialises: the prod template is packaged without AWS credentials,
 * and each function's own zip is loaded in a child process with that template's own environment
 * (intrinsics resolved to plausible AWS values, no local endpoints), as Lambda would at cold start.
 * A variable the template leaves empty or wrong fails here, not on AWS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type CfnTemplate, type TemplateFunction, templateFunctions } from '../../local/iam/template';
import { packageProd, ROOT } from './package-template';

const world = {
  region: 'us-east-1',
  accountId: '123456789012',
  stackName: 'fitbit-battery-sms-prod',
  apiUrl: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
  serviceNumber: '+12025550123',
};
let dir: string;
let template: CfnTemplate;
let functions: TemplateFunction[];

beforeAll(async () => {
  // The same packaging as `npm run package:prod` (placeholder params, no AWS credentials).
  ({ dir, template } = await packageProd());
  functions = templateFunctions(template, world);
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Unpacks a function's zip (Python's zipfile: `unzip` is not on every machine). */
function unpack(key: string): string {
  const target = join(dir, 'unpacked', key);
  execFileSync('python3', ['-m', 'zipfile', '-e', join(dir, `${key}.zip`), target]);
  return target;
}

describe('a prod deploy at cold start', () => {
  it('has the eight functions, each with its own zip', () => {
    expect(functions.map((f) => f.key).sort()).toEqual([
      'checkBatteries',
      'createUserTopic',
      'googleHealthWebhook',
      'inboundSms',
      'oauthCallback',
      'pages',
      'pollBatteries',
      'signup',
    ]);
  });

  it('gives no function a local endpoint or a client secret in its environment', () => {
    for (const fn of functions) {
      for (const name of ['DYNAMODB_ENDPOINT', 'SNS_ENDPOINT', 'SMS_ENDPOINT', 'LAMBDA_ENDPOINT']) {
        expect(fn.environment[name] ?? '').toBe('');
      }
      expect(fn.environment).not.toHaveProperty('OAUTH_CLIENT_SECRET');
      expect(fn.environment.PUBLIC_BASE_URL).toBe(world.apiUrl);
    }
  });

  it('initialises every function module with the environment the template gives it', () => {
    const failures: string[] = [];
    for (const fn of functions) {
      const resource = template.Resources[`${fn.key.replace(/^./, (c) => c.toUpperCase())}LambdaFunction`];
      const handler = String(resource?.Properties.Handler);
      const file = join(unpack(fn.key), `${handler.slice(0, handler.lastIndexOf('.'))}.js`);
      const exported = handler.slice(handler.lastIndexOf('.') + 1);
      const child = spawnSync(
        process.execPath,
        [
          '-e',
          `const m = require(process.argv[1]); if (typeof m[process.argv[2]] !== 'function') { console.error('no handler export ' + process.argv[2]); process.exit(3); }`,
          file,
          exported,
        ],
        {
          encoding: 'utf8',
          env: {
            ...fn.environment,
            PATH: process.env.PATH,
            // What Lambda itself sets (credentials from the role; these are never used here).
            AWS_REGION: world.region,
            AWS_DEFAULT_REGION: world.region,
            AWS_LAMBDA_FUNCTION_NAME: fn.name,
            AWS_ACCESS_KEY_ID: 'cold-start-test',
            AWS_SECRET_ACCESS_KEY: 'cold-start-test',
            // The Lambda Node.js runtime provides the AWS SDK v3 the bundles leave out.
            NODE_PATH: join(ROOT, 'node_modules'),
          },
        },
      );
      if (child.status !== 0) {
        // The bundle is minified: the thrown error's own line says what went wrong, not the source line.
        const reason =
          child.stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? child.stderr.slice(-400);
        failures.push(`${fn.key} (exit ${child.status}): ${reason.slice(0, 400)}`);
      }
    }

    expect(failures).toEqual([]);
  }, 60_000);
});
