/**
 * `npm run doctor -- --fix` registers the webhook endpoint with the Google Health API's subscribers
 * API, here the sandbox's copy over real HTTP, which runs Google's verification handshake against a
 * real endpoint: created once, left alone when it already matches, and a failed handshake reported.
 */
import { fixWebhookSubscriber } from '../../scripts/doctor/webhook';
import { getJson } from './sandbox/helpers';
import { SECRET, useWebhookSandbox } from './sandbox/webhook-receiver';

const env = useWebhookSandbox();

const options = () => ({
  apiUrl: env.t.url,
  project: 'test-project',
  subscriberId: 'battery-sms',
  endpointUri: env.receiver.url,
  secret: SECRET,
  accessToken: 'operator-token',
});

describe('doctor --fix: the webhook subscriber', () => {
  it('creates it (Google verifies the endpoint), then leaves a matching one alone', async () => {
    const first = await fixWebhookSubscriber(options());
    const second = await fixWebhookSubscriber(options());

    expect(first).toMatchObject({ status: 'ok', detail: expect.stringContaining('sends steps and weight') });
    expect(second).toMatchObject({ status: 'ok', detail: expect.stringContaining('already sends') });
    const listed = await getJson(`${env.t.url}/v4/projects/test-project/subscribers`, 'operator-token');
    const subscribers = listed.body.subscribers as Array<{ endpointUri?: string }>;
    expect(subscribers).toHaveLength(1);
    expect(subscribers[0]).toMatchObject({ endpointUri: env.receiver.url });
    expect(JSON.stringify([first, second])).not.toContain(SECRET);
  });

  it('fails with Google’s reason when the endpoint does not pass the handshake (another secret)', async () => {
    const result = await fixWebhookSubscriber({ ...options(), secret: 'Bearer not-what-the-endpoint-has' });

    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/FAILED_PRECONDITION/);
    expect(result.detail).not.toContain('not-what-the-endpoint-has');
  });
});
