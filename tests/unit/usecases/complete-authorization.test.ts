import { randomBytes } from 'node:crypto';
import {
  AccountNotLinkedError,
  InvalidGrantError,
  ProviderUnavailableError,
} from '../../../src/domain/errors';
import { expiryAt } from '../../../src/domain/lifecycle';
import { PENDING_SIGNUP_TTL_MS } from '../../../src/domain/subscriber';
import { type CallbackInput, completeAuthorization } from '../../../src/usecases/complete-authorization';
import { bindingOf, SIGNUP_STATE_TTL_MS } from '../../../src/usecases/start-signup';
import { aSubscriber, makeDeps, OTHER_PHONE, PHONE, T0, type TestDeps, tokens } from '../../support/fakes';

const NONCE = 'browser-nonce-aaaaaaaaaaaaaaaa';

/** A sign-up state as startSignup leaves it, for this browser's nonce. */
function seedSignup(deps: TestDeps, options: { phone?: string; nonce?: string } = {}): string {
  const state = randomBytes(24).toString('base64url');
  deps.store.signups.set(state, {
    state,
    codeVerifier: `verifier-${state}`,
    phone: options.phone ?? PHONE,
    browserBinding: bindingOf(options.nonce ?? NONCE),
    expiresAtMs: deps.clock.now() + SIGNUP_STATE_TTL_MS,
  });
  return state;
}

/** The provider will accept `code` and hand out these tokens. */
function scriptCode(deps: TestDeps, code = 'code-1', overrides: Parameters<typeof tokens>[0] = {}): string {
  deps.provider.codes.set(
    code,
    tokens({ accessToken: `access-${code}`, refreshToken: `refresh-${code}`, ...overrides }),
  );
  return code;
}

async function signUp(deps: TestDeps, options: { phone?: string; code?: string } = {}) {
  const state = seedSignup(deps, { phone: options.phone });
  const code = scriptCode(deps, options.code);
  return completeAuthorization(deps, { state, code, browserNonce: NONCE });
}

/** Who the fake table says owns the number and which sign-ups wait for it. */
function ownership(deps: TestDeps, phone: string) {
  const record = deps.store.phones.get(phone);
  if (!record) return undefined;
  return { ownerId: record.ownerId, pending: Object.keys(record.pending ?? {}).sort() };
}

function expectNothingStored(deps: TestDeps): void {
  expect(deps.store.subscribers.size).toBe(0);
  expect(deps.store.phones.size).toBe(0);
  expect(deps.events.newSubscribers).toHaveLength(0);
}

