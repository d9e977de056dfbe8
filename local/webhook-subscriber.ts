/**
 * Registers the product's webhook endpoint with the Google Health API's `projects.subscribers`
 * management API (on the local stack: the sandbox's copy of it), replacing any earlier registration
 * under the same id so that a restart on new ports, or a new secret, takes effect. Creation runs
 * Google's verification handshake against the endpoint, so success also proves the endpoint answers it.
 */

export interface WebhookSubscriberOptions {
  /** The Health API base URL, e.g. https://health.googleapis.com or the sandbox's. */
  apiUrl: string;
  project: string;
  subscriberId: string;
  endpointUri: string;
  /** The full Authorization header value Google will send, e.g. "Bearer <random>". */
  secret: string;
  /** An OAuth access token of a principal allowed to manage subscribers. */
  accessToken: string;
  dataTypes?: string[];
}

export type WebhookSubscriberResult = { ok: true; name: string } | { ok: false; error: string };

/** Google's error message from an error body, without echoing anything else. */
async function errorOf(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { error?: { status?: string; message?: string } };
    return `${res.status} ${body.error?.status ?? ''}: ${body.error?.message ?? 'no message'}`;
  } catch {
    return `HTTP ${res.status}`;
  }
}

export async function ensureWebhookSubscriber(o: WebhookSubscriberOptions): Promise<WebhookSubscriberResult> {
  try {
    return await register(o);
  } catch (error) {
    return { ok: false, error: `the management API did not answer: ${(error as Error).message}` };
  }
}

async function register(o: WebhookSubscriberOptions): Promise<WebhookSubscriberResult> {
  const base = `${o.apiUrl.replace(/\/$/, '')}/v4/projects/${encodeURIComponent(o.project)}/subscribers`;
  const headers = { authorization: `Bearer ${o.accessToken}`, 'content-type': 'application/json' };
  // Creation waits for the handshake (two requests to the endpoint), so allow it a minute.
  const signal = () => AbortSignal.timeout(60_000);
  const existing = await fetch(`${base}/${encodeURIComponent(o.subscriberId)}`, {
    method: 'DELETE',
    headers,
    signal: signal(),
  });
  if (existing.status !== 200 && existing.status !== 404)
    return { ok: false, error: `removing the old subscriber failed: ${await errorOf(existing)}` };
  const res = await fetch(`${base}?subscriberId=${encodeURIComponent(o.subscriberId)}`, {
    method: 'POST',
    headers,
    signal: signal(),
    body: JSON.stringify({
      endpointUri: o.endpointUri,
      subscriberConfigs: [
        { dataTypes: o.dataTypes ?? ['steps', 'weight'], subscriptionCreatePolicy: 'AUTOMATIC' },
      ],
      endpointAuthorization: { secret: o.secret },
    }),
  });
  if (res.status !== 200) return { ok: false, error: await errorOf(res) };
  const operation = (await res.json()) as { response?: { name?: string } };
  return {
    ok: true,
    name: operation.response?.name ?? `projects/${o.project}/subscribers/${o.subscriberId}`,
  };
}
