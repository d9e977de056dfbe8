/**
 * Sign-up, step two (the OAuth callback): check the single-use state and the browser it belongs to,
 * exchange the code, learn who the person is at the provider, store the subscriber as waiting for
 * the phone's YES, and announce the new subscriber so a topic gets made and the YES text sent.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { AccountNotLinkedError, InvalidGrantError } from '../domain/errors';
import {
  claimPending,
  type Effect,
  expiryAt,
  type NotTextedReason,
  newCode,
  releasePhone,
  signUp,
} from '../domain/lifecycle';
import { maskPhone } from '../domain/phone';
import { isValidTimeZone } from '../domain/quiet-hours';
import {
  DEFAULT_QUIET_HOURS,
  DEFAULT_THRESHOLD,
  PENDING_SIGNUP_TTL_MS,
  type Subscriber,
  subscriberId,
  type TokenSet,
} from '../domain/subscriber';
import { type Ops, retryOnConflict, updatePhone, type WithMessenger } from './deps';
import { bindingOf } from './start-signup';

export type CallbackDeps = WithMessenger<
  'provider' | 'events' | 'clock' | 'logger' | 'settings' | 'limits' | 'phones',
  'isOptedOut'
> &
  Ops<'signups', 'consumeSignupState'> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'>;

export interface CallbackInput {
  state?: string;
  code?: string;
  error?: string;
  browserNonce?: string;
}

export type CallbackResult =
  /**
   * The phone must reply YES before anything else is sent; `phone` is masked, for the page.
   * `faster`: what became of a faster-alerts opt-in (undefined when the person did not ask).
   */
  | { kind: 'pending'; subscriberId: string; phone: string; faster?: FasterOutcome }
  /** A returning subscriber whose number is already confirmed: alerts simply resume. */
  | { kind: 'restored'; subscriberId: string; phone: string; faster?: FasterOutcome }
  /** No text can be sent to that number now: nothing was changed. */
  | { kind: 'not_texted'; reason: NotTextedReason; phone: string }
  | { kind: 'denied' }
  | { kind: 'missing_scope' }
  /** The Google account has no Fitbit data (not linked), or a legacy Fitbit login consented. */
  | { kind: 'account_not_linked' }
  | { kind: 'legacy_login' }
  /** Unknown, expired, already used, or started in another browser. */
  | { kind: 'bad_state' }
  | { kind: 'expired_code' };

/** Faster alerts asked for: on, or off because the extra scope was unticked on the consent screen. */
export type FasterOutcome = 'on' | 'scope_not_granted';

const STATE_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;
const DAY_MS = 24 * 3600_000;

export async function completeAuthorization(
  deps: CallbackDeps,
  input: CallbackInput,
): Promise<CallbackResult> {
  const { signups, subscribers, phones, provider, clock, logger } = deps;
  const now = clock.now();
  if (!input.state || !STATE_SHAPE.test(input.state))
    return input.error ? { kind: 'denied' } : { kind: 'bad_state' };
  // The browser binding is checked before the state is spent: a request from another browser (an
  // attacker replaying a stolen callback URL) cannot burn the real person's sign-up.
  if (!input.browserNonce) {
    logger.warn('callback without the browser binding cookie');
    return { kind: 'bad_state' };
  }
  // Consumed here, whatever follows: a state is good for one attempt only.
  const signup = await signups.consumeSignupState(input.state, bindingOf(input.browserNonce), now);
  if (!signup) return { kind: 'bad_state' };
  if (input.error) {
    logger.info('consent not given', { error: input.error.slice(0, 40) });
    return { kind: 'denied' };
  }
  if (!input.code) return { kind: 'bad_state' };

  const grant = await readGrant(deps, input.code, signup.codeVerifier);
  if ('kind' in grant) return grant;
  const { tokens, profile } = grant;
  const timeZone =
    profile.timeZone && isValidTimeZone(profile.timeZone) ? profile.timeZone : deps.settings.defaultTimeZone;
  const id = subscriberId(provider.name, profile.userId);
  const phone = signup.phone;
  const masked = maskPhone(phone);
  const phoneRecord = await phones.getPhone(phone, now);
  const before = await subscribers.getSubscriber(id, now);
  const confirmedHere = phoneRecord?.ownerId === id && before?.phone === phone;
  const restoring = confirmedHere && (before?.state === 'active' || before?.state === 'needs_reauth');

  if (!restoring) {
    const blocked = await textBlocked(deps, id, phone, now);
    if (blocked) {
      logger.warn('sign-up not texted', { phone: masked, reason: blocked });
      // Nothing changes here. The unused grant goes back, unless revoking it would also end the
      // grant this account's existing subscription lives on.
      if (!before || provider.revocation === 'token')
        await provider.revoke(tokens.refreshToken).catch(() => undefined);
      return { kind: 'not_texted', reason: blocked, phone: masked };
    }
  }

  // Faster alerts only when asked for and granted: a person may untick the extra scope on Google's
  // consent screen, and an earlier grant of it (include_granted_scopes) is no opt-in by itself.
  const fasterAlerts = signup.faster === true && (provider.grantsSyncNotifications?.(tokens.scope) ?? false);
  if (signup.faster === true && !fasterAlerts) logger.info('faster alerts asked for but scope not granted');
  const signupId = randomUUID();
  const { saved, restored, effects } = await retryOnConflict(async () => {
    const existing = await subscribers.getSubscriber(id, now);
    const transition = signUp(existing, {
      id,
      provider: provider.name,
      providerUserId: profile.userId,
      phone,
      tokens,
      timeZone,
      timeZoneCheckedAt: now,
      signupId,
      now,
      pendingTtlMs: PENDING_SIGNUP_TTL_MS,
      confirmedHere: restoring,
      fasterAlerts,
      defaults: { threshold: DEFAULT_THRESHOLD, quietHours: DEFAULT_QUIET_HOURS },
    });
    const saved: Subscriber = await subscribers.saveSubscriber(transition.next);
    return { saved, restored: transition.restored, effects: transition.effects };
  });

  if (!restored) {
    const expiresAtMs = saved.expiresAtMs ?? expiryAt(now + PENDING_SIGNUP_TTL_MS);
    await updatePhone(deps, phone, (record) =>
      claimPending(
        record,
        id,
        { code: newCode(record, id, now, () => randomInt(1_000_000) / 1_000_000), expiresAtMs },
        now,
      ),
    );
  }
  await perform(deps, effects);
  await deps.events.publishNewSubscriber({ subscriberId: saved.id, signupId });
  logger.info(restored ? 'subscriber restored' : 'subscriber awaiting confirmation', {
    provider: provider.name,
  });
  const faster: FasterOutcome | undefined =
    signup.faster === true ? (fasterAlerts ? 'on' : 'scope_not_granted') : undefined;
  return {
    kind: restored ? 'restored' : 'pending',
    subscriberId: saved.id,
    phone: masked,
    ...(faster ? { faster } : {}),
  };
}

