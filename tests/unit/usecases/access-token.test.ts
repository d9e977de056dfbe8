import {
  InvalidGrantError,
  ProviderUnavailableError,
  TokenRejectedError,
  VersionConflictError,
} from '../../../src/domain/errors';
import { refreshTokens, withAccessToken } from '../../../src/usecases/access-token';
import { aSubscriber, makeDeps, T0, type TestDeps, tokens } from '../../support/fakes';

const fresh = () =>
  tokens({ accessToken: 'test-access-2', refreshToken: 'test-refresh-2', expiresAt: T0 + 7200_000 });

function seed(deps: TestDeps, overrides: Parameters<typeof aSubscriber>[0] = {}) {
  return deps.store.seedSubscriber(aSubscriber(overrides));
}

/** A call that records the tokens it was given and answers with them. */
function recordingCall(rejects: string[] = []) {
  const used: string[] = [];
  const call = async (token: string) => {
    used.push(token);
    if (rejects.includes(token)) throw new TokenRejectedError('HTTP 401');
    return `answer-with-${token}`;
  };
  return { used, call };
}

describe('withAccessToken', () => {
  it('uses a token that is still valid without refreshing', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    const { used, call } = recordingCall();

    const result = await withAccessToken(deps, subscriber, call);

    expect(result.value).toBe('answer-with-test-access-1');
    expect(result.subscriber).toEqual(subscriber);
    expect(used).toEqual(['test-access-1']);
    expect(deps.provider.refreshed).toHaveLength(0);
  });

  it('refreshes an expired token first and stores the new tokens with a bumped version', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps, { tokens: tokens({ expiresAt: T0 - 1 }), version: 3 });
    deps.provider.refreshResults = [fresh()];
    const { used, call } = recordingCall();

    const result = await withAccessToken(deps, subscriber, call);

    expect(used).toEqual(['test-access-2']);
    expect(deps.provider.refreshed).toEqual(['test-refresh-1']);
    expect(result.subscriber).toMatchObject({ version: 4, tokens: fresh(), updatedAt: T0 });
    expect(deps.store.subscribers.get(subscriber.id)).toEqual(result.subscriber);
  });

  it('refreshes a token that expires within the next minute', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps, { tokens: tokens({ expiresAt: T0 + 59_000 }) });
    deps.provider.refreshResults = [fresh()];
    const { used, call } = recordingCall();

    await withAccessToken(deps, subscriber, call);

    expect(used).toEqual(['test-access-2']);
  });

  it('refreshes once and retries when the provider rejects the token', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    deps.provider.refreshResults = [fresh()];
    const { used, call } = recordingCall(['test-access-1']);

    const result = await withAccessToken(deps, subscriber, call);

    expect(result.value).toBe('answer-with-test-access-2');
    expect(used).toEqual(['test-access-1', 'test-access-2']);
    expect(deps.provider.refreshed).toHaveLength(1);
  });

  it('gives up after one retry when the fresh token is rejected too', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);
    deps.provider.refreshResults = [fresh()];
    const { used, call } = recordingCall(['test-access-1', 'test-access-2']);

    await expect(withAccessToken(deps, subscriber, call)).rejects.toBeInstanceOf(TokenRejectedError);
    expect(used).toHaveLength(2);
    expect(deps.provider.refreshed).toHaveLength(1);
  });

  it('does not refresh for errors other than a rejected token', async () => {
    const deps = makeDeps();
    const subscriber = seed(deps);

    await expect(
      withAccessToken(deps, subscriber, async () => {
        throw new ProviderUnavailableError('HTTP 503');
      }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(deps.provider.refreshed).toHaveLength(0);
  });
});

describe('refreshTokens', () => {
  it("uses the winner's tokens when another worker refreshed first", async () => {
    const deps = makeDeps();
    const seen = seed(deps, { version: 5 });
    const winner = tokens({ accessToken: 'test-access-winner', refreshToken: 'test-refresh-winner' });
    deps.store.beforeNextSave = (store) => {
      store.seedSubscriber({ ...seen, tokens: winner, version: 6 });
    };
    deps.provider.refreshResults = [fresh()];

    const result = await refreshTokens(deps, seen);

    expect(result.tokens).toEqual(winner);
    expect(deps.store.subscribers.get(seen.id)?.tokens).toEqual(winner);
    expect(deps.provider.refreshed).toHaveLength(1);
  });

  it('writes its tokens onto a record another worker changed for other reasons', async () => {
    const deps = makeDeps();
    const seen = seed(deps, { version: 5 });
    deps.store.beforeNextSave = (store) => {
      store.seedSubscriber({ ...seen, threshold: 40, version: 6 });
    };
    deps.provider.refreshResults = [fresh()];

    const result = await refreshTokens(deps, seen);

    expect(result).toMatchObject({ version: 7, threshold: 40, tokens: fresh() });
    expect(deps.store.subscribers.get(seen.id)).toEqual(result);
    expect(deps.provider.refreshed).toHaveLength(1);
  });

  it('rethrows a dead grant and leaves the record for the caller to mark', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    deps.provider.refreshResults = [new InvalidGrantError('token refresh: invalid_grant')];

    await expect(refreshTokens(deps, seen)).rejects.toBeInstanceOf(InvalidGrantError);
    expect(deps.store.subscribers.get(seen.id)).toEqual(seen);
    expect(deps.provider.refreshed).toEqual(['test-refresh-1']);
  });

  it('rethrows a dead grant when the subscriber has gone meanwhile', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    deps.store.subscribers.delete(seen.id);
    deps.provider.refreshResults = [new InvalidGrantError('token refresh: invalid_grant')];

    await expect(refreshTokens(deps, seen)).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it('uses the tokens another worker rotated in when its own refresh token was already spent', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    const rotated = tokens({ accessToken: 'test-access-rotated', refreshToken: 'test-refresh-rotated' });
    deps.store.seedSubscriber({ ...seen, tokens: rotated, version: 2 });
    deps.provider.refreshResults = [new InvalidGrantError('token refresh: invalid_grant')];

    const result = await refreshTokens(deps, seen);

    expect(result.tokens).toEqual(rotated);
    expect(deps.store.subscribers.get(seen.id)?.state).toBe('active');
  });

  it('passes other refresh failures through and changes nothing', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    deps.provider.refreshResults = [new ProviderUnavailableError('token refresh: HTTP 503')];

    await expect(refreshTokens(deps, seen)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(deps.store.subscribers.get(seen.id)).toEqual(seen);
  });

  it('gives up with VersionConflictError after repeated lost races, refreshing only once', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    deps.provider.refreshResults = [fresh()];
    deps.store.failures.fail('saveSubscriber', new VersionConflictError('raced'), 5);

    await expect(refreshTokens(deps, seen)).rejects.toBeInstanceOf(VersionConflictError);
    expect(deps.provider.refreshed).toHaveLength(1);
    expect(deps.store.saves).toHaveLength(5);
  });

  it('does not log tokens', async () => {
    const deps = makeDeps();
    const seen = seed(deps);
    deps.provider.refreshResults = [new InvalidGrantError('token refresh: invalid_grant')];

    await refreshTokens(deps, seen).catch(() => undefined);

    expect(deps.logger.dump()).not.toMatch(/test-(access|refresh)/);
  });
});
