/**
 * POST /webhooks/google-health: Google Health API webhook notifications. Answers Google's endpoint
 * verification (the configured Authorization secret: 201; none: 401), and accepts a notification only
 * with that secret (compared in constant time) and Google's ECDSA signature of the raw body (either
 * header name Google's pages use). Anything else gets 401/403 and changes nothing. Each notification
 * of a valid batch is handled on its own; the batch is answered 204 once its early checks are queued,
 * and a temporary failure is thrown (500) so Google delivers it again. A record no redelivery can
 * cure (unreadable, lock lost on every try) is logged and answered 204, so it never blocks a batch.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import * as z from 'zod/mini';
import type { NotificationSignatures } from '../ports';
import { handleSyncNotifications, type SyncNotificationDeps } from '../usecases/handle-sync-notification';
import { type HttpResult, headerOf } from './http-responses';

export const SIGNATURE_HEADERS = ['x-healthapi-signature', 'google-health-api-signature'] as const;
/** Google batches at most a few dozen notifications; a far bigger body is not from Google. */
const MAX_BODY_BYTES = 256 * 1024;
const MAX_NOTIFICATIONS = 200;

const notification = z.object({
  data: z.object({
    healthUserId: z.string().check(z.regex(/^[A-Za-z0-9-]{1,63}$/)),
    dataType: z.string().check(z.maxLength(64)),
    operation: z.optional(z.string().check(z.maxLength(32))),
  }),
});
const payload = z.union([notification, z.array(notification).check(z.maxLength(MAX_NOTIFICATIONS))]);

export interface WebhookDeps extends SyncNotificationDeps {
  /**
   * The full Authorization header value Google was given (SSM, cached for a while per container);
   * `fresh` skips the cache.
   */
  webhookSecret: (options?: { fresh?: boolean }) => Promise<string>;
  signatures: NotificationSignatures;
}

/** Some notification of the batch failed for a reason a redelivery may cure. */
class WebhookRetryError extends Error {
  override name = 'WebhookRetryError';
}

const answer = (statusCode: number): HttpResult => ({ statusCode, headers: { 'cache-control': 'no-store' } });

/** Constant-time equality of two strings of any length (their SHA-256 digests are compared). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

/** A secret that does not match is re-read from its store at most this often (a rotation reaches warm containers). */
const SECRET_REREAD_MS = 60_000;

export function makeGoogleHealthWebhookHandler(deps: WebhookDeps, options: { debounceMs: number }) {
  let rereadAt = Number.NEGATIVE_INFINITY;
  /** The cached secret, and on a mismatch the stored one (once a minute): a rotated secret is honoured at once. */
  const matches = async (authorization: string): Promise<boolean> => {
    if (sameSecret(authorization, await deps.webhookSecret())) return true;
    const now = deps.clock.now();
    if (now - rereadAt < SECRET_REREAD_MS) return false;
    rereadAt = now;
    return sameSecret(authorization, await deps.webhookSecret({ fresh: true }));
  };
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const authorization = headerOf(event, 'authorization');
    if (!authorization) return answer(401);
    try {
      if (!(await matches(authorization))) {
        deps.logger.warn('webhook refused: wrong secret');
        return answer(403);
      }
      const raw = event.body ?? '';
      const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (body.length > MAX_BODY_BYTES) return answer(413);
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        json = undefined;
      }
      // Google's verification requests carry the secret; no signature is documented for them.
      if ((json as { type?: unknown } | undefined)?.type === 'verification') return answer(201);
      const signature = SIGNATURE_HEADERS.map((name) => headerOf(event, name)).find(Boolean);
      if (!signature || !(await deps.signatures.verify(body, signature))) {
        deps.logger.warn('webhook refused: signature missing or invalid');
        return answer(403);
      }
      const parsed = payload.safeParse(json);
      if (!parsed.success) {
        deps.logger.warn('signed webhook body not understood; ignored');
        return answer(400);
      }
      const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
      const { retry } = await handleSyncNotifications(
        deps,
        entries.map(({ data }) => data),
        options,
      );
      if (retry) throw new WebhookRetryError('a notification failed temporarily');
      return answer(204);
    } catch (error) {
      // Thrown on: API Gateway answers 500, Google delivers it again, and the error alarm sees it.
      deps.logger.error('webhook failed; Google will deliver it again', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }
  };
}
