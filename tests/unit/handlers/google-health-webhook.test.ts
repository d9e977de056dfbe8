import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { GoogleHealthSignatures } from '../../../src/adapters/google-health-signatures';
import { UnreadableRecordError } from '../../../src/domain/errors';
import type { DeviceMemory, Subscriber } from '../../../src/domain/subscriber';
import { makeGoogleHealthWebhookHandler } from '../../../src/handlers/google-health-webhook';
import { aSubscriber, makeDeps, T0 } from '../../support/fakes';
import { keyset, tinkSigner } from '../../support/tink';

const SECRET = 'Bearer test-webhook-secret-1';
const google = tinkSigner(20261201);
const nearLow = (): DeviceMemory => ({
  name: 'Charge 6',
  type: 'TRACKER',
  level: 26,
  status: 'Medium',
  lastSyncTime: new Date(T0 - 3_600_000).toISOString(),
});
const notificationBody = (user = 'USER1') =>
  JSON.stringify({
    data: {
      healthUserId: user,
      dataType: 'steps',
      operation: 'UPSERT',
      civilIso8601TimeInterval: { startTime: '2026-11-23T06:45:00', endTime: '2026-11-23T07:00:00' },
    },
  });

function setup() {
  const deps = makeDeps();
  const queued: string[][] = [];
  deps.store.seedSubscriber(
    aSubscriber({ fasterAlerts: true, devices: { 'dev-1': nearLow() }, nextCheckAt: T0 + 7_200_000 }),
  );
  const keysetFetches: string[] = [];
  // The secret as cached in the container, and as stored (SSM): they differ after a rotation.
  const cached = { secret: SECRET };
  const stored = { secret: SECRET };
  const secretReads = { fresh: 0 };
  const handler = makeGoogleHealthWebhookHandler(
    {
      ...deps,
      checks: {
        enqueue: async (ids) => {
          queued.push(ids);
        },
      },
      webhookSecret: async (options?: { fresh?: boolean }) => {
        if (options?.fresh) secretReads.fresh++;
        return options?.fresh ? stored.secret : cached.secret;
      },
      signatures: new GoogleHealthSignatures({
        url: 'https://keys.example.test/keyset.json',
        timeoutMs: 1000,
        fetch: (async (url: string) => {
          keysetFetches.push(url);
          return new Response(JSON.stringify(keyset(google)));
        }) as typeof fetch,
      }),
    },
    { debounceMs: 30 * 60_000 },
  );
  const post = (body: string, headers: Record<string, string>, base64 = false) =>
    handler({
      rawPath: '/webhooks/google-health',
      headers: { 'content-type': 'application/json', ...headers },
      body: base64 ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: base64,
      requestContext: { http: { method: 'POST' } },
    } as unknown as APIGatewayProxyEventV2);
  const rotate = (secret: string) => {
    stored.secret = secret;
  };
  return {
    deps,
    queued,
    post,
    stored: () => deps.store.subscribers.get('google#USER1') as Subscriber,
    keysetFetches,
    rotate,
    secretReads,
  };
}

