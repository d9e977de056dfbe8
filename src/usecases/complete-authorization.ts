/**
 * Sign-up, step two (the OAuth callback): check the single-use state and the browser it belongs to,
 * exchange the code, learn who the person is at the provider, store the subscriber as waiting for
 * the phone's YES, and announce the new subscriber so a topic gets made and the YES text sent.
 */
import { randomUUID } from 'node:crypto';
import { AccountNotLinkedError, InvalidGrantError } from '../domain/errors';
import { isValidTimeZone } from '../domain/quiet-hours';
import {
  DEFAULT_QUIET_HOURS,
  DEFAULT_THRESHOLD,
  PENDING_SIGNUP_TTL_MS,
  type Subscriber,
  subscriberId,
} from '../domain/subscriber';
import { type Deps, type Ops, retryOnConflict } from './deps';

export type CallbackDeps = Pick<Deps, 'provider' | 'events' | 'clock' | 'logger' | 'settings'> &
  Ops<'signups', 'consumeSignupState'> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'> &
  Ops<'phones', 'getPhone' | 'releasePhone' | 'setPendingSignup'>;

import { bindingOf } from './start-signup';

export interface CallbackInput {
  state?: string;
  code?: string;
  error?: string;
  browserNonce?: string;
}

export type CallbackResult =
  /** The phone must reply YES before anything else is sent. */
  | { kind: 'pending'; subscriberId: string }
  /** A returning subscriber whose number is already confirmed: alerts simply resume. */
  | { kind: 'restored'; subscriberId: string }
  | { kind: 'denied' }
  | { kind: 'missing_scope' }
  /** The Google account has no Fitbit data (not linked), or a legacy Fitbit login consented. */
  | { kind: 'account_not_linked' }
  | { kind: 'legacy_login' }
  /** Unknown, expired, already used, or started in another browser. */
  | { kind: 'bad_state' }
  | { kind: 'expired_code' };

const STATE_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export async function completeAuthorization(
  deps: CallbackDeps,
  input: CallbackInput,
): Promise<CallbackResult> {
  const { signups, subscribers, phones, provider, clock, logger } = deps;
  const now = clock.now();
  if (!input.state || !STATE_SHAPE.test(input.state))
    return input.error ? { kind: 'denied' } : { kind: 'bad_state' };

  // Consumed first, whatever follows: a state is good for one attempt only.
  const signup = await signups.consumeSignupState(input.state, now);
  if (!signup) return { kind: 'bad_state' };
  if (!input.browserNonce || bindingOf(input.browserNonce) !== signup.browserBinding) {
    logger.warn('callback from a browser that did not start the sign-up');
    return { kind: 'bad_state' };
  }
  if (input.error) {
    logger.info('consent not given', { error: input.error.slice(0, 40) });
    return { kind: 'denied' };
  }
  if (!input.code) return { kind: 'bad_state' };

  let tokens: Awaited<ReturnType<typeof provider.exchangeCode>>;
  try {
    tokens = await provider.exchangeCode(input.code, signup.codeVerifier, deps.settings.redirectUri);
  } catch (error) {
    if (error instanceof InvalidGrantError) return { kind: 'expired_code' };
    throw error;
  }
  if (!provider.hasRequiredScope(tokens.scope)) {
    // A grant we cannot use is handed back rather than kept.
    await provider.revoke(tokens.refreshToken).catch(() => undefined);
    return { kind: 'missing_scope' };
  }

  let profile: Awaited<ReturnType<typeof provider.getProfile>>;
  try {
    profile = await provider.getProfile(tokens.accessToken);
  } catch (error) {
    if (!(error instanceof AccountNotLinkedError)) throw error;
    // Nothing to watch on this account: hand the grant back, keep nothing, text nothing.
    await provider.revoke(tokens.refreshToken).catch(() => undefined);
    logger.info('consent from an account without Fitbit data', { reason: error.reason });
    return { kind: error.reason === 'legacy_login' ? 'legacy_login' : 'account_not_linked' };
  }
  const timeZone =
    profile.timeZone && isValidTimeZone(profile.timeZone) ? profile.timeZone : deps.settings.defaultTimeZone;
  const id = subscriberId(provider.name, profile.userId);
  const phone = signup.phone;
  const signupId = randomUUID();
  const phoneRecord = await phones.getPhone(phone);

  const { saved, restored, previousPhone } = await retryOnConflict(async () => {
    const existing = await subscribers.getSubscriber(id, now);
    const confirmedHere = existing?.phone === phone && phoneRecord?.ownerId === id;
    const restored = confirmedHere && (existing.state === 'active' || existing.state === 'needs_reauth');
    const neverConfirmed = !existing || existing.expiresAt !== undefined;
    const next: Subscriber = {
      id,
      provider: provider.name,
      providerUserId: profile.userId,
      threshold: DEFAULT_THRESHOLD,
      quietHours: DEFAULT_QUIET_HOURS,
      devices: {},
      createdAt: now,
      version: 0,
      ...existing,
      phone,
      tokens,
      timeZone,
      timeZoneCheckedAt: now,
      signupId,
      state: restored ? 'active' : 'pending_confirmation',
      nextCheckAt: restored ? now : undefined,
      updatedAt: now,
      expiresAt: neverConfirmed ? Math.ceil((now + PENDING_SIGNUP_TTL_MS) / 1000) : undefined,
    };
    const previousPhone = existing && existing.phone !== phone ? existing.phone : undefined;
    return { saved: await subscribers.saveSubscriber(next), restored, previousPhone };
  });

  if (previousPhone) await phones.releasePhone(previousPhone, id);
  if (!restored) await phones.setPendingSignup(phone, id);
  await deps.events.publishNewSubscriber({ subscriberId: saved.id, signupId });
  logger.info(restored ? 'subscriber restored' : 'subscriber awaiting confirmation', {
    provider: provider.name,
  });
  return restored
    ? { kind: 'restored', subscriberId: saved.id }
    : { kind: 'pending', subscriberId: saved.id };
}