type Profile = Awaited<ReturnType<CallbackDeps['provider']['getProfile']>>;

/**
 * Exchanges the code and reads who consented. A grant the service cannot use (a scope unticked, an
 * account without Fitbit data) is handed back at once: nothing is stored, nothing texted.
 */
async function readGrant(
  deps: CallbackDeps,
  code: string,
  codeVerifier: string,
): Promise<{ tokens: TokenSet; profile: Profile } | CallbackResult> {
  const { provider, logger } = deps;
  let tokens: TokenSet;
  try {
    tokens = await provider.exchangeCode(code, codeVerifier, deps.settings.redirectUri);
  } catch (error) {
    if (error instanceof InvalidGrantError) return { kind: 'expired_code' };
    throw error;
  }
  if (!provider.hasRequiredScope(tokens.scope)) {
    await provider.revoke(tokens.refreshToken).catch(() => undefined);
    return { kind: 'missing_scope' };
  }
  try {
    return { tokens, profile: await provider.getProfile(tokens.accessToken) };
  } catch (error) {
    if (!(error instanceof AccountNotLinkedError)) throw error;
    await provider.revoke(tokens.refreshToken).catch(() => undefined);
    logger.info('consent from an account without Fitbit data', { reason: error.reason });
    return { kind: error.reason === 'legacy_login' ? 'legacy_login' : 'account_not_linked' };
  }
}

/**
 * Whether a confirmation text may go to `phone` for this account: each account texts at most a few
 * different numbers a day, and each (number, account) pair gets a few texts a day, so strangers'
 * sign-ups cannot use up a person's own. A number on the opt-out list cannot be texted at all.
 */
async function textBlocked(
  deps: CallbackDeps,
  id: string,
  phone: string,
  now: number,
): Promise<NotTextedReason | undefined> {
  const { limits, settings, messenger } = deps;
  if (await messenger.isOptedOut(phone)) return 'opted_out';
  if (
    !(await limits.takeDistinct(
      'account-numbers',
      id,
      phone,
      settings.maxNumbersPerAccountPerDay,
      DAY_MS,
      now,
    ))
  )
    return 'account_capped';
  if (!(await limits.take('confirmations', `${phone}|${id}`, settings.maxConfirmationsPerDay, DAY_MS, now)))
    return 'number_capped';
  return undefined;
}

async function perform(deps: CallbackDeps, effects: Effect[]): Promise<void> {
  for (const effect of effects) {
    switch (effect.kind) {
      case 'release_phone':
        await updatePhone(deps, effect.phone, (record) =>
          releasePhone(record, effect.subscriberId, deps.clock.now()),
        );
        break;
      case 'revoke':
        // Where revoking one token ends the whole authorization (Google and legacy Fitbit both document
        // that; see their adapters), the replaced token is simply no longer kept: revoking it would
        // cut off the grant that just replaced it.
        if (deps.provider.revocation === 'token') {
          await deps.provider.revoke(effect.refreshToken).catch((error: Error) => {
            deps.logger.warn('replaced grant could not be revoked', { error: error.name });
          });
        }
        break;
      default:
        break;
    }
  }
}
