/**
 * The sandbox's Google Health webhooks over real HTTP, against a small local endpoint written from
 * the contract: the subscriber management API and its verification handshake, signed notifications
 * on every sync of a user who granted the matching scope, retries with backoff, forged and replayed
 * notifications, key rotation. "Nothing was sent" is proven by the settled signal, never by waiting.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Sandbox, startSandbox } from '../../../local/sandbox';
import { ensureWebhookSubscriber } from '../../../local/webhook-subscriber';
import { CLIENT_ID, CLIENT_SECRET, getJson, SERVICE_NUMBER, sendJsonTo } from './helpers';
import { Receiver, SECRET, useWebhookSandbox } from './webhook-receiver';

const ACTIVITY = 'https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly';
const METRICS = 'https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly';
const SETTINGS_SCOPE = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';
const ADMIN = { authorization: 'Bearer admin-token' };
// biome-ignore lint/suspicious/noExplicitAny: JSON answers are probed field by field in assertions.
type Json = Record<string, any>;

const env = useWebhookSandbox();

beforeEach(async () => {
  // Fast retries: the tests wait for the settled signal, never for a time.
  expect((await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', { retryBaseMs: 5 })).status).toBe(
    200,
  );
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = ADMIN) {
  const res = await fetch(`${env.t.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function createSubscriber(
  over: Record<string, unknown> = {},
  id = 'battery-sms',
  dataTypes: string[] = ['steps', 'weight'],
) {
  return call('POST', `/v4/projects/test-project/subscribers?subscriberId=${id}`, {
    endpointUri: env.receiver.url,
    subscriberConfigs: [{ dataTypes, subscriptionCreatePolicy: 'AUTOMATIC' }],
    endpointAuthorization: { secret: SECRET },
    ...over,
  });
}

async function grant(user: string, scope: string) {
  expect((await sendJsonTo(`${env.t.url}/sandbox/users/${user}/grant`, 'POST', { scope })).status).toBe(200);
}

async function putDevices(user: string, devices: unknown[]) {
  const res = await sendJsonTo(`${env.t.url}/sandbox/users/${user}/devices`, 'PUT', devices);
  expect(res.status).toBe(200);
}

async function settled() {
  const res = await getJson(`${env.t.url}/sandbox/webhooks/deliveries?settled=1`);
  expect(res.status).toBe(200);
  return res.body as unknown as { pending: number; deliveries: Json[] };
}

const tracker = (level = 80) => ({ deviceType: 'TRACKER', batteryLevel: level, batteryStatus: 'High' });
const scale = (level = 90) => ({ deviceType: 'SCALE', batteryLevel: level, batteryStatus: 'High' });

describe('sandbox webhooks: subscribers and the verification handshake', () => {
  it('creates a subscriber after the two verification requests pass, and never shows the secret', async () => {
    const res = await createSubscriber();

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      done: true,
      response: {
        name: 'projects/test-project/subscribers/battery-sms',
        endpointUri: env.receiver.url,
        endpointAuthorization: { secretSet: true },
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    const [first, second] = env.receiver.received;
    expect(env.receiver.received).toHaveLength(2);
    expect(JSON.parse(first?.body ?? '')).toEqual({ type: 'verification' });
    expect(first?.headers.authorization).toBe(SECRET);
    expect(first?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(second?.body ?? '')).toEqual({ type: 'verification' });
    expect(second?.headers.authorization).toBeUndefined();
    const list = await call('GET', '/v4/projects/test-project/subscribers');
    expect(list.body.subscribers).toHaveLength(1);
  });

  it.each([
    [
      'answers 200 instead of 201 to the authorized request',
      { verificationStatus: 200 },
      /with the Authorization header got HTTP 200, expected 201/,
    ],
    [
      'accepts the request without a secret',
      { unauthorizedStatus: 201 },
      /without the Authorization header got HTTP 201, expected 401 or 403/,
    ],
  ])(
    'refuses an endpoint that %s, with FAILED_PRECONDITION, and stores nothing',
    async (_name, over, message) => {
      Object.assign(env.receiver, over);

      const res = await createSubscriber();

      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 400, status: 'FAILED_PRECONDITION' });
      expect(res.body.error.message).toMatch(message);
      expect((await call('GET', '/v4/projects/test-project/subscribers')).body).toEqual({});
    },
  );

  it('refuses an endpoint nobody listens on', async () => {
    await env.receiver.close();

    const res = await createSubscriber();

    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe('FAILED_PRECONDITION');
    expect(res.body.error.message).toMatch(/no answer/);
  });

  it.each([
    ['a plain-HTTP endpoint off this machine', { endpointUri: 'http://example.com/hook' }, /HTTPS/],
    ['no secret', { endpointAuthorization: {} }, /endpointAuthorization.secret is required/],
    [
      'a data type Google does not offer',
      { subscriberConfigs: [{ dataTypes: ['battery'], subscriptionCreatePolicy: 'AUTOMATIC' }] },
      /unsupported data type "battery"/,
    ],
  ])('answers INVALID_ARGUMENT for %s, without calling the endpoint', async (_name, over, message) => {
    const res = await createSubscriber(over);

    expect(res.status).toBe(400);
    expect(res.body.error.status).toBe('INVALID_ARGUMENT');
    expect(res.body.error.message).toMatch(message);
    expect(env.receiver.received).toHaveLength(0);
  });

  it('refuses a bad subscriber id, a taken one, and a call without credentials', async () => {
    expect((await createSubscriber({}, 'X')).body.error.status).toBe('INVALID_ARGUMENT');
    expect((await createSubscriber()).status).toBe(200);
    const again = await createSubscriber();
    expect(again.status).toBe(409);
    expect(again.body.error.status).toBe('ALREADY_EXISTS');
    const anonymous = await call('GET', '/v4/projects/test-project/subscribers', undefined, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.status).toBe('UNAUTHENTICATED');
  });

  it('re-runs the handshake on PATCH and forgets a deleted subscriber', async () => {
    await createSubscriber();
    env.receiver.unauthorizedStatus = 200;
    const patch = await call('PATCH', '/v4/projects/test-project/subscribers/battery-sms', {
      endpointUri: env.receiver.url,
    });
    expect(patch.status).toBe(400);
    expect(patch.body.error.status).toBe('FAILED_PRECONDITION');

    expect((await call('DELETE', '/v4/projects/test-project/subscribers/battery-sms')).status).toBe(200);
    expect((await call('GET', '/v4/projects/test-project/subscribers/battery-sms')).status).toBe(404);
  });
});

describe('sandbox webhooks: notifications on sync', () => {
  it('tells the subscriber, signed and with the secret, when a user with the activity scope syncs a tracker', async () => {
    await createSubscriber();
    await grant('alice', `${SETTINGS_SCOPE} ${ACTIVITY}`);

    await putDevices('alice', [tracker(24)]);
    const { pending, deliveries } = await settled();

    expect(pending).toBe(0);
    const [n] = env.receiver.notifications();
    expect(env.receiver.notifications()).toHaveLength(1);
    expect(n?.status).toBe(204);
    expect(n?.headers.authorization).toBe(SECRET);
    expect(n?.headers['x-healthapi-signature']).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const body = JSON.parse(n?.body ?? '');
    expect(body.data).toMatchObject({ healthUserId: 'alice', dataType: 'steps', operation: 'UPSERT' });
    expect(body.data.civilIso8601TimeInterval.endTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    expect(deliveries.filter((d) => d.kind === 'notification')).toEqual([
      expect.objectContaining({ userId: 'alice', dataType: 'steps', state: 'delivered' }),
    ]);
  });

  it('sends weight for a scale under the health metrics scope, and nothing for a scale without it', async () => {
    await createSubscriber();
    await grant('carol', `${SETTINGS_SCOPE} ${METRICS}`);
    await grant('dave', `${SETTINGS_SCOPE} ${ACTIVITY}`);

    await putDevices('carol', [scale()]);
    await putDevices('dave', [scale()]);
    await settled();

    const sent = env.receiver.notifications().map((r) => JSON.parse(r.body).data);
    expect(sent).toEqual([expect.objectContaining({ healthUserId: 'carol', dataType: 'weight' })]);
  });

  it('sends nothing for a user without the scope, or whose grant was revoked', async () => {
    await createSubscriber();
    await grant('erin', SETTINGS_SCOPE);
    await grant('frank', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    expect((await sendJsonTo(`${env.t.url}/sandbox/users/frank/revoke`, 'POST', {})).status).toBe(200);

    await putDevices('erin', [tracker()]);
    await putDevices('frank', [tracker()]);
    const { deliveries } = await settled();

    expect(deliveries.filter((d) => d.kind === 'notification')).toEqual([]);
    expect(env.receiver.notifications()).toEqual([]);
  });

  it('sends only the data types a subscriber asked for', async () => {
    await createSubscriber({}, 'steps-only', ['steps']);
    await grant('gina', `${SETTINGS_SCOPE} ${ACTIVITY} ${METRICS}`);

    await putDevices('gina', [tracker(), scale()]);
    await settled();

    expect(env.receiver.notifications().map((r) => JSON.parse(r.body).data.dataType)).toEqual(['steps']);
  });

  it('POST /sandbox/users/<id>/sync moves the sync time to now, keeps the levels, and notifies', async () => {
    await createSubscriber();
    await grant('hank', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await putDevices('hank', [{ ...tracker(31), lastSyncTime: '2026-11-23T08:00:00Z' }]);
    await settled();
    env.t.clock.advance(60_000);

    const res = await sendJsonTo(`${env.t.url}/sandbox/users/hank/sync`, 'POST', {});
    await settled();

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: 'hank', lastSyncTime: '2026-11-23T12:01:00Z' });
    const devices = (await getJson(`${env.t.url}/sandbox/users/hank/devices`)).body as Array<
      Record<string, unknown>
    >;
    expect(devices).toEqual([
      expect.objectContaining({ batteryLevel: 31, lastSyncTime: '2026-11-23T12:01:00Z' }),
    ]);
    expect(env.receiver.notifications()).toHaveLength(2);
  });

  it('the devices page\'s "sync now" notifies too', async () => {
    await createSubscriber();
    await grant('olga', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await putDevices('olga', [tracker(40)]);
    await settled();
    const [device] = (await getJson(`${env.t.url}/sandbox/users/olga/devices`)).body as Array<{
      name: string;
    }>;

    const res = await fetch(`${env.t.url}/sandbox/devices/update`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        user: 'olga',
        device: device?.name ?? '',
        batteryLevel: '22',
        batteryStatus: 'auto',
        syncNow: '1',
      }),
      redirect: 'manual',
    });
    await settled();

    expect(res.status).toBe(303);
    expect(env.receiver.notifications()).toHaveLength(2);
  });

  it('answers 404 to a sync of an unknown user', async () => {
    expect((await sendJsonTo(`${env.t.url}/sandbox/users/nobody/sync`, 'POST', {})).status).toBe(404);
  });

  it('uses the other signature header name when told to', async () => {
    await createSubscriber();
    await grant('ivy', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', {
      signatureHeader: 'GOOGLE-HEALTH-API-SIGNATURE',
    });

    await putDevices('ivy', [tracker()]);
    await settled();

    const [n] = env.receiver.notifications();
    expect(n?.headers['google-health-api-signature']).toBeDefined();
    expect(n?.headers['x-healthapi-signature']).toBeUndefined();
    expect(n?.status).toBe(204);
  });
});

describe('sandbox webhooks: retries', () => {
  it('retries a failing endpoint with backoff until it answers 2xx, and shows every attempt', async () => {
    await createSubscriber();
    await grant('jack', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    env.receiver.failNext = 2;

    await putDevices('jack', [tracker()]);
    const { deliveries } = await settled();

    const [d] = deliveries.filter((x) => x.kind === 'notification');
    expect(d?.state).toBe('delivered');
    expect(d?.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 204]);
    // The same signed bytes every time.
    expect(new Set(env.receiver.notifications().map((r) => r.body)).size).toBe(1);
  });

  it('gives up after maxAttempts', async () => {
    await createSubscriber();
    await grant('kim', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', { maxAttempts: 3 });
    env.receiver.failNext = 10;

    await putDevices('kim', [tracker()]);
    const { deliveries } = await settled();

    const [d] = deliveries.filter((x) => x.kind === 'notification');
    expect(d?.state).toBe('failed');
    expect(d?.attempts).toHaveLength(3);
  });

  it('counts a connection error as a failure', async () => {
    await createSubscriber();
    await grant('lee', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', { maxAttempts: 2 });
    await env.receiver.close();

    await putDevices('lee', [tracker()]);
    const { deliveries } = await settled();

    const [d] = deliveries.filter((x) => x.kind === 'notification');
    expect(d?.state).toBe('failed');
    expect(d?.attempts).toEqual([
      expect.objectContaining({ error: expect.any(String) }),
      expect.objectContaining({ error: expect.any(String) }),
    ]);
  });

  it('refuses bad settings', async () => {
    const res = await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', { maxAttempts: 0 });
    expect(res.status).toBe(400);
    expect((await sendJsonTo(`${env.t.url}/sandbox/webhooks/settings`, 'PUT', { retries: 1 })).status).toBe(
      400,
    );
  });
});

describe('sandbox webhooks: forged and replayed notifications', () => {
  beforeEach(async () => {
    await createSubscriber();
    await grant('mia', `${SETTINGS_SCOPE} ${ACTIVITY}`);
  });

  it.each(['bad-signature', 'tampered', 'no-signature', 'no-secret', 'wrong-secret'])(
    '%s: a verifying endpoint refuses it',
    async (kind) => {
      const res = await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', { kind, userId: 'mia' });

      expect(res.status).toBe(200);
      const [d] = res.body.deliveries as Array<{ attempts: Array<{ status: number }>; kind: string }>;
      expect(d?.kind).toBe(kind);
      expect([401, 403]).toContain(d?.attempts[0]?.status);
      expect(env.receiver.received.at(-1)?.refused).toBeDefined();
    },
  );

  it('replay: resends a delivered notification byte for byte, and the signature still verifies', async () => {
    await putDevices('mia', [tracker()]);
    await settled();

    const res = await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', { kind: 'replay' });

    expect(res.status).toBe(200);
    const [original, replayed] = env.receiver.notifications();
    expect(replayed?.body).toBe(original?.body);
    expect(replayed?.headers['x-healthapi-signature']).toBe(original?.headers['x-healthapi-signature']);
    expect(replayed?.status).toBe(204);
  });

  it('valid: a genuine notification about anyone (an unknown user, any data type) for edge cases', async () => {
    const res = await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', {
      kind: 'valid',
      userId: 'nobody-we-know',
      dataType: 'sleep',
    });

    const [d] = res.body.deliveries as Array<{ attempts: Array<{ status: number }> }>;
    expect(d?.attempts[0]?.status).toBe(204);
    expect(JSON.parse(env.receiver.notifications()[0]?.body ?? '').data).toMatchObject({
      healthUserId: 'nobody-we-know',
      dataType: 'sleep',
    });
  });

  it('replay with nothing delivered yet is a 409, and bad forge bodies are 400', async () => {
    expect((await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', { kind: 'replay' })).status).toBe(
      409,
    );
    expect(
      (await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', { kind: 'nope', userId: 'mia' }))
        .status,
    ).toBe(400);
    expect(
      (await sendJsonTo(`${env.t.url}/sandbox/webhooks/forge`, 'POST', { kind: 'no-secret' })).status,
    ).toBe(400);
  });
});

describe('sandbox webhooks: keys', () => {
  it('signs with a rotated key that an endpoint finds by refetching the keyset', async () => {
    await createSubscriber();
    await grant('ned', `${SETTINGS_SCOPE} ${ACTIVITY}`);
    await putDevices('ned', [tracker()]);
    await settled();
    expect(env.receiver.keysetFetches).toBe(1);

    const rotated = await sendJsonTo(`${env.t.url}/sandbox/webhooks/rotate-key`, 'POST', {});
    await sendJsonTo(`${env.t.url}/sandbox/users/ned/sync`, 'POST', {});
    await settled();

    const keyset = (await getJson(`${env.t.url}/googlehealthapi/webhooks/webhooks_public_keyset.json`))
      .body as Json;
    expect(keyset.primaryKeyId).toBe(rotated.body.primaryKeyId);
    expect(keyset.key).toHaveLength(2);
    expect(env.receiver.keysetFetches).toBe(2);
    expect(env.receiver.notifications().map((r) => r.status)).toEqual([204, 204]);
  });

  it('keeps subscribers and keys across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandbox-webhooks-'));
    const options = {
      host: '127.0.0.1',
      port: 0,
      dataDir: dir,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      serviceNumber: SERVICE_NUMBER,
      publishInbound: async () => {},
    };
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await startSandbox(options);
      const keysetUrl = `${sandbox.url}/googlehealthapi/webhooks/webhooks_public_keyset.json`;
      const before = (await getJson(keysetUrl)).body;
      const created = await fetch(`${sandbox.url}/v4/projects/p1/subscribers?subscriberId=kept`, {
        method: 'POST',
        headers: ADMIN,
        body: JSON.stringify({ endpointUri: env.receiver.url, endpointAuthorization: { secret: SECRET } }),
      });
      expect(created.status).toBe(200);
      await sandbox.close();

      sandbox = await startSandbox(options);
      expect(
        (await getJson(`${sandbox.url}/googlehealthapi/webhooks/webhooks_public_keyset.json`)).body,
      ).toEqual(before);
      const res = await fetch(`${sandbox.url}/v4/projects/p1/subscribers/kept`, { headers: ADMIN });
      expect(res.status).toBe(200);
    } finally {
      await sandbox?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ensureWebhookSubscriber (what npm start runs)', () => {
  const options = () => ({
    apiUrl: env.t.url,
    project: 'local-project',
    subscriberId: 'battery-sms-local',
    endpointUri: env.receiver.url,
    secret: SECRET,
    accessToken: 'local-admin',
  });

  it('registers the endpoint, and replaces the registration when run again with a new URI', async () => {
    const second = await new Receiver(
      () => `${env.t.url}/googlehealthapi/webhooks/webhooks_public_keyset.json`,
    ).start();
    try {
      expect(await ensureWebhookSubscriber(options())).toEqual({
        ok: true,
        name: 'projects/local-project/subscribers/battery-sms-local',
      });

      expect(await ensureWebhookSubscriber({ ...options(), endpointUri: second.url })).toMatchObject({
        ok: true,
      });

      const list = await call('GET', '/v4/projects/local-project/subscribers');
      expect(list.body.subscribers).toEqual([expect.objectContaining({ endpointUri: second.url })]);
      expect(second.received.map((r) => r.status)).toEqual([201, 401]);
    } finally {
      await second.close();
    }
  });

  it('reports, without throwing, a management API nobody listens on', async () => {
    const result = await ensureWebhookSubscriber({ ...options(), apiUrl: 'http://127.0.0.1:9' });

    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^the management API did not answer/) });
  });

  it('reports, without throwing, an endpoint that fails the handshake (e.g. not deployed yet)', async () => {
    env.receiver.verificationStatus = 404;

    const result = await ensureWebhookSubscriber(options());

    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/^400 FAILED_PRECONDITION: .*got HTTP 404/),
    });
  });
});
