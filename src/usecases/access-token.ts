/**
 * Calls the provider with a fresh access token: refreshes an expired one (or one the provider
 * rejects) under the subscriber's optimistic lock, so two workers never lose the tokens; the loser
 * re-reads and uses the winner's. A dead grant surfaces as InvalidGrantError for the caller to handle.
 */
import { InvalidGrantError, TokenRejectedError, VersionConflictError } from '../domain/errors';
import type { Subscriber } from '../domain/subscriber';
import type { Deps, Ops } from './deps';

export type TokenDeps = Pick<Deps, 'provider' | 'clock' | 'logger'> &
  Ops<'subscribers', 'getSubscriber' | 'saveSubscriber'>;

/** Refresh this long before the stated expiry, so a token does not die mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

export interface TokenCallResult<T> {
  value: T;
  /** The subscriber as last read or written (tokens possibly refreshed). */
  subscriber: Subscriber;
}

export async function withAccessToken<T>(
  deps: TokenDeps,
  subscriber: Subscriber,
  call: (accessToken: string) => Promise<T>,
): Promise<TokenCallResult<T>> {
  let current = subscriber;
  if (current.tokens.expiresAt - EXPIRY_MARGIN_MS <= deps.clock.now())
    current = await refreshTokens(deps, current);
  try {
    return { value: await call(current.tokens.accessToken), subscriber: current };
  } catch (error) {
    if (!(error instanceof TokenRejectedError)) throw error;
  }
  current = await refreshTokens(deps, current);
  return { value: await call(current.tokens.accessToken), subscriber: current };
}

/**
 * Refreshes once, then stores the new tokens under the optimistic lock. When the lock is lost to a
 * writer that refreshed too, that writer's tokens win; when it is lost to a writer that changed
 * other fields, ours are written onto their record. The refresh is never repeated: a legacy Fitbit
 * refresh token works only once.
 */
export async function refreshTokens(deps: TokenDeps, seen: Subscriber): Promise<Subscriber> {
  let tokens: Subscriber['tokens'];
  try {
    tokens = await deps.provider.refresh(seen.tokens.refreshToken);
    // A refresh answer may leave out the grant's end; while the refresh token is the same grant's,
    // what the code exchange said (and whether the person was told) still holds.
    if (tokens.refreshToken === seen.tokens.refreshToken) {
      tokens = {
        ...tokens,
        ...(tokens.refreshExpiresAt === undefined && seen.tokens.refreshExpiresAt !== undefined
          ? { refreshExpiresAt: seen.tokens.refreshExpiresAt }
          : {}),
        ...(seen.tokens.expiryNoticeSent ? { expiryNoticeSent: true } : {}),
      };
    }
  } catch (error) {
    if (error instanceof InvalidGrantError) {
      // A concurrent worker may have just used a single-use refresh token: trust a newer record.
      const latest = await deps.subscribers.getSubscriber(seen.id, deps.clock.now());
      if (latest && latest.tokens.refreshToken !== seen.tokens.refreshToken) return latest;
    }
    throw error;
  }
  let current = seen;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await deps.subscribers.saveSubscriber({ ...current, tokens, updatedAt: deps.clock.now() });
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      const latest = await deps.subscribers.getSubscriber(seen.id, deps.clock.now());
      if (!latest) throw error;
      if (latest.tokens.accessToken !== seen.tokens.accessToken) return latest;
      current = latest;
    }
  }
  throw new VersionConflictError('could not store refreshed tokens after several attempts');
}
