/**
 * Google OAuth 2.0 and legacy Fitbit OAuth as the app meets them: authorize (consent page or instant
 * approval for scripts), code exchange with PKCE, refresh (Google keeps the refresh token, Fitbit
 * rotates it once) and revoke. Error bodies copy each provider's format so the app's parsing is tested.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Ctx, ensureUser, getUser, validUserId } from './context';
import { intercept } from './faults';
import { HttpError, html, type Router, readForm, redirect, sendHtml, sendJson } from './http';
import { page } from './layout';
import { type AccessToken, type Grant, type Provider, token, type User } from './state';

const GOOGLE_ACCESS_TTL_S = 3600;
const FITBIT_ACCESS_TTL_S = 28800;
const FITBIT_REPLAY_WINDOW_MS = 2 * 60 * 1000;
/** Google drops refresh tokens unused for six months. */
const GOOGLE_IDLE_LIMIT_MS = 183 * 24 * 3600 * 1000;
/** An app in "testing" publishing status gets refresh tokens that die 7 days after consent. */
export const TESTING_REFRESH_TTL_MS = 7 * 24 * 3600 * 1000;
/** Time-based access: the longest a person can pick here (a sandbox bound, not Google's). */
const MAX_GRANT_SECONDS = 366 * 24 * 3600;
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;

interface AuthRequest {
  provider: Provider;
  clientId: string;
  redirectUri: string;
  scope: string[];
  state: string | null;
  offline: boolean;
  codeChallenge: string;
  grantSeconds?: number;
  /** The raw parameters, carried through the consent form. */
  raw: Record<string, string>;
}

const PASSTHROUGH = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'access_type',
  'prompt',
  'code_challenge',
  'code_challenge_method',
  'include_granted_scopes',
  'login_hint',
  // Sandbox only: the person grants access for this many seconds (Google's time-based access).
  'sandbox_grant_seconds',
];

export function registerOAuth(router: Router, ctx: Ctx) {
  const paths: Record<Provider, { authorize: string }> = {
    google: { authorize: '/o/oauth2/v2/auth' },
    fitbit: { authorize: '/oauth2/authorize' },
  };
  for (const provider of ['google', 'fitbit'] as const) {
    const base = paths[provider].authorize;
    router.on('GET', base, (req, res, _p, url) => authorize(ctx, provider, req, res, url.searchParams));
    router.on('POST', `${base}/decision`, async (req, res) =>
      decide(ctx, provider, res, await readForm(req)),
    );
  }
  router.on('POST', '/token', async (req, res) => {
    const form = await readForm(req);
    const call = { target: 'token', user: tokenUser(ctx, 'google', form) } as const;
    if (await intercept(ctx, req, res, call, 'google-oauth')) return;
    await googleToken(ctx, req, res, form);
  });
  router.on('POST', '/revoke', (req, res, _p, url) => googleRevoke(ctx, req, res, url));
  router.on('POST', '/oauth2/token', async (req, res) => {
    const form = await readForm(req);
    const call = { target: 'token', user: tokenUser(ctx, 'fitbit', form) } as const;
    if (await intercept(ctx, req, res, call, 'fitbit')) return;
    fitbitToken(ctx, req, res, form);
  });
  router.on('POST', '/oauth2/revoke', (req, res) => fitbitRevoke(ctx, req, res));
}

/** Whose grant a token request is about, so faults can be aimed at one user. */
function tokenUser(ctx: Ctx, provider: Provider, form: URLSearchParams): string | undefined {
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') {
    const code = ctx.codes.get(form.get('code') ?? '');
    return code?.provider === provider ? code.userId : undefined;
  }
  if (grantType === 'refresh_token') {
    const refresh = form.get('refresh_token') ?? '';
    const grant = ctx.store.grantByRefresh(refresh) ?? ctx.store.grantByRotated(refresh);
    return grant?.provider === provider ? grant.userId : undefined;
  }
  return undefined;
}

