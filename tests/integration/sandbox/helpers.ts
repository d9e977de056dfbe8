/** Shared set-up for the sandbox tests: a sandbox on an ephemeral port with a hand-driven clock, PKCE and OAuth shortcuts. */
import { createHash, randomBytes } from 'node:crypto';
import { type Sandbox, startSandbox } from '../../../local/sandbox';
import type { SmsKeywordSettings } from '../../../local/serverless-config';
import { useStarted } from '../../support/use-started';

export const CLIENT_ID = 'test-client';
export const CLIENT_SECRET = 'test-secret';
export const SERVICE_NUMBER = '+12025550100';
export const REDIRECT_URI = 'http://127.0.0.1:9999/oauth/callback';
export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';

export interface TestSandbox {
  sandbox: Sandbox;
  url: string;
  clock: { now: number; advance(ms: number): void };
  inbound: string[];
  optOutChanges: Array<[string, boolean]>;
  /** Every line the sandbox logged. */
  logs: string[];
}

export async function startTestSandbox(
  extra: { keywords?: SmsKeywordSettings; codeTtlMs?: number } = {},
): Promise<TestSandbox> {
  const clock = {
    now: Date.parse('2026-11-23T12:00:00Z'),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  const inbound: string[] = [];
  const optOutChanges: Array<[string, boolean]> = [];
  const logs: string[] = [];
  const sandbox = await startSandbox({
    log: (line) => logs.push(line),
    host: '127.0.0.1',
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    serviceNumber: SERVICE_NUMBER,
    publishInbound: async (payload) => {
      inbound.push(payload);
    },
    onOptOutChange: (phone, optedOut) => {
      optOutChanges.push([phone, optedOut]);
    },
    now: () => clock.now,
    ...extra,
  });
  return { sandbox, url: sandbox.url, clock, inbound, optOutChanges, logs };
}

/**
 * A sandbox of its own for every test in the block (started before each, closed after each), for
 * suites that need no state from one test to the next; `{ perTest: false }` shares one per block.
 */
export function useTestSandbox(
  extra: Parameters<typeof startTestSandbox>[0] = {},
  { perTest = true }: { perTest?: boolean } = {},
): TestSandbox {
  return useStarted(
    () => startTestSandbox(extra),
    (t) => t.sandbox.close(),
    { perTest },
  );
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function authorizeUrl(
  base: string,
  provider: 'google' | 'fitbit',
  params: Record<string, string>,
): string {
  const path = provider === 'google' ? '/o/oauth2/v2/auth' : '/oauth2/authorize';
  const url = new URL(path, base);
  const defaults: Record<string, string> = {
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: provider === 'google' ? GOOGLE_SCOPE : 'settings profile',
    state: 'st-123',
    access_type: 'offline',
    prompt: 'consent',
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) url.searchParams.set(k, v);
  return url.toString();
}

/** Runs the instant-approval authorize and returns the callback URL the browser would land on. */
export async function authorizeRedirect(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location') ?? '');
}

export async function googleCode(
  base: string,
  user: string,
  challenge: string,
  extra: Record<string, string> = {},
) {
  const location = await authorizeRedirect(
    authorizeUrl(base, 'google', { sandbox_user: user, code_challenge: challenge, ...extra }),
  );
  return location.searchParams.get('code') ?? '';
}

export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function googleTokens(base: string, user = 'alice') {
  const { verifier, challenge } = pkce();
  const code = await googleCode(base, user, challenge);
  const res = await postForm(`${base}/token`, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    code_verifier: verifier,
  });
  if (res.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token: string; scope: string; expires_in: number };
}

export function basic(id = CLIENT_ID, secret = CLIENT_SECRET) {
  return { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
}

export async function fitbitTokens(base: string, user = 'bob') {
  const { verifier, challenge } = pkce();
  const location = await authorizeRedirect(
    authorizeUrl(base, 'fitbit', { sandbox_user: user, code_challenge: challenge }),
  );
  const res = await postForm(
    `${base}/oauth2/token`,
    {
      grant_type: 'authorization_code',
      code: location.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    },
    basic(),
  );
  if (res.status !== 200) throw new Error(`fitbit token exchange failed: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token: string; user_id: string };
}

export async function getJson(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
}

export async function sendJsonTo(url: string, method: string, body: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