describe('completeAuthorization', () => {
  describe('state checks', () => {
    it('returns bad_state and stores nothing for an unknown state', async () => {
      const deps = makeDeps();
      scriptCode(deps);

      const result = await completeAuthorization(deps, {
        state: 'unknown-state-0000000000',
        code: 'code-1',
        browserNonce: NONCE,
      });

      expect(result).toEqual({ kind: 'bad_state' });
      expectNothingStored(deps);
      expect(deps.provider.exchanged).toHaveLength(0);
    });

    it.each<[string, CallbackInput]>([
      ['no state', { code: 'code-1', browserNonce: NONCE }],
      ['a short state', { state: 'abc', code: 'code-1', browserNonce: NONCE }],
      [
        'a state with odd characters',
        { state: '../../etc/passwd/aaaaaaaa', code: 'code-1', browserNonce: NONCE },
      ],
      ['an overlong state', { state: 'a'.repeat(129), code: 'code-1', browserNonce: NONCE }],
    ])('returns bad_state for %s without touching the store', async (_what, input) => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps);

      const result = await completeAuthorization(deps, input);

      expect(result).toEqual({ kind: 'bad_state' });
      expect(deps.store.signups.has(state)).toBe(true);
      expectNothingStored(deps);
    });

    it('returns denied when the provider reports an error without a state', async () => {
      const deps = makeDeps();

      const result = await completeAuthorization(deps, { error: 'access_denied' });

      expect(result).toEqual({ kind: 'denied' });
    });

    it('returns bad_state the second time the same state is used', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps);
      const first = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      const second = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(first.kind).toBe('pending');
      expect(second).toEqual({ kind: 'bad_state' });
      expect(deps.events.newSubscribers).toHaveLength(1);
      expect(deps.provider.exchanged).toHaveLength(1);
    });

    it('returns bad_state when the state is older than 10 minutes', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps);
      deps.clock.advance(SIGNUP_STATE_TTL_MS);

      const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(result).toEqual({ kind: 'bad_state' });
      expectNothingStored(deps);
    });

    it('accepts a state just before it expires', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps);
      deps.clock.advance(SIGNUP_STATE_TTL_MS - 1);

      const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(result.kind).toBe('pending');
    });

    it.each([
      ['another browser', 'browser-nonce-bbbbbbbbbbbbbbbb'],
      ['no cookie', undefined],
      ['an empty cookie', ''],
    ])(
      'returns bad_state from %s and leaves the state to its own browser (finding 9)',
      async (_what, browserNonce) => {
        const deps = makeDeps();
        const state = seedSignup(deps);
        scriptCode(deps);

        const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce });
        expect(result).toEqual({ kind: 'bad_state' });
        expectNothingStored(deps);
        expect(deps.provider.exchanged).toHaveLength(0);
        const own = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

        expect(own.kind).toBe('pending');
        expect(deps.provider.exchanged).toHaveLength(1);
      },
    );

    it('returns bad_state when a good state arrives without a code', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);

      const result = await completeAuthorization(deps, { state, browserNonce: NONCE });

      expect(result).toEqual({ kind: 'bad_state' });
      expectNothingStored(deps);
    });
  });

  describe('provider answers', () => {
    it('returns denied and exchanges nothing when consent was refused', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);

      const result = await completeAuthorization(deps, {
        state,
        error: 'access_denied',
        browserNonce: NONCE,
      });

      expect(result).toEqual({ kind: 'denied' });
      expect(deps.provider.exchanged).toHaveLength(0);
      expectNothingStored(deps);
      expect(deps.store.signups.has(state)).toBe(false);
    });

    it('returns missing_scope, revokes the grant and stores nothing when the scope was unticked', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps, 'code-1', { scope: 'openid profile' });

      const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(result).toEqual({ kind: 'missing_scope' });
      expect(deps.provider.revoked).toEqual(['refresh-code-1']);
      expectNothingStored(deps);
    });

    it('still returns missing_scope when revoking the grant fails', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps, 'code-1', { scope: '' });
      deps.provider.revoke = async () => {
        throw new ProviderUnavailableError('revoke: HTTP 503');
      };

      const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(result).toEqual({ kind: 'missing_scope' });
      expectNothingStored(deps);
    });

    it('returns expired_code when the provider says invalid_grant at the exchange', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      deps.provider.codes.set('code-1', new InvalidGrantError('token exchange: invalid_grant'));

      const result = await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(result).toEqual({ kind: 'expired_code' });
      expectNothingStored(deps);
    });

    it('rethrows other exchange failures for the handler to map', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      deps.provider.codes.set('code-1', new ProviderUnavailableError('token exchange: HTTP 503'));

      await expect(
        completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE }),
      ).rejects.toBeInstanceOf(ProviderUnavailableError);
      expectNothingStored(deps);
    });

    it('exchanges the code with the stored verifier and the configured redirect URI', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps);

      await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(deps.provider.exchanged).toEqual([
        { code: 'code-1', codeVerifier: `verifier-${state}`, redirectUri: deps.settings.redirectUri },
      ]);
    });
  });

  describe('a successful sign-up', () => {
    it('stores the subscriber as pending confirmation with tokens, time zone, phone and a 24-hour expiry', async () => {
      const deps = makeDeps();
      deps.provider.profile = { userId: 'USER1', timeZone: 'Europe/London' };

      const result = await signUp(deps);

      expect(result).toEqual({ kind: 'pending', subscriberId: 'google#USER1', phone: '+1******0123' });
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored).toMatchObject({
        id: 'google#USER1',
        provider: 'google',
        providerUserId: 'USER1',
        phone: PHONE,
        state: 'pending_confirmation',
        tokens: tokens({ accessToken: 'access-code-1', refreshToken: 'refresh-code-1' }),
        timeZone: 'Europe/London',
        version: 1,
        createdAt: T0,
        updatedAt: T0,
        expiresAtMs: expiryAt(T0 + PENDING_SIGNUP_TTL_MS),
      });
      expect(PENDING_SIGNUP_TTL_MS).toBe(24 * 3600 * 1000);
      expect(stored?.signupId).toEqual(expect.any(String));
    });

    it('marks the subscriber as the sign-up waiting for the phone to say YES', async () => {
      const deps = makeDeps();

      await signUp(deps);

      expect(ownership(deps, PHONE)).toEqual({ ownerId: undefined, pending: ['google#USER1'] });
      expect(deps.store.phones.get(PHONE)?.pending?.['google#USER1']?.code).toMatch(/^\d{4}$/);
    });

    it('announces one new subscriber, carrying ids only', async () => {
      const deps = makeDeps();

      await signUp(deps);

      const stored = deps.store.subscribers.get('google#USER1');
      expect(deps.events.newSubscribers).toEqual([
        { subscriberId: 'google#USER1', signupId: stored?.signupId },
      ]);
      const wire = JSON.stringify(deps.events.newSubscribers);
      expect(wire).not.toContain('access-code-1');
      expect(wire).not.toContain('refresh-code-1');
      expect(wire).not.toContain(PHONE);
    });

    it('logs neither tokens nor the phone number', async () => {
      const deps = makeDeps();

      await signUp(deps);

      const logs = deps.logger.dump();
      expect(logs).not.toContain('access-code-1');
      expect(logs).not.toContain('refresh-code-1');
      expect(logs).not.toContain('5550123');
    });

    it('updates the same record when the same account signs up again', async () => {
      const deps = makeDeps();
      await signUp(deps, { code: 'code-1' });
      const first = deps.store.subscribers.get('google#USER1');
      deps.clock.advance(60_000);

      const result = await signUp(deps, { code: 'code-2' });

      expect(result).toMatchObject({ kind: 'pending', subscriberId: 'google#USER1' });
      expect(deps.store.subscribers.size).toBe(1);
      const second = deps.store.subscribers.get('google#USER1');
      expect(second?.version).toBe(2);
      expect(second?.tokens.accessToken).toBe('access-code-2');
      expect(second?.createdAt).toBe(T0);
      expect(second?.signupId).not.toBe(first?.signupId);
      expect(deps.events.newSubscribers.map((e) => e.signupId)).toEqual([first?.signupId, second?.signupId]);
    });

    it('restores an active subscriber signing up again with their confirmed number', async () => {
      const deps = makeDeps();
      deps.store.seedSubscriber(aSubscriber({ state: 'active', topicArn: 'arn:topic', threshold: 30 }));
      deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

      const result = await signUp(deps);

      expect(result).toEqual({ kind: 'restored', subscriberId: 'google#USER1', phone: '+1******0123' });
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored).toMatchObject({ state: 'active', threshold: 30, topicArn: 'arn:topic', version: 2 });
      expect(stored?.tokens.accessToken).toBe('access-code-1');
      expect(stored?.expiresAtMs).toBeUndefined();
      expect(ownership(deps, PHONE)).toEqual({ ownerId: 'google#USER1', pending: [] });
      expect(deps.events.newSubscribers).toHaveLength(1);
    });

    it('restores a subscriber who needed to sign in again', async () => {
      const deps = makeDeps();
      deps.store.seedSubscriber(aSubscriber({ state: 'needs_reauth' }));
      deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

      const result = await signUp(deps);

      expect(result.kind).toBe('restored');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('active');
    });

    it('asks a stopped subscriber to confirm again rather than restoring them', async () => {
      const deps = makeDeps();
      deps.store.seedSubscriber(aSubscriber({ state: 'stopped' }));
      deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

      const result = await signUp(deps);

      expect(result.kind).toBe('pending');
      expect(deps.store.subscribers.get('google#USER1')?.state).toBe('pending_confirmation');
      expect(ownership(deps, PHONE)).toEqual({ ownerId: 'google#USER1', pending: ['google#USER1'] });
      expect(deps.store.subscribers.get('google#USER1')?.expiresAtMs).toBe(
        expiryAt(T0 + PENDING_SIGNUP_TTL_MS),
      );
    });

    it('leaves the owner of a number in place when a new account signs up with it, until YES', async () => {
      const deps = makeDeps();
      const owner = deps.store.seedSubscriber(aSubscriber({ providerUserId: 'OWNER', id: 'google#OWNER' }));
      deps.store.phones.set(PHONE, { phone: PHONE, ownerId: owner.id });
      deps.provider.profile = { userId: 'NEWCOMER', timeZone: 'UTC' };

      const result = await signUp(deps);

      expect(result).toMatchObject({ kind: 'pending', subscriberId: 'google#NEWCOMER' });
      expect(ownership(deps, PHONE)).toEqual({ ownerId: owner.id, pending: ['google#NEWCOMER'] });
      expect(deps.store.subscribers.get(owner.id)).toEqual(owner);
    });

    it('releases the old number of a confirmed subscriber who signs up with a new one; the pending record expires (finding 6)', async () => {
      const deps = makeDeps();
      deps.store.seedSubscriber(aSubscriber({ phone: PHONE, state: 'active' }));
      deps.store.phones.set(PHONE, { phone: PHONE, ownerId: 'google#USER1' });

      const result = await signUp(deps, { phone: OTHER_PHONE });

      expect(result.kind).toBe('pending');
      // Nothing holds the old number any more.
      expect(deps.store.phones.has(PHONE)).toBe(false);
      expect(ownership(deps, OTHER_PHONE)).toEqual({ ownerId: undefined, pending: ['google#USER1'] });
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored?.phone).toBe(OTHER_PHONE);
      expect(stored?.expiresAtMs).toBe(expiryAt(T0 + PENDING_SIGNUP_TTL_MS));
    });

    it('starts afresh when the earlier unconfirmed sign-up of that account has expired', async () => {
      const deps = makeDeps();
      deps.store.seedSubscriber(
        aSubscriber({
          state: 'pending_confirmation',
          version: 4,
          expiresAtMs: Math.floor(T0 / 1000) * 1000 - 1000,
          threshold: 5,
        }),
      );

      const result = await signUp(deps);

      expect(result.kind).toBe('pending');
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored).toMatchObject({ version: 1, threshold: 20, createdAt: T0 });
    });

    it('retries on a lost optimistic-lock race and keeps what the other writer stored', async () => {
      const deps = makeDeps();
      deps.store.beforeNextSave = (store) => {
        store.seedSubscriber(
          aSubscriber({
            state: 'pending_confirmation',
            threshold: 35,
            version: 1,
            expiresAtMs: expiryAt(T0) + 100_000,
          }),
        );
      };

      const result = await signUp(deps);

      expect(result.kind).toBe('pending');
      expect(deps.store.saves).toHaveLength(2);
      const stored = deps.store.subscribers.get('google#USER1');
      expect(stored).toMatchObject({ version: 2, threshold: 35, tokens: { accessToken: 'access-code-1' } });
      expect(deps.events.newSubscribers).toHaveLength(1);
    });
  });

  describe('Google account states', () => {
    it.each([
      ['not_linked', 'account_not_linked'],
      ['legacy_login', 'legacy_login'],
    ] as const)(
      'answers %s with its own page, revokes the grant, stores and texts nothing',
      async (reason, kind) => {
        const deps = makeDeps();
        deps.provider.profile = new AccountNotLinkedError('identity: HTTP 400', reason);

        const result = await signUp(deps);

        expect(result).toEqual({ kind });
        expect(deps.provider.revoked).toEqual(['refresh-code-1']);
        expectNothingStored(deps);
        expect(deps.messenger.texts).toHaveLength(0);
        expect(deps.messenger.published).toHaveLength(0);
      },
    );

    it('still answers with the page when revoking the grant fails', async () => {
      const deps = makeDeps();
      deps.provider.profile = new AccountNotLinkedError('identity: HTTP 400', 'not_linked');
      deps.provider.revoke = async () => {
        throw new ProviderUnavailableError('revoke: HTTP 503');
      };

      expect(await signUp(deps)).toEqual({ kind: 'account_not_linked' });
      expectNothingStored(deps);
    });

    it("uses the deployment's default zone when Google's settings have none, and says when it looked", async () => {
      const deps = makeDeps();
      deps.provider.profile = { userId: 'USER1' };

      await signUp(deps);

      expect(deps.store.subscribers.get('google#USER1')).toMatchObject({
        timeZone: deps.settings.defaultTimeZone,
        timeZoneCheckedAt: T0,
      });
    });

    it('uses the default zone for a zone name no clock knows', async () => {
      const deps = makeDeps();
      deps.provider.profile = { userId: 'USER1', timeZone: 'Mars/Olympus_Mons' };

      await signUp(deps);

      expect(deps.store.subscribers.get('google#USER1')?.timeZone).toBe(deps.settings.defaultTimeZone);
    });

    it('keeps when a grant for a limited time lapses', async () => {
      const deps = makeDeps();
      const state = seedSignup(deps);
      scriptCode(deps, 'code-1', { refreshExpiresAt: T0 + 7 * 86_400_000 });

      await completeAuthorization(deps, { state, code: 'code-1', browserNonce: NONCE });

      expect(deps.store.subscribers.get('google#USER1')?.tokens.refreshExpiresAt).toBe(T0 + 7 * 86_400_000);
    });
  });
});