function errorPage(res: ServerResponse, status: number, title: string, detail: string) {
  sendHtml(res, status, page(title, html`<section class="card"><h1>${title}</h1><p>${detail}</p></section>`));
}

function retiredPage(ctx: Ctx, provider: Provider, res: ServerResponse): boolean {
  if (provider !== 'fitbit' || !ctx.store.data.legacyRetired) return false;
  errorPage(res, 410, 'Gone', 'The Fitbit Web API and its OAuth endpoints have been turned off.');
  return true;
}

/** Validates everything before anything can redirect: an unchecked redirect_uri is an open redirect. */
function parseAuthRequest(ctx: Ctx, provider: Provider, params: URLSearchParams): AuthRequest | string {
  const clientId = params.get('client_id') ?? '';
  if (clientId !== ctx.opts.clientId) return 'The OAuth client was not found (invalid client_id).';
  const redirectUri = params.get('redirect_uri') ?? '';
  let parsed: URL;
  try {
    parsed = new URL(redirectUri);
  } catch {
    return 'redirect_uri must be an absolute URL.';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return 'redirect_uri must use http or https.';
  if (parsed.hash) return 'redirect_uri must not contain a fragment.';
  if (params.get('response_type') !== 'code') return 'response_type must be "code".';
  const codeChallenge = params.get('code_challenge') ?? '';
  if (!PKCE_VALUE.test(codeChallenge)) return 'code_challenge is missing or malformed (PKCE is required).';
  if (params.get('code_challenge_method') !== 'S256') return 'code_challenge_method must be S256.';
  const scope = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (scope.length === 0) return 'scope is required.';
  const grantRaw = params.get('sandbox_grant_seconds');
  const grantSeconds = grantRaw === null ? undefined : Number(grantRaw);
  if (
    grantSeconds !== undefined &&
    (!Number.isInteger(grantSeconds) || grantSeconds < 1 || grantSeconds > MAX_GRANT_SECONDS)
  )
    return `sandbox_grant_seconds must be a whole number of seconds from 1 to ${MAX_GRANT_SECONDS}.`;
  const raw: Record<string, string> = {};
  for (const key of PASSTHROUGH) {
    const value = params.get(key);
    if (value !== null) raw[key] = value;
  }
  return {
    provider,
    clientId,
    redirectUri,
    scope,
    state: params.get('state'),
    // Fitbit always hands out a refresh token; Google only for offline access.
    offline: provider === 'fitbit' || params.get('access_type') === 'offline',
    codeChallenge,
    raw,
    ...(grantSeconds !== undefined && provider === 'google' ? { grantSeconds } : {}),
  };
}

function redirectWith(res: ServerResponse, request: AuthRequest, extra: Record<string, string>) {
  const target = new URL(request.redirectUri);
  for (const [key, value] of Object.entries(extra)) target.searchParams.set(key, value);
  if (request.state !== null) target.searchParams.set('state', request.state);
  redirect(res, target.toString());
}

function approve(ctx: Ctx, res: ServerResponse, request: AuthRequest, userId: string, scope: string[]) {
  const user = ensureUser(ctx, userId);
  const code = token(request.provider === 'google' ? '4/0A' : 'fc_');
  ctx.codes.set(code, {
    code,
    provider: request.provider,
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    userId: user.id,
    scope: scope.join(' '),
    offline: request.offline,
    expiresAt: ctx.now() + (ctx.opts.codeTtlMs ?? 10 * 60 * 1000),
    used: false,
    ...(request.grantSeconds !== undefined ? { grantSeconds: request.grantSeconds } : {}),
  });
  ctx.log(`[sandbox] ${request.provider} consent approved for ${user.id}`);
  const extra: Record<string, string> = { code };
  if (request.provider === 'google') extra.scope = scope.join(' ');
  redirectWith(res, request, extra);
}

function authorize(
  ctx: Ctx,
  provider: Provider,
  _req: IncomingMessage,
  res: ServerResponse,
  params: URLSearchParams,
) {
  if (retiredPage(ctx, provider, res)) return;
  const request = parseAuthRequest(ctx, provider, params);
  if (typeof request === 'string') return errorPage(res, 400, 'Invalid request', request);
  if (params.get('sandbox_deny') === '1') return redirectWith(res, request, { error: 'access_denied' });
  const sandboxUser = params.get('sandbox_user');
  if (sandboxUser !== null) {
    if (!validUserId(sandboxUser)) {
      return errorPage(res, 400, 'Invalid request', 'sandbox_user must be 1-63 letters, digits or hyphens.');
    }
    const override = params.get('sandbox_scope');
    const scope = override === null ? request.scope : override.split(/\s+/).filter(Boolean);
    return approve(ctx, res, request, sandboxUser, scope);
  }
  sendHtml(res, 200, consentPage(ctx, request));
}

function consentPage(ctx: Ctx, request: AuthRequest): string {
  const users = Object.values(ctx.store.data.users);
  const providerName = request.provider === 'google' ? 'Google' : 'Fitbit';
  const action = request.provider === 'google' ? '/o/oauth2/v2/auth/decision' : '/oauth2/authorize/decision';
  const body = html`<section class="card">
<h1>Sign in with ${providerName} (sandbox)</h1>
<p class="muted">The app at <strong>${new URL(request.redirectUri).host}</strong> wants access to your data.</p>
<form method="post" action="${action}">
${Object.entries(request.raw).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`)}
<fieldset><legend>Account</legend>
${users.map(
  (u, i) =>
    html`<label class="row"><input type="radio" name="user" value="${u.id}"${i === 0 ? html` checked` : ''}> ${u.id} <span class="muted">(${u.devices.length} devices)</span></label>`,
)}
<label class="row"><input type="radio" name="user" value=""${users.length === 0 ? html` checked` : ''}> New account:</label>
<input type="text" name="new_user" aria-label="New account id" placeholder="e.g. alice" pattern="[A-Za-z0-9-]{1,63}" maxlength="63" autocomplete="off">
</fieldset>
<fieldset><legend>Permissions</legend>
${request.scope.map((s) => html`<label class="row"><input type="checkbox" name="granted" value="${s}" checked> <code>${s}</code></label>`)}
</fieldset>
<div class="actions"><button type="submit" name="decision" value="deny" class="secondary">Deny</button>
<button type="submit" name="decision" value="allow">Allow</button></div>
</form></section>`;
  return page(`${providerName} consent`, body);
}

function decide(ctx: Ctx, provider: Provider, res: ServerResponse, form: URLSearchParams) {
  if (retiredPage(ctx, provider, res)) return;
  const request = parseAuthRequest(ctx, provider, form);
  if (typeof request === 'string') return errorPage(res, 400, 'Invalid request', request);
  if (form.get('decision') !== 'allow') return redirectWith(res, request, { error: 'access_denied' });
  const userId = (form.get('user') || form.get('new_user') || '').trim();
  if (!validUserId(userId)) {
    return errorPage(
      res,
      400,
      'Pick an account',
      'Choose an account or type a new id (letters, digits, hyphens).',
    );
  }
  const ticked = new Set(form.getAll('granted'));
  approve(
    ctx,
    res,
    request,
    userId,
    request.scope.filter((s) => ticked.has(s)),
  );
}

// ---- token endpoints -------------------------------------------------------------------------

function googleError(status: number, error: string, description?: string): HttpError {
  return new HttpError(status, description ? { error, error_description: description } : { error });
}

function fitbitError(status: number, errorType: string, message: string): HttpError {
  return new HttpError(status, { errors: [{ errorType, message }], success: false });
}

function basicAuth(req: IncomingMessage): { id: string; secret: string } | undefined {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+(.+)$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function issueAccess(ctx: Ctx, grant: Grant, ttlSeconds: number, prefix: string): AccessToken {
  const access: AccessToken = {
    token: token(prefix),
    grantId: grant.id,
    expiresAt: ctx.now() + ttlSeconds * 1000,
  };
  ctx.store.addAccessToken(access);
  return access;
}

/** Redeems a code: every failure is the same invalid_grant, as providers do not say which check failed. */
function redeemCode(
  ctx: Ctx,
  provider: Provider,
  form: URLSearchParams,
  clientId: string,
  fail: (m: string) => HttpError,
) {
  const code = ctx.codes.get(form.get('code') ?? '');
  if (!code || code.provider !== provider) throw fail('Malformed auth code.');
  if (code.used) throw fail('Authorization code has already been used.');
  if (ctx.now() >= code.expiresAt) throw fail('Authorization code has expired.');
  if (code.clientId !== clientId) throw fail('Authorization code was issued to another client.');
  if ((form.get('redirect_uri') ?? '') !== code.redirectUri) throw fail('redirect_uri does not match.');
  const verifier = form.get('code_verifier') ?? '';
  if (!PKCE_VALUE.test(verifier) || s256(verifier) !== code.codeChallenge)
    throw fail('Invalid code verifier.');
  code.used = true;
  const user = getUser(ctx, code.userId);
  if (!user) throw fail('The user no longer exists.');
  return {
    grant: newGrant(ctx, provider, user, clientId, code.scope, code.offline, code.grantSeconds),
    user,
  };
}

function newGrant(
  ctx: Ctx,
  provider: Provider,
  user: User,
  clientId: string,
  scope: string,
  offline: boolean,
  grantSeconds?: number,
): Grant {
  const now = ctx.now();
  // Time-based access ends when the person said, and the token answers say when; an app in
  // "testing" loses the refresh token after 7 days without a word in the answer.
  const testing = provider === 'google' && ctx.store.data.publishingStatus === 'testing';
  const ends = [
    grantSeconds !== undefined ? now + grantSeconds * 1000 : undefined,
    testing ? now + TESTING_REFRESH_TTL_MS : undefined,
  ].filter((t): t is number => t !== undefined);
  const grant: Grant = {
    id: token('g_'),
    provider,
    userId: user.id,
    clientId,
    scope,
    refreshToken: offline ? token(provider === 'google' ? '1//0' : 'fr_') : undefined,
    revoked: false,
    createdAt: now,
    lastUsedAt: now,
    ...(offline && ends.length ? { expiresAt: Math.min(...ends) } : {}),
    ...(offline && grantSeconds !== undefined ? { announcesExpiry: true } : {}),
  };
  ctx.store.addGrant(grant);
  return grant;
}

/** `refresh_token_expires_in` for a grant given for a limited time: the seconds it has left. */
function expiryAnswer(ctx: Ctx, grant: Grant): Record<string, number> {
  if (!grant.announcesExpiry || grant.expiresAt === undefined) return {};
  return { refresh_token_expires_in: Math.max(0, Math.floor((grant.expiresAt - ctx.now()) / 1000)) };
}

/** Google's answer to a code exchange. */
function googleGrantAnswer(ctx: Ctx, grant: Grant) {
  const access = issueAccess(ctx, grant, GOOGLE_ACCESS_TTL_S, 'ya29.');
  return {
    access_token: access.token,
    expires_in: GOOGLE_ACCESS_TTL_S,
    ...(grant.refreshToken ? { refresh_token: grant.refreshToken, ...expiryAnswer(ctx, grant) } : {}),
    scope: grant.scope,
    token_type: 'Bearer',
  };
}

/**
 * Test and bench helper (POST /sandbox/users/<id>/grant): an offline Google grant for the user, as if
 * they had consented, answered exactly as /token answers a code exchange. Skips the browser flow
 * so a load test can seed thousands of subscribers.
 */
export function mintGoogleGrant(ctx: Ctx, user: User, scope: string) {
  return googleGrantAnswer(ctx, newGrant(ctx, 'google', user, ctx.opts.clientId, scope, true));
}

async function googleToken(ctx: Ctx, req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
  const basic = basicAuth(req);
  const clientId = basic?.id ?? form.get('client_id') ?? '';
  const secret = basic?.secret ?? form.get('client_secret') ?? '';
  if (clientId !== ctx.opts.clientId)
    throw googleError(401, 'invalid_client', 'The OAuth client was not found.');
  if (!sameSecret(secret, ctx.opts.clientSecret)) throw googleError(401, 'invalid_client', 'Unauthorized');
  const fail = (m: string) => googleError(400, 'invalid_grant', m);
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') {
    const { grant } = redeemCode(ctx, 'google', form, clientId, fail);
    return sendJson(res, 200, googleGrantAnswer(ctx, grant));
  }
  if (grantType === 'refresh_token') {
    const refresh = form.get('refresh_token') ?? '';
    const found = ctx.store.grantByRefresh(refresh);
    const grant = found?.provider === 'google' ? found : undefined;
    if (!grant || grant.clientId !== clientId) throw fail('Bad Request');
    if (grant.revoked) throw fail('Token has been expired or revoked.');
    if (ctx.now() - grant.lastUsedAt > GOOGLE_IDLE_LIMIT_MS) throw fail('Token has been expired or revoked.');
    if (grant.expiresAt !== undefined && ctx.now() >= grant.expiresAt)
      throw fail('Token has been expired or revoked.');
    grant.lastUsedAt = ctx.now();
    const user = getUser(ctx, grant.userId);
    if (user) user.counters.tokenRefreshes.google++;
    ctx.store.changed();
    const access = issueAccess(ctx, grant, GOOGLE_ACCESS_TTL_S, 'ya29.');
    // Google keeps the refresh token: the answer carries none.
    return sendJson(res, 200, {
      access_token: access.token,
      expires_in: GOOGLE_ACCESS_TTL_S,
      ...expiryAnswer(ctx, grant),
      scope: grant.scope,
      token_type: 'Bearer',
    });
  }
  throw googleError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
}

/** Finds the grant a token (access or refresh) belongs to. */
function grantForToken(ctx: Ctx, provider: Provider, value: string): Grant | undefined {
  if (!value) return undefined;
  const access = ctx.store.accessToken(value);
  const grant = access ? ctx.store.grant(access.grantId) : ctx.store.grantByRefresh(value);
  return grant?.provider === provider ? grant : undefined;
}

/** Ends every grant the user gave this provider's client, as both providers document revocation. */
function revokeUserGrants(ctx: Ctx, provider: Provider, userId: string) {
  for (const other of ctx.store.grantsOf(userId)) if (other.provider === provider) other.revoked = true;
  ctx.store.changed();
}

async function googleRevoke(ctx: Ctx, req: IncomingMessage, res: ServerResponse, url: URL) {
  const form = await readForm(req);
  const value = form.get('token') ?? url.searchParams.get('token') ?? '';
  const grant = grantForToken(ctx, 'google', value);
  if (!grant || grant.revoked) throw googleError(400, 'invalid_token', 'Token expired or revoked');
  // Whichever token is named, Google ends the account's whole authorization of the app: "Revocation
  // removes all OAuth 2.0 scopes previously granted to a project, invalidating any issued access or
  // refresh tokens" (developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke), so a
  // newer grant of the same account dies with the old one.
  revokeUserGrants(ctx, 'google', grant.userId);
  ctx.log(`[sandbox] google grants of ${grant.userId} revoked by the app`);
  sendJson(res, 200, {});
}

function requireFitbitClient(ctx: Ctx, req: IncomingMessage): string {
  if (ctx.store.data.legacyRetired) throw fitbitError(410, 'gone', 'The Fitbit Web API has been turned off.');
  const basic = basicAuth(req);
  if (!basic || basic.id !== ctx.opts.clientId || !sameSecret(basic.secret, ctx.opts.clientSecret)) {
    throw fitbitError(401, 'invalid_client', 'Invalid authorization header. Client id or secret is invalid.');
  }
  return basic.id;
}

function fitbitToken(ctx: Ctx, req: IncomingMessage, res: ServerResponse, form: URLSearchParams) {
  const clientId = requireFitbitClient(ctx, req);
  const fail = (m: string) => fitbitError(400, 'invalid_grant', m);
  const grantType = form.get('grant_type');
  if (grantType === 'authorization_code') {
    const { grant, user } = redeemCode(ctx, 'fitbit', form, clientId, fail);
    return sendJson(res, 200, fitbitPair(ctx, grant, user.legacyUserId));
  }
  if (grantType === 'refresh_token') {
    const refresh = form.get('refresh_token') ?? '';
    const now = ctx.now();
    const fitbit = (g: Grant | undefined) => (g?.provider === 'fitbit' ? g : undefined);
    const current = fitbit(ctx.store.grantByRefresh(refresh));
    if (current && !current.revoked) {
      const user = getUser(ctx, current.userId);
      const answer = fitbitPair(ctx, current, user?.legacyUserId ?? '', refresh);
      if (user) user.counters.tokenRefreshes.fitbit++;
      return sendJson(res, 200, answer);
    }
    const replayed = fitbit(ctx.store.grantByRotated(refresh));
    if (replayed?.rotated && !replayed.revoked && now - replayed.rotated.at <= FITBIT_REPLAY_WINDOW_MS) {
      const user = getUser(ctx, replayed.userId);
      if (user)
        user.counters.apiCalls.fitbitRefreshReplays = (user.counters.apiCalls.fitbitRefreshReplays ?? 0) + 1;
      return sendJson(res, 200, replayed.rotated.answer);
    }
    throw fail(
      `Refresh token invalid: ${refresh.slice(0, 6)}... Visit https://dev.fitbit.com/docs/oauth2 for more information on the Fitbit Web API authorization process.`,
    );
  }
  throw fitbitError(400, 'unsupported_grant_type', 'The grant type is not supported.');
}

