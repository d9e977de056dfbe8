/**
 * Drives the real sign-up, provisioning, inbound and check use cases on the fakes, the way the
 * deployed functions chain them (callback -> new-subscriber event -> provisioning; texts -> inbound),
 * so a test can play a person, an attacker, the clock and the alert rounds in a few lines.
 */
import { randomBytes } from 'node:crypto';
import type { CallbackResult } from '../../src/usecases/complete-authorization';
import { completeAuthorization } from '../../src/usecases/complete-authorization';
import { handleInboundSms, type InboundOutcome } from '../../src/usecases/handle-inbound-sms';
import { provisionTopic } from '../../src/usecases/provision-topic';
import { bindingOf, SIGNUP_STATE_TTL_MS } from '../../src/usecases/start-signup';
import { SERVICE_NUMBER, type TestDeps, tokens } from './fakes';

let sequence = 0;

/** One account finishes consent with `phone`, and every event it announces is provisioned. */
export async function signUpAs(deps: TestDeps, account: string, phone: string): Promise<CallbackResult> {
  const n = ++sequence;
  const state = randomBytes(24).toString('base64url');
  const nonce = `nonce-${n}-aaaaaaaaaaaaaaaa`;
  deps.store.signups.set(state, {
    state,
    codeVerifier: `verifier-${n}`,
    phone,
    browserBinding: bindingOf(nonce),
    expiresAtMs: deps.clock.now() + SIGNUP_STATE_TTL_MS,
  });
  const code = `code-${n}`;
  // Access tokens that outlive the test's clock: these tests are about numbers, not token refresh.
  deps.provider.codes.set(
    code,
    tokens({
      accessToken: `access-${n}`,
      refreshToken: `refresh-${n}`,
      expiresAt: deps.clock.now() + 365 * 86_400_000,
    }),
  );
  deps.provider.profile = { userId: account, timeZone: 'America/New_York' };
  const seen = deps.events.newSubscribers.length;
  const result = await completeAuthorization(deps, { state, code, browserNonce: nonce });
  for (const event of deps.events.newSubscribers.slice(seen)) await provisionTopic(deps, event);
  return result;
}

/** A text from `phone` to the service. */
export function text(deps: TestDeps, phone: string, body: string): Promise<InboundOutcome> {
  return handleInboundSms(deps, { from: phone, to: SERVICE_NUMBER, body, messageId: `msg-${++sequence}` });
}

/** The code in the latest confirmation text `phone` received. */
export function lastCode(deps: TestDeps, phone: string): string | undefined {
  const confirmations = deps.messenger
    .textsTo(phone)
    .filter((t) => /YES \d{4}/.test(t) && !t.includes('e.g.'));
  return confirmations.at(-1)?.match(/YES (\d{4})/)?.[1];
}
