/**
 * Many checks of one subscriber at once, on dynalite, against the legacy Fitbit emulation whose
 * refresh tokens are single use: after each expiry, exactly one refresh may succeed at the provider
 * (the sandbox's counters.tokenRefreshes.fitbit; replays inside its 2-minute window are counted
 * apart), every check ends well, and the subscriber keeps working.
 *
 * Expiries alternate between the two ways a token dies: past its stored expiry (every checker
 * refreshes up front) and killed at the provider before then (every checker is refused with 401 and
 * refreshes on rejection). Expiry is applied to both sides explicitly rather than by moving the clock
 * 8 hours: the production OAuth client stamps expiry with the wall clock, not deps.clock.
 */
import type { Subscriber } from '../../src/domain/subscriber';
import { checkSubscriber } from '../../src/usecases/check-subscriber';
import type { Deps } from '../../src/usecases/deps';
import { type Harness, retire, sandboxCall, tokenRefreshes } from './harness';

export interface ExpiryRow {
  expiry: number;
  how: 'stored expiry passed' | 'rejected by the provider';
  checks: number;
  outcomes: Record<string, number>;
  /** Refreshes the provider accepted during the burst (should be 1). */
  refreshes: number;
  /** Requests that replayed the just-spent refresh token and got the same answer back. */
  replays: number;
  /** A lone check afterwards: the stored tokens still work. */
  afterwards: string;
}

export interface ConcurrencyResult {
  concurrent: number;
  expiries: ExpiryRow[];
  tokensLost: number;
  problems: string[];
}

let runs = 0;

/** A Fitbit grant through the real adapter: its consent URL (approved at once by the sandbox) and code exchange. */
async function fitbitGrant(h: Harness, deps: Deps, user: string) {
  const redirectUri = 'http://127.0.0.1:3000/oauth/callback';
  const start = await deps.provider.startAuthorization(redirectUri);
  const url = new URL(start.url);
  url.searchParams.set('sandbox_user', user);
  const res = await fetch(url, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '', h.sandboxUrl).searchParams.get('code');
  if (!code) throw new Error(`fitbit consent answered ${res.status} without a code`);
  return deps.provider.exchangeCode(code, start.codeVerifier, redirectUri);
}

async function replays(h: Harness, user: string): Promise<number> {
  const body = await sandboxCall<{ counters: { apiCalls: Record<string, number> } }>(
    h,
    'GET',
    `/sandbox/users/${user}`,
  );
  return body.counters.apiCalls.fitbitRefreshReplays ?? 0;
}

export async function runConcurrency(
  h: Harness,
  options: { concurrent: number; expiries: number },
): Promise<ConcurrencyResult> {
  runs++;
  const problems: string[] = [];
  const deps: Deps = { ...h.deps, provider: h.provider('fitbit') };
  const user = `rel-conc-${runs}`;
  const tokens = await fitbitGrant(h, deps, user);
  const now = h.clock.now;
  const id = `fitbit#${user}`;
  await deps.subscribers.saveSubscriber({
    id,
    provider: 'fitbit',
    providerUserId: user,
    phone: h.phone(),
    state: 'active',
    tokens,
    timeZone: 'UTC',
    version: 0,
    signupId: `signup-${user}`,
    threshold: 20,
    quietHours: { start: 0, end: 0 },
    devices: {},
    nextCheckAt: now,
    createdAt: now,
    updatedAt: now,
  } satisfies Subscriber);

  const rows: ExpiryRow[] = [];
  let lost = 0;
  for (let expiry = 1; expiry <= options.expiries; expiry++) {
    const how = expiry % 2 === 1 ? 'stored expiry passed' : 'rejected by the provider';
    await sandboxCall(h, 'POST', `/sandbox/users/${user}/expire-tokens`);
    if (how === 'stored expiry passed') {
      const current = await deps.subscribers.getSubscriber(id, h.clock.now);
      if (!current) throw new Error(`${id} vanished`);
      await deps.subscribers.saveSubscriber({
        ...current,
        tokens: { ...current.tokens, expiresAt: h.clock.now - 1 },
      });
    }
    const before = await tokenRefreshes(h, user);
    const replaysBefore = await replays(h, user);
    const results = await Promise.all(
      Array.from({ length: options.concurrent }, () => checkSubscriber(deps, id, { force: true })),
    );
    const after = await tokenRefreshes(h, user);
    const outcomes: Record<string, number> = {};
    for (const r of results) outcomes[r] = (outcomes[r] ?? 0) + 1;
    // Past the replay window: only the stored (rotated) refresh token can work now.
    h.clock.advance(5 * 60_000);
    const afterwards = await checkSubscriber(deps, id, { force: true });
    const stored = await deps.subscribers.getSubscriber(id, h.clock.now);
    const row: ExpiryRow = {
      expiry,
      how,
      checks: options.concurrent,
      outcomes,
      refreshes: after.fitbit - before.fitbit,
      replays: (await replays(h, user)) - replaysBefore,
      afterwards,
    };
    rows.push(row);
    if (row.refreshes !== 1)
      problems.push(`expiry ${expiry} (${how}): ${row.refreshes} refreshes, expected 1`);
    // "skipped": this check lost every optimistic-lock race to checks that saved the same reading.
    const bad = results.filter((r) => r === 'failed' || r === 'deferred');
    if (bad.length > 0) problems.push(`expiry ${expiry} (${how}): outcomes ${JSON.stringify(outcomes)}`);
    if (afterwards !== 'checked' || stored?.state !== 'active') {
      lost++;
      problems.push(`expiry ${expiry}: the subscriber stopped working (${afterwards}, ${stored?.state})`);
    }
  }
  await retire(h, [id]);
  return { concurrent: options.concurrent, expiries: rows, tokensLost: lost, problems };
}
