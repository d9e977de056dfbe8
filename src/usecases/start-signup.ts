/**
 * Sign-up, step one: check the number and the consent, remember a single-use OAuth state bound to
 * this browser, and send the person to the provider's consent screen.
 */
import { createHash, randomBytes } from 'node:crypto';
import { countryOf, parseMobileNumber } from '../domain/phone';
import type { Deps, Ops } from './deps';

/** How long a person has to finish the provider's consent screen. */
export const SIGNUP_STATE_TTL_MS = 10 * 60 * 1000;

export interface SignupForm {
  phone: unknown;
  consent: unknown;
}

export type StartSignupResult =
  | { kind: 'invalid'; phone: string; errors: { phone?: 'empty' | 'invalid'; consent?: 'missing' } }
  /** A valid number in a country the service does not text (SMS pumping goes for costly ones). */
  | { kind: 'country' }
  | { kind: 'redirect'; location: string; browserNonce: string };

export function bindingOf(browserNonce: string): string {
  return createHash('sha256').update(browserNonce).digest('base64url');
}

export type SignupDeps = Pick<Deps, 'provider' | 'clock' | 'logger' | 'settings'> &
  Ops<'signups', 'putSignupState'>;

export async function startSignup(deps: SignupDeps, form: SignupForm): Promise<StartSignupResult> {
  const phone = parseMobileNumber(form.phone, deps.settings.defaultCountry);
  const consented = form.consent === 'yes' || form.consent === 'on' || form.consent === 'true';
  if (!phone.ok || !consented) {
    const errors: { phone?: 'empty' | 'invalid'; consent?: 'missing' } = {};
    if (!phone.ok) errors.phone = phone.reason;
    if (!consented) errors.consent = 'missing';
    const typed = typeof form.phone === 'string' ? form.phone.slice(0, 64) : '';
    return { kind: 'invalid', phone: typed, errors };
  }

  if (!deps.settings.allowedCountries.includes(countryOf(phone.e164) ?? '')) {
    deps.logger.info('sign-up from a country not served', { country: countryOf(phone.e164) ?? 'unknown' });
    return { kind: 'country' };
  }

  const start = await deps.provider.startAuthorization(deps.settings.redirectUri);
  const browserNonce = randomBytes(24).toString('base64url');
  await deps.signups.putSignupState({
    state: start.state,
    codeVerifier: start.codeVerifier,
    phone: phone.e164,
    browserBinding: bindingOf(browserNonce),
    expiresAtMs: deps.clock.now() + SIGNUP_STATE_TTL_MS,
  });
  deps.logger.info('sign-up started', { provider: deps.provider.name });
  return { kind: 'redirect', location: start.url, browserNonce };
}
