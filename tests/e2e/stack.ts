/**
 * Starts the real local stack (the same code as `npm start`) on its own ports and data folder, so
 * the tests can run while a developer's stack is up. Captures every log line for later checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalConfig, localConfig } from '../../local/local-config';
import { type LocalStack, startLocalStack } from '../../local/start';

export interface TestStack {
  cfg: LocalConfig;
  app: string;
  sandbox: string;
  lambda: string;
  logs: string[];
  stop(): Promise<void>;
}

/**
 * Each e2e file runs its own stack on ports derived from one base (base, base+2, base+1002,
 * base+1010, base+5000), so files never collide with each other or with `npm start`. Bases in use:
 * 13000 signup, 15000 legacy, 19000 sms, 21000 hostile web, 23000 monitoring, 25000 browser. All
 * stay below 32768, where Linux starts handing out ephemeral ports (a listener on one of those can
 * find it taken by another test's client connection or port-0 server).
 */
export function portsFrom(base: number): Record<string, string> {
  if (base + 5000 >= 32768) throw new Error(`e2e port base ${base} reaches the ephemeral port range`);
  return {
    HTTP_PORT: String(base),
    LAMBDA_PORT: String(base + 2),
    SNS_PORT: String(base + 1002),
    SANDBOX_PORT: String(base + 1010),
    DYNAMODB_PORT: String(base + 5000),
  };
}

export async function startTestStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fbs-e2e-'));
  const cfg = localConfig({
    ...portsFrom(13000),
    LOCAL_DATA_DIR: dataDir,
    LOG_LEVEL: 'DEBUG',
    ...overrides,
  });
  const logs: string[] = [];
  let stack: LocalStack;
  try {
    stack = await startLocalStack(cfg, (line) => logs.push(line));
  } catch (error) {
    throw new Error(`local stack did not start: ${error}\n${logs.slice(-40).join('\n')}`);
  }
  return {
    cfg,
    app: `http://${cfg.host}:${cfg.httpPort}`,
    sandbox: `http://${cfg.host}:${cfg.sandboxPort}`,
    lambda: `http://${cfg.host}:${cfg.lambdaPort}`,
    logs,
    stop: async () => {
      // E2E_LOGS=1 prints what the stack logged, for a failing run.
      if (process.env.E2E_LOGS === '1') console.log(logs.join('\n'));
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's cookie jar, just enough for one site. */
export class Browser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.request(url, { method: 'GET' });
  }

  async postForm(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
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

/** Waits for the phone's outbound texts to reach `count`, then a little longer to catch extras. */
export async function outboundTexts(sandbox: string, phone: string, count: number): Promise<string[]> {
  await eventually(async () => {
    const out = (await messagesOf(sandbox, phone)).filter((m) => m.direction === 'out');
    return out.length >= count ? out : undefined;
  }, `${count} texts to ${phone}`);
  await new Promise((r) => setTimeout(r, 1500));
  return (await messagesOf(sandbox, phone)).filter((m) => m.direction === 'out').map((m) => m.body);
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
    /code_verifier=[A-Za-z0-9_-]{20,}/,
    /"codeVerifier"/,
    /\+?1?20[12]555\d{4}/,
  ];
  return logs.filter((line) => patterns.some((p) => p.test(line))).map((line) => line.slice(0, 160));
}

/** The whole sign-up for one sandbox user and phone, ending after the introductory text. */
export async function signUpAndConfirm(stack: TestStack, user: string, phone: string): Promise<void> {
  const browser = new Browser();
  const signup = await browser.postForm(`${stack.app}/signup`, { phone, consent: 'yes' });
  const authorize = new URL(signup.headers.get('location') ?? '');
  authorize.searchParams.set('sandbox_user', user);
  const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
  const landed = await browser.get(callback);
  if (landed.status !== 200) throw new Error(`sign-up callback answered ${landed.status}`);
  await outboundTexts(stack.sandbox, phone, 1);
  await textFromPhone(stack.sandbox, phone, 'YES');
  await outboundTexts(stack.sandbox, phone, 2);
}