/**
 * A fresh access/refresh pair; the new refresh token replaces the current one. When a refresh token
 * was `spent`, it and this answer are remembered so a retry within the window gets the same answer.
 */
function fitbitPair(ctx: Ctx, grant: Grant, userId: string, spent?: string): Record<string, unknown> {
  const access = issueAccess(ctx, grant, FITBIT_ACCESS_TTL_S, 'eyJ');
  const next = token('fr_');
  grant.lastUsedAt = ctx.now();
  const answer = {
    access_token: access.token,
    expires_in: FITBIT_ACCESS_TTL_S,
    refresh_token: next,
    scope: grant.scope,
    token_type: 'Bearer',
    user_id: userId,
  };
  ctx.store.rotateRefresh(grant, next, spent ? { refreshToken: spent, at: ctx.now(), answer } : undefined);
  return answer;
}

async function fitbitRevoke(ctx: Ctx, req: IncomingMessage, res: ServerResponse) {
  requireFitbitClient(ctx, req);
  const form = await readForm(req);
  const grant = grantForToken(ctx, 'fitbit', form.get('token') ?? '');
  if (grant && !grant.revoked) {
    // "When the token is revoked, all tokens are revoked for that user", every session included
    // (dev.fitbit.com/build/reference/web-api/authorization/revoke-token).
    revokeUserGrants(ctx, 'fitbit', grant.userId);
    ctx.log(`[sandbox] fitbit grants of ${grant.userId} revoked by the app`);
  }
  // RFC 7009: revoking an unknown token is not an error.
  sendJson(res, 200, {});
}
