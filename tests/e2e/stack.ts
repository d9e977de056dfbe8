/**
 * Starts the real local stack (the same code as `npm start`) on its own ports and data folder, so
 * the tests can run while a developer's stack is up. Captures every log line for later checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_ADMIN_ACCESS_KEY_ID } from '../../local/iam/authorizer';
import { type LocalConfig, localConfig } from '../../local/local-config';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/start';
import { useStarted } from '../support/use-started';

export interface TestStack {
  cfg: LocalConfig;
  /** Every AWS call the local IAM decided so far. */
  iamCalls: LocalStack['iamCalls'];
  app: string;
  sandbox: string;
  lambda: string;
  /** The local SNS API, for tests that act on topics as an operator would. */
  sns: string;
  logs: string[];
  /** Resolves when every SNS delivery in flight, and every function it invoked, has finished. */
  settled(): Promise<void>;
  /** Ctrl-C and `npm start` again: the same data folder, fresh ports. The fields follow. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Ports for one stack, chosen by the OS: each is bound on port 0 at the same time (so the five are
 * distinct), then released for the stack's servers to take. Two test runs on one machine, or a
 * developer's `npm start`, never collide with a fixed range this way.
 */
export async function freePorts(): Promise<Record<string, string>> {
  const servers = await Promise.all(
    Array.from({ length: 5 }, () => {
      return new Promise<Server>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => String((s.address() as AddressInfo).port));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  const [http, lambda, sns, sandbox, dynamo] = ports as [string, string, string, string, string];
  return {
    HTTP_PORT: http,
    LAMBDA_PORT: lambda,
    SNS_PORT: sns,
    SANDBOX_PORT: sandbox,
    DYNAMODB_PORT: dynamo,
  };
}

export async function startTestStack(
  overrides: Record<string, string> = {},
  options: LocalStackOptions = {},
): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fbs-e2e-'));
  const logs: string[] = [];
  const bootOnce = async () => {
    const cfg = localConfig({
      ...(await freePorts()),
      LOCAL_DATA_DIR: dataDir,
      LOG_LEVEL: 'DEBUG',
      ...overrides,
    });
    return { cfg, stack: await startLocalStack(cfg, (line) => logs.push(line), options) };
  };
  // The OS's free ports are free only until someone takes them: another test run, or one of this
  // stack's own port-0 listeners. A start that lost that race closes what it opened (stack-start
  // test) and is tried again on new ports; any other failure is reported at once.
  const boot = async () => {
    for (let attempt = 1; ; attempt++) {
      const before = logs.length;
      try {
        return await bootOnce();
      } catch (error) {
        const lostRace = /EADDRINUSE/.test(`${error}\n${logs.slice(before).join('\n')}`);
        if (lostRace && attempt < 3) continue;
        throw new Error(`local stack did not start: ${error}\n${logs.slice(-40).join('\n')}`);
      }
    }
  };
  let running = await boot();
  const urls = (cfg: LocalConfig) => ({
    cfg,
    app: `http://${cfg.host}:${cfg.httpPort}`,
    sandbox: `http://${cfg.host}:${cfg.sandboxPort}`,
    lambda: `http://${cfg.host}:${cfg.lambdaPort}`,
    sns: `http://${cfg.host}:${cfg.snsPort}`,
  });
  const test: TestStack = {
    ...urls(running.cfg),
    iamCalls: () => running.stack.iamCalls(),
    logs,
    settled: () => running.stack.settled(),
    restart: async () => {
      await running.stack.stop();
      running = await boot();
      Object.assign(test, urls(running.cfg));
    },
    stop: async () => {
      // E2E_LOGS=1 prints what the stack logged, for a failing run.
      if (process.env.E2E_LOGS === '1') console.log(logs.join('\n'));
      await running.stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return test;
}

/**
 * The local stack of one suite: started before its first test, stopped after its last (servers,
 * dynalite, serverless-offline and the data folder, so jest exits by itself). Call it at the top of
 * a test file, or inside a describe for a stack of that block only, and use the result inside tests:
 *
 *   const stack = useTestStack();                    // or useTestStack({ PROVIDER: 'fitbit' })
 *   it('serves the page', async () => {
 *     expect((await fetch(`${stack.app}/`)).status).toBe(200);
 *   });
 *
 * The result stands for the running stack (its fields follow a restart()); touching it outside a
 * test or hook, before beforeAll has run, throws.
 */
export function useTestStack(
  overrides: Record<string, string> = {},
  options: LocalStackOptions = {},
): TestStack {
  return useStarted(
    () => startTestStack(overrides, options),
    (stack) => stack.stop(),
    { timeoutMs: 240_000 },
  );
}

/**
 * Invokes a function through the local Lambda API as the local admin (as the README's "Poll now"
 * does): the IAM gateway refuses unsigned or unknown callers, as AWS does.
 */
export async function invokeAsAdmin(stack: TestStack, fn: string, payload: unknown): Promise<unknown> {
  const lambda = new LambdaClient({
    endpoint: stack.lambda,
    region: stack.cfg.region,
    credentials: { accessKeyId: LOCAL_ADMIN_ACCESS_KEY_ID, secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: `${stack.cfg.service}-${stack.cfg.stage}-${fn}`,
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
    const text = Buffer.from(out.Payload ?? []).toString('utf8');
    if (out.FunctionError) throw new Error(`${fn} failed: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  } finally {
    lambda.destroy();
  }
}

/** A forced round, invoked as an operator would; it answers once every check of the round is done. */
export async function pollNow(stack: TestStack): Promise<Record<string, number>> {
  return (await invokeAsAdmin(stack, 'pollBatteries', { force: true })) as Record<string, number>;
}

/** A time zone where it is now the middle of the day, so quiet hours (22-7) cannot hold texts. */
export function daytimeZone(): string {
  const zones = [
    'Pacific/Honolulu',
    'America/Los_Angeles',
    'America/New_York',
    'Europe/London',
    'Europe/Berlin',
    'Asia/Dubai',
    'Asia/Kolkata',
    'Asia/Tokyo',
    'Australia/Sydney',
    'Pacific/Auckland',
  ];
  for (const timeZone of zones) {
    const hour = Number(
      new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()),
    );
    if (hour >= 9 && hour <= 19) return timeZone;
  }
  throw new Error('no daytime zone found');
}

/** A browser's cookie jar, just enough for one site. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  /** `headers`: what a browser adds, e.g. Origin and Sec-Fetch-Site for a form another site posts. */
  async postForm(
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (!name) continue;
      if (/max-age=0/i.test(set)) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value.join('='));
    }
    return response;
  }
}

export interface PhoneMessage {
  direction: 'in' | 'out';
  body: string;
  at: string;
}

export async function messagesOf(sandbox: string, phone: string): Promise<PhoneMessage[]> {
  const response = await fetch(`${sandbox}/sandbox/phones/${encodeURIComponent(phone)}/messages`);
  if (response.status === 404) return [];
  return (await response.json()) as PhoneMessage[];
}

export async function textFromPhone(sandbox: string, phone: string, body: string, inboundMessageId?: string) {
  const response = await fetch(`${sandbox}/sandbox/phones/${encodeURIComponent(phone)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ body, ...(inboundMessageId ? { inboundMessageId } : {}) }),
  });
  if (response.status !== 202) throw new Error(`sandbox refused the text: ${response.status}`);
}

/** Polls until `check` returns a value, or fails with what it saw last. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 20000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits for the phone's outbound texts to reach `count`, then until the stack is quiet, to catch extras. */
export async function outboundTexts(stack: TestStack, phone: string, count: number): Promise<string[]> {
  await eventually(async () => {
    const out = (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out');
    return out.length >= count ? out : undefined;
  }, `${count} texts to ${phone}`);
  await stack.settled();
  return (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out').map((m) => m.body);
}

/**
 * What must never reach a log line: the sandbox's tokens and codes (Google- and Fitbit-shaped), the
 * client secret, PKCE verifiers, and full phone numbers (the tests' +1 201 555 01xx numbers and the
 * service's own). Returns the offending lines, cut short.
 */
export function secretsIn(logs: string[]): string[] {
  const patterns = [
    /ya29\.[A-Za-z0-9_-]{8,}/,
    /1\/\/0[A-Za-z0-9_-]{8,}/,
    /\bf[acr]_[A-Za-z0-9_-]{8,}/,
    /4\/0A[A-Za-z0-9_-]{8,}/,
    /local-client-secret/,
    /local-webhook-secret/,
    /code_verifier=[A-Za-z0-9_-]{20,}/,
    /"codeVerifier"/,
    /\+?1?20[12]555\d{4}/,
  ];
  return logs.filter((line) => patterns.some((p) => p.test(line))).map((line) => line.slice(0, 160));
}

/** The phone's outbound texts so far, oldest first. */
export async function outTexts(stack: TestStack, phone: string): Promise<string[]> {
  return (await messagesOf(stack.sandbox, phone)).filter((m) => m.direction === 'out').map((m) => m.body);
}

/**
 * Sign-up form -> sandbox consent as `user` (with `extra` consent-URL parameters for the sandbox) ->
 * callback; returns the page the callback answered.
 */
export async function signUpTo(
  stack: TestStack,
  user: string,
  phone: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const browser = new Browser();
  const signup = await browser.postForm(`${stack.app}/signup`, { phone, consent: 'yes' });
  if (signup.status !== 302) throw new Error(`sign-up form answered ${signup.status}`);
  const authorize = new URL(signup.headers.get('location') ?? '');
  authorize.searchParams.set('sandbox_user', user);
  for (const [key, value] of Object.entries(extra)) authorize.searchParams.set(key, value);
  const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
  return browser.get(callback);
}

/** The whole sign-up for one sandbox user and phone, ending after the introductory text. */
export async function signUpAndConfirm(stack: TestStack, user: string, phone: string): Promise<void> {
  const landed = await signUpTo(stack, user, phone);
  if (landed.status !== 200) throw new Error(`sign-up callback answered ${landed.status}`);
  await outboundTexts(stack, phone, 1);
  await textFromPhone(stack.sandbox, phone, 'YES');
  await outboundTexts(stack, phone, 2);
}

/** A call to the sandbox's control API (devices, settings, faults) that must succeed. */
export async function sandboxJson(
  stack: TestStack,
  method: string,
  path: string,
  body: unknown,
): Promise<void> {
  const response = await fetch(`${stack.sandbox}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`sandbox ${method} ${path}: HTTP ${response.status}`);
}

/** Signs up and confirms a user whose time zone is in daytime now, so no quiet hours hold texts. */
export async function signUpInDaytime(stack: TestStack, user: string, phone: string): Promise<void> {
  await sandboxJson(stack, 'PUT', `/sandbox/users/${user}/settings`, { timeZone: daytimeZone() });
  await signUpAndConfirm(stack, user, phone);
}
