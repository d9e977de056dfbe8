import { bindingOf, SIGNUP_STATE_TTL_MS, startSignup } from '../../../src/usecases/start-signup';
import { makeDeps, PHONE, T0 } from '../../support/fakes';

describe('startSignup', () => {
  it('returns invalid with a phone error and stores nothing when the number is not a mobile', async () => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '555-0123', consent: 'yes' });

    expect(result).toEqual({ kind: 'invalid', phone: '555-0123', errors: { phone: 'invalid' } });
    expect(deps.store.signups.size).toBe(0);
    expect(deps.provider.started).toHaveLength(0);
  });

  it('reports an empty number and missing consent together', async () => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '  ', consent: undefined });

    expect(result).toEqual({
      kind: 'invalid',
      phone: '  ',
      errors: { phone: 'empty', consent: 'missing' },
    });
    expect(deps.store.signups.size).toBe(0);
  });

  it.each([undefined, '', 'no', 'false', 'YES', ['yes']])(
    'returns invalid when consent is %p, even with a good number',
    async (consent) => {
      const deps = makeDeps();

      const result = await startSignup(deps, { phone: '(201) 555-0123', consent });

      expect(result).toEqual({
        kind: 'invalid',
        phone: '(201) 555-0123',
        errors: { consent: 'missing' },
      });
      expect(deps.store.signups.size).toBe(0);
    },
  );

  it('echoes at most 64 characters of what was typed, and nothing for a non-string', async () => {
    const deps = makeDeps();

    const long = await startSignup(deps, { phone: 'x'.repeat(500), consent: 'yes' });
    const odd = await startSignup(deps, { phone: { evil: true }, consent: 'yes' });

    expect(long.kind === 'invalid' && long.phone).toBe('x'.repeat(64));
    expect(odd.kind === 'invalid' && odd.phone).toBe('');
  });

  it.each(['yes', 'on', 'true'])('accepts the consent value %s', async (consent) => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '(201) 555-0123', consent });

    expect(result.kind).toBe('redirect');
  });

  it('stores a single-use state with the verifier, the E.164 phone, the browser binding and a 10-minute expiry', async () => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '(201) 555-0123', consent: 'on' });

    if (result.kind !== 'redirect') throw new Error(`expected a redirect, got ${result.kind}`);
    expect(deps.store.signups.size).toBe(1);
    const [stored] = [...deps.store.signups.values()];
    expect(stored).toEqual({
      state: expect.stringMatching(/^[A-Za-z0-9_-]{16,128}$/),
      codeVerifier: expect.any(String),
      phone: PHONE,
      browserBinding: bindingOf(result.browserNonce),
      expiresAtMs: T0 + SIGNUP_STATE_TTL_MS,
    });
    expect(SIGNUP_STATE_TTL_MS).toBe(10 * 60 * 1000);
    expect(stored?.browserBinding).not.toBe(result.browserNonce);
  });

  it("redirects to the provider's consent URL for the configured redirect URI", async () => {
    const deps = makeDeps();

    const result = await startSignup(deps, { phone: '(201) 555-0123', consent: 'yes' });

    if (result.kind !== 'redirect') throw new Error(`expected a redirect, got ${result.kind}`);
    const [stored] = [...deps.store.signups.values()];
    expect(result.location).toBe(`${deps.provider.authorizationOrigin}/auth?state=${stored?.state}`);
    expect(deps.provider.started).toEqual([deps.settings.redirectUri]);
  });

  it('gives every sign-up its own unguessable browser nonce', async () => {
    const deps = makeDeps();

    const a = await startSignup(deps, { phone: '(201) 555-0123', consent: 'yes' });
    const b = await startSignup(deps, { phone: '(201) 555-0123', consent: 'yes' });

    if (a.kind !== 'redirect' || b.kind !== 'redirect') throw new Error('expected redirects');
    expect(a.browserNonce).not.toBe(b.browserNonce);
    expect(a.browserNonce.length).toBeGreaterThanOrEqual(32);
    expect(deps.store.signups.size).toBe(2);
  });

  it('does not log the phone number', async () => {
    const deps = makeDeps();

    await startSignup(deps, { phone: '(201) 555-0123', consent: 'yes' });

    expect(deps.logger.entries.length).toBeGreaterThan(0);
    expect(deps.logger.dump()).not.toContain('5550123');
  });
});

describe('bindingOf', () => {
  it('is a stable SHA-256 of the nonce, different for different nonces', () => {
    expect(bindingOf('nonce-a')).toBe(bindingOf('nonce-a'));
    expect(bindingOf('nonce-a')).not.toBe(bindingOf('nonce-b'));
    expect(bindingOf('nonce-a')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
