/**
 * What both provider adapters share: the OAuth calls (delegated to OAuthClient), the consent page's
 * origin, and validated bearer-token GETs against the provider's API. Subclasses add the scopes,
 * the endpoints and the mapping of their answers.
 */
import type * as z from 'zod/mini';
import type { TokenSet } from '../domain/subscriber';
import { bearerGetJson, type FetchLike } from './http';
import type { OAuthClient } from './oauth-client';

export interface ProviderOptions {
  oauth: OAuthClient;
  authorizationEndpoint: string;
  apiBaseUrl: string;
  timeoutMs: number;
  fetch?: FetchLike;
}

export abstract class OAuthHealthProvider {
  readonly authorizationOrigin: string;

  constructor(protected readonly options: ProviderOptions) {
    this.authorizationOrigin = new URL(options.authorizationEndpoint).origin;
  }

  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
    return this.options.oauth.exchangeCode(code, codeVerifier, redirectUri);
  }

  refresh(refreshToken: string): Promise<TokenSet> {
    return this.options.oauth.refresh(refreshToken);
  }

  revoke(token: string): Promise<void> {
    return this.options.oauth.revoke(token);
  }

  /** GET `path` on the provider's API with the access token; the answer must match `schema`. */
  protected get<T>(path: string, accessToken: string, what: string, schema: z.ZodMiniType<T>): Promise<T> {
    const url = new URL(path, this.options.apiBaseUrl).toString();
    return bearerGetJson(url, accessToken, schema, {
      fetch: this.options.fetch ?? fetch,
      timeoutMs: this.options.timeoutMs,
      what,
      readError: (status, body, label) => this.apiError(status, body, label),
    });
  }

  /** A provider's reading of its own error bodies; by default the shared status mapping decides. */
  protected apiError(_status: number, _body: unknown, _what: string): Error | undefined {
    return undefined;
  }
}
