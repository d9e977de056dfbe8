/**
 * Packages the prod CloudFormation template the way `npm run package:prod` does (placeholder params,
 * no AWS credentials of any kind), plus any extra params, into a fresh directory.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(__dirname, '../..');

export const PLACEHOLDER_PARAMS = {
  oauthClientId: 'placeholder-client-id.apps.googleusercontent.com',
  operatorEmail: 'operator@example.com',
};

/** An existing End User Messaging number, as an operator would pass it. */
export const EXISTING_NUMBER = {
  phoneNumberArn:
    'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef0123456789abcdef',
  serviceNumber: '+18885550100',
};

export interface Packaged {
  dir: string;
  file: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, read by path in the tests.
  template: any;
}

export async function packageProd(params: Record<string, string> = {}): Promise<Packaged> {
  const dir = mkdtempSync(join(tmpdir(), 'fbs-template-'));
  const all = { ...PLACEHOLDER_PARAMS, ...params };
  const run = promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/osls/bin/serverless.js'),
      'package',
      '--stage',
      'prod',
      '--package',
      dir,
      ...Object.entries(all).map(([k, v]) => `--param=${k}=${v}`),
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, SLS_TELEMETRY_DISABLED: '1' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  try {
    await run;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    // sls prints why on stdout; keep it in the error so a failed package explains itself.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`sls package failed:\n${stdout}\n${stderr}`);
  }
  const file = join(dir, 'cloudformation-template-update-stack.json');
  return { dir, file, template: JSON.parse(readFileSync(file, 'utf8')) };
}