describe('POST /webhooks/google-health', () => {
  describe("Google's endpoint verification", () => {
    it('answers 201 to the request carrying the configured secret', async () => {
      const { post } = setup();

      expect((await post('{"type":"verification"}', { authorization: SECRET })).statusCode).toBe(201);
    });

    it('answers 401 to the request without it, and 403 to a wrong one', async () => {
      const { post } = setup();

      expect((await post('{"type":"verification"}', {})).statusCode).toBe(401);
      expect((await post('{"type":"verification"}', { authorization: 'Bearer wrong' })).statusCode).toBe(403);
    });
  });

  it.each(['X-HEALTHAPI-SIGNATURE', 'GOOGLE-HEALTH-API-SIGNATURE', 'x-healthapi-signature'])(
    'accepts a notification signed in header %s: 204, and the early check is queued',
    async (header) => {
      const { post, queued, stored } = setup();
      const body = notificationBody();

      const result = await post(body, { Authorization: SECRET, [header]: google.sign(body) });

      expect(result.statusCode).toBe(204);
      expect(queued).toEqual([['google#USER1']]);
      expect(stored().lastEarlyCheckAt).toBe(T0);
    },
  );

  it('verifies the raw bytes of a base64-encoded body', async () => {
    const { post, queued } = setup();
    const body = notificationBody();

    const result = await post(
      body,
      { authorization: SECRET, 'x-healthapi-signature': google.sign(body) },
      true,
    );

    expect(result.statusCode).toBe(204);
    expect(queued).toHaveLength(1);
  });

  it('accepts a batch (a JSON array) of notifications', async () => {
    const { post, queued } = setup();
    const body = `[${notificationBody()},${notificationBody('SOMEONE-ELSE')}]`;

    const result = await post(body, { authorization: SECRET, 'x-healthapi-signature': google.sign(body) });

    expect(result.statusCode).toBe(204);
    expect(queued).toEqual([['google#USER1']]);
  });

  const forged: Array<[string, (body: string) => Record<string, string>, string?]> = [
    ['no secret', (body) => ({ 'x-healthapi-signature': google.sign(body) })],
    [
      'a wrong secret',
      (body) => ({ authorization: 'Bearer wrong', 'x-healthapi-signature': google.sign(body) }),
    ],
    [
      'the secret without its scheme',
      (body) => ({ authorization: 'test-webhook-secret-1', 'x-healthapi-signature': google.sign(body) }),
    ],
    ['no signature', () => ({ authorization: SECRET })],
    [
      'a signature by another key',
      (body) => ({ authorization: SECRET, 'x-healthapi-signature': tinkSigner(20261201).sign(body) }),
    ],
    [
      'a signature of another body (tampered)',
      () => ({ authorization: SECRET, 'x-healthapi-signature': google.sign(notificationBody('OTHER')) }),
    ],
  ];

  it.each(forged)(
    'refuses a notification with %s (401/403) and changes nothing',
    async (_label, headersFor) => {
      const { post, queued, deps } = setup();
      const before = structuredClone([...deps.store.subscribers.values()]);
      const body = notificationBody();

      const result = await post(body, headersFor(body));

      expect([401, 403]).toContain(result.statusCode);
      expect(queued).toEqual([]);
      expect([...deps.store.subscribers.values()]).toEqual(before);
    },
  );

  it('answers 400 to a signed body that is not JSON at all', async () => {
    const { post, queued } = setup();
    const body = 'not json {';

    const result = await post(body, { authorization: SECRET, 'x-healthapi-signature': google.sign(body) });

    expect(result.statusCode).toBe(400);
    expect(queued).toEqual([]);
  });

  it('answers 400 to a signed body it cannot read, and changes nothing', async () => {
    const { post, queued } = setup();
    const body = '{"data":{"healthUserId":"../../etc","dataType":"steps"}}';

    const result = await post(body, { authorization: SECRET, 'x-healthapi-signature': google.sign(body) });

    expect(result.statusCode).toBe(400);
    expect(queued).toEqual([]);
  });

  it('fails (so Google delivers again) when the subscriber cannot be read, never logging the secret', async () => {
    const { post, deps } = setup();
    deps.store.failures.fail('getSubscriber', new Error('ProvisionedThroughputExceededException'));
    const body = notificationBody();

    await expect(
      post(body, { authorization: SECRET, 'x-healthapi-signature': google.sign(body) }),
    ).rejects.toThrow();
    expect(JSON.stringify(deps.logger.entries)).not.toContain('test-webhook-secret-1');
  });

  it('answers 204 past a record no redelivery can cure, and still queues the rest of the batch', async () => {
    const { post, deps, queued } = setup();
    deps.store.seedSubscriber(
      aSubscriber({ providerUserId: 'USER2', fasterAlerts: true, devices: { 'dev-2': nearLow() } }),
    );
    deps.store.failures.fail('getSubscriber', new UnreadableRecordError('subscriber', 'devices: invalid'));
    const body = `[${notificationBody()},${notificationBody('USER2')}]`;

    const result = await post(body, { authorization: SECRET, 'x-healthapi-signature': google.sign(body) });

    expect(result.statusCode).toBe(204);
    expect(queued).toEqual([['google#USER2']]);
  });

  it('honours a rotated secret at once by re-reading it on a mismatch, at most once a minute', async () => {
    const { post, deps, rotate, secretReads } = setup();
    rotate('Bearer rotated-secret-2');
    const verify = '{"type":"verification"}';

    expect((await post(verify, { authorization: 'Bearer rotated-secret-2' })).statusCode).toBe(201);
    expect((await post(verify, { authorization: 'Bearer wrong' })).statusCode).toBe(403);
    expect(secretReads.fresh).toBe(1);
    deps.clock.advance(60_000);
    expect((await post(verify, { authorization: 'Bearer wrong' })).statusCode).toBe(403);
    expect(secretReads.fresh).toBe(2);
  });
});
