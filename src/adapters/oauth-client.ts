/**
 * OAuth 2.0 authorization-code + PKCE plumbing shared by both providers, on oauth4webapi. Provider
 * adapters supply endpoints, client authentication style and how their error bodies look.
 */
import * as oauth from 'oauth4webapi';
import {
  InvalidGrantError,
  MalformedResponseError,
  ProviderRefusedError,
  ProviderUnavailableError,
  TokenRejectedError,
} from '../domain/errors';
import type { TokenSet } from '../domain/subscriber';
import type { AuthorizationStart } from '../ports';
import { type FetchLike, raiseForCommonStatus } from './http';

export interface OAuthSettings {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  revocationEndpoint: string;
  clientId: string;
  /** The secret, or how to fetch it (from SSM at cold start in AWS). */
  clientSecret: string | (() => Promise<string>);
  /** Google takes the secret in the form body; Fitbit wants HTTP Basic. */
  clientAuth: 'post' | 'basic';
  timeoutMs: number;
  /** Reads the OAuth error code from a provider's error body (`invalid_grant`, ...). */
  errorCode: (body: unknown) => string | undefined;
  fetch?: FetchLike;
  now?: () => number;
}

export class OAuthClient {
  private readonly as: oauth.AuthorizationServer;
  private readonly client: oauth.Client;

  constructor(private readonly settings: OAuthSettings) {
    this.as = {
      issuer: new URL(settings.authorizationEndpoint).origin,
      authorization_endpoint: settings.authorizationEndpoint,
      token_endpoint: settings.tokenEndpoint,
      revocation_endpoint: settings.revocationEndpoint,
    };
    this.client = { client_id: settings.clientId };
  }

  /**
   * Client authentication for each request to the provider: a secret kept in SSM is fetched on first
   * use and then served from its cache (src/adapters/ssm-secret.ts), so a rotated one is picked up when
   * that cache ages out.
   */
  private async clientAuth(): Promise<oauth.ClientAuth> {
    const { clientSecret, clientAuth } = this.settings;
    const secret = typeof clientSecret === 'string' ? clientSecret : await clientSecret();
    return clientAuth === 'basic' ? oauth.ClientSecretBasic(secret) : oauth.ClientSecretPost(secret);
  }

  /** A consent URL with a fresh state and an S256 PKCE challenge, plus the secrets to keep. */
  async startAuthorization(redirectUri: string, params: Record<string, string>): Promise<AuthorizationStart> {
    const state = oauth.generateRandomState();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const url = new URL(this.settings.authorizationEndpoint);
    url.searchParams.set('client_id', this.settings.clientId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirectUri);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return { url: url.toString(), state, codeVerifier };
  }

  async exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<TokenSet> {
    const callback = oauth.validateAuthResponse(
      this.as,
      this.client,
      new URLSearchParams({ code }),
      oauth.skipStateCheck,
    );
    const auth = await this.clientAuth();
    const response = await this.guard('token exchange', () =>
      oauth.authorizationCodeGrantRequest(
        this.as,
        this.client,
        auth,
        callback,
        redirectUri,
        codeVerifier,
        this.options(),
      ),
    );
    const body = await this.process('token exchange', () =>
      oauth.processAuthorizationCodeResponse(this.as, this.client, response),
    );
    if (!body.refresh_token) throw new MalformedResponseError('token exchange: no refresh token returned');
    return this.toTokenSet(body, body.refresh_token);
  }

  async refresh(refreshToken: string): Promise<TokenSet> {
    const auth = await this.clientAuth();
    const response = await this.guard('token refresh', () =>
      oauth.refreshTokenGrantRequest(this.as, this.client, auth, refreshToken, this.options()),
    );
    const body = await this.process('token refresh', () =>
      oauth.processRefreshTokenResponse(this.as, this.client, response),
    );
    // Google keeps the refresh token; Fitbit hands out a new one each time and kills the old.
    return this.toTokenSet(body, body.refresh_token ?? refreshToken);
  }

  async revoke(token: string): Promise<void> {
    const auth = await this.clientAuth();
    const response = await this.guard('revoke', () =>
      oauth.revocationRequest(this.as, this.client, auth, token, this.options()),
    );
    await this.process('revoke', () => oauth.processRevocationResponse(response));
  }

  private options() {
    const insecure = this.settings.tokenEndpoint.startsWith('http://');
    return {
      [oauth.allowInsecureRequests]: insecure,
      [oauth.customFetch]: this.settings.fetch ?? fetch,
      signal: AbortSignal.timeout(this.settings.timeoutMs),
    };
  }

  /** Sends the request; transport failures and shared statuses become typed errors. */
  private async guard(what: string, send: () => Promise<Response>): Promise<Response> {
    let response: Response;
    try {
      response = await send();
    } catch (error) {
      throw new ProviderUnavailableError(`${what}: request failed`, { cause: error });
    }
    raiseForCommonStatus(response, what);
    if (response.status === 400 || response.status === 401) {
      const code = this.settings.errorCode(
        await response
          .clone()
          .json()
          .catch(() => undefined),
      );
      if (code === 'invalid_grant') throw new InvalidGrantError(`${what}: invalid_grant`);
      if (code === 'invalid_token' || code === 'expired_token')
        throw new TokenRejectedError(`${what}: ${code}`);
    }
    return response;
  }

  private async process<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) {
        if (error.error === 'invalid_grant') throw new InvalidGrantError(`${what}: invalid_grant`);
        throw new ProviderRefusedError(`${what}: ${error.error}`, error.status);
      }
      const name = error instanceof Error ? error.name : 'error';
      throw new MalformedResponseError(`${what}: unexpected answer (${name})`, { cause: error });
    }
  }

  private toTokenSet(body: oauth.TokenEndpointResponse, refreshToken: string): TokenSet {
    const now = (this.settings.now ?? Date.now)();
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    // Google adds `refresh_token_expires_in` (seconds) when the person chose time-based access.
    const grantSeconds = body.refresh_token_expires_in;
    const refreshExpiresAt =
      typeof grantSeconds === 'number' && Number.isFinite(grantSeconds) && grantSeconds > 0
        ? now + grantSeconds * 1000
        : undefined;
    return {
      accessToken: body.access_token,
      refreshToken,
      expiresAt: now + expiresIn * 1000,
      scope: typeof body.scope === 'string' ? body.scope : '',
      ...(refreshExpiresAt !== undefined ? { refreshExpiresAt } : {}),
    };
  }
}
