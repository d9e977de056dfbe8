/**
 * Shared HTTP plumbing for the provider adapters: a fetch with a deadline, the mapping of transport
 * failures and HTTP statuses to the domain's typed errors, and a careful JSON read.
 */
import type { ZodMiniType } from 'zod/mini';
import {
  MalformedResponseError,
  ProviderRefusedError,
  ProviderRetiredError,
  ProviderUnavailableError,
  RateLimitedError,
  TokenRejectedError,
} from '../domain/errors';

export type FetchLike = typeof fetch;

/** fetch with a deadline; network failures and timeouts become ProviderUnavailableError. */
export async function fetchWithDeadline(
  fetchImpl: FetchLike,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ProviderUnavailableError(`request to ${new URL(url).host} failed: ${describe(error)}`, {
      cause: error,
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.name} (${cause.code})` : error.name;
  }
  return 'unknown error';
}

/** Seconds from a Retry-After header (delta seconds or an HTTP date), when present and sane. */
export function retryAfterSeconds(response: Response, now = Date.now()): number | undefined {
  const raw = response.headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 86400);
  const date = Date.parse(raw);
  if (Number.isFinite(date)) return Math.max(0, Math.min(86400, Math.ceil((date - now) / 1000)));
  return undefined;
}

/**
 * Raises the typed error for statuses every provider shares: 410 retired, 429 rate limited,
 * 5xx unavailable, 403 refused. Returns for anything else so the caller can read its own errors.
 */
export function raiseForCommonStatus(response: Response, what: string): void {
  const { status } = response;
  if (status === 410) throw new ProviderRetiredError(`${what}: HTTP 410, the API has been retired`);
  if (status === 429) throw new RateLimitedError(`${what}: HTTP 429`, retryAfterSeconds(response));
  if (status >= 500) throw new ProviderUnavailableError(`${what}: HTTP ${status}`);
  if (status === 403) throw new ProviderRefusedError(`${what}: HTTP 403`, status);
}

export async function readJson(response: Response, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new ProviderUnavailableError(`${what}: body could not be read`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`${what}: HTTP ${response.status} with a body that is not JSON`);
  }
}

export interface BearerGetOptions {
  fetch: FetchLike;
  timeoutMs: number;
  what: string;
  /** Reads a provider's own error body first; returns the typed error it means, if any. */
  readError?: (status: number, body: unknown, what: string) => Error | undefined;
}

/**
 * GET a JSON resource with a bearer token. 401 means the token was rejected (refresh and retry);
 * any other refusal is final for this call.
 */
export async function bearerGetJson<T>(
  url: string,
  accessToken: string,
  schema: ZodMiniType<T>,
  options: BearerGetOptions,
): Promise<T> {
  const response = await fetchWithDeadline(
    options.fetch,
    url,
    { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } },
    options.timeoutMs,
  );
  if (response.status >= 400 && options.readError) {
    const body = await response
      .clone()
      .json()
      .catch(() => undefined);
    const error = options.readError(response.status, body, options.what);
    if (error) throw error;
  }
  raiseForCommonStatus(response, options.what);
  if (response.status === 401) throw new TokenRejectedError(`${options.what}: HTTP 401`);
  if (response.status >= 400) {
    throw new ProviderRefusedError(`${options.what}: HTTP ${response.status}`, response.status);
  }
  const parsed = schema.safeParse(await readJson(response, options.what));
  if (!parsed.success) throw new MalformedResponseError(`${options.what}: unexpected shape`);
  return parsed.data;
}
