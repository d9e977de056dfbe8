/**
 * `npm run doctor -- --fix`: registers the deployed webhook endpoint with the Google Health API as a
 * subscriber (projects.subscribers), so Google sends sync notifications for faster alerts. Google
 * verifies the endpoint while creating it (the configured secret must get 201, none 401/403), so a
 * success here also proves the deployed endpoint and its secret agree. Never prints the secret.
 */
import { ensureWebhookSubscriber, type WebhookSubscriberOptions } from '../../local/webhook-subscriber';
import type { CheckResult } from './checks';

/**
 * As for the local registration; `endpointUri` is the stack's WebhookUrl output and `secret` the
 * Authorization value kept in SSM (webhookSecretParameter).
 */
export type WebhookFixOptions = Omit<WebhookSubscriberOptions, 'dataTypes'>;

const NAME = 'Google Health webhook subscriber';

/** Creates the subscriber, or replaces one registered for another endpoint; leaves a matching one. */
export async function fixWebhookSubscriber(o: WebhookFixOptions): Promise<CheckResult> {
  const base = `${o.apiUrl.replace(/\/$/, '')}/v4/projects/${encodeURIComponent(o.project)}/subscribers`;
  const existing = await fetch(`${base}/${encodeURIComponent(o.subscriberId)}`, {
    headers: { authorization: `Bearer ${o.accessToken}` },
  });
  if (existing.status === 200) {
    const current = (await existing.json()) as { name?: string; endpointUri?: string };
    if (current.endpointUri === o.endpointUri)
      return {
        name: NAME,
        status: 'ok',
        detail: `${current.name ?? o.subscriberId} already sends to ${o.endpointUri}`,
      };
  } else if (existing.status !== 404) {
    return {
      name: NAME,
      status: 'fail',
      detail: `reading ${o.subscriberId}: HTTP ${existing.status}`,
      fix: 'Check the token (GOOGLE_ACCESS_TOKEN) belongs to a principal with a Google Health API role on the project.',
    };
  }
  const created = await ensureWebhookSubscriber({ ...o, dataTypes: ['steps', 'weight'] });
  if (!created.ok)
    return {
      name: NAME,
      status: 'fail',
      detail: created.error,
      fix: 'Google verifies the endpoint while creating the subscriber: deploy first, and keep the SSM webhook secret as deployed (a new value needs a new deploy or a cold start).',
    };
  return {
    name: NAME,
    status: 'ok',
    detail: `${created.name} sends steps and weight notifications to ${o.endpointUri}`,
  };
}
