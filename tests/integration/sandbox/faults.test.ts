/** Fault injection, injected latency and the grant helper, over real HTTP (and the real SMS SDK client). */
import {
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  basic,
  CLIENT_ID,
  CLIENT_SECRET,
  fitbitTokens,
  GOOGLE_SCOPE,
  getJson,
  postForm,
  SERVICE_NUMBER,
  sendJsonTo,
  useTestSandbox,
} from './helpers';

const PHONE = '+14255550182';
const t = useTestSandbox();

/** The delays the sandbox announced, without its log prefix. */
const waits = () =>
  t.logs.filter((l) => l.startsWith('[faults] ') && l.includes(': waiting ')).map((l) => l.slice(9));

const arm = (fault: Record<string, unknown>) => sendJsonTo(`${t.url}/sandbox/faults`, 'POST', fault);

async function grant(user: string, body: unknown = {}) {
  const res = await sendJsonTo(`${t.url}/sandbox/users/${user}/grant`, 'POST', body);
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string; expires_in: number; scope: string };
}

const devices = (token: string) => getJson(`${t.url}/v4/users/me/pairedDevices`, token);

function refreshGoogle(refreshToken: string) {
  return postForm(`${t.url}/token`, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  });
}

function smsClient(maxAttempts = 1) {
  return new PinpointSMSVoiceV2Client({
    endpoint: t.url,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
}

const text = (to = PHONE) =>
  new SendTextMessageCommand({
    DestinationPhoneNumber: to,
    OriginationIdentity: SERVICE_NUMBER,
    MessageBody: 'Your Charge 6 is at 12%.',
  });

describe('POST /sandbox/faults validation', () => {
  it.each([
    [[], 'body must be a JSON object'],
    [
      { target: 'weather', status: 503 },
      'target must be one of token, devices, identity, settings, sms, any',
    ],
    [{ target: 'devices', status: 503, colour: 'red' }, 'unknown field "colour"'],
    [{ target: 'devices', status: 200 }, 'status must be an integer from 400 to 599'],
    [{ target: 'devices', status: 503, times: 0 }, 'times must be an integer from 1 to 1000000000'],
    [{ target: 'devices', retryAfter: 5 }, 'retryAfter needs a status'],
    [{ target: 'devices', status: 503, body: 'empty' }, 'choose one of status, body and reset'],
    [{ target: 'devices' }, 'a fault needs status, body, reset or a positive delayMs'],
    [{ target: 'devices', body: 'html' }, 'body must be "malformed" or "empty"'],
    [{ target: 'devices', status: 503, phone: PHONE }, 'phone only applies to target "sms"'],
    [{ target: 'sms', status: 429, phone: '4255550182' }, 'phone must be an E.164 number'],
    [{ target: 'devices', status: 503, user: 'no/slash' }, 'user must be a sandbox user id'],
    [{ target: 'devices', delayMs: -1 }, 'delayMs must be an integer from 0 to 120000'],
  ])('refuses %j with a 400 that says why', async (body, message) => {
    const res = await arm(body as Record<string, unknown>);
    expect(res.status).toBe(400);
    expect(String(res.body.error)).toContain(message);
    expect((await getJson(`${t.url}/sandbox/faults`)).body).toEqual([]);
  });
});

describe('fault injection', () => {
  it('fails the next n device reads with Google error JSON, counting down, then answers for real', async () => {
    const { access_token } = await grant('alice');
    const armed = await arm({ target: 'devices', status: 503, times: 2 });
    expect(armed.status).toBe(201);
    expect(armed.body).toMatchObject({ target: 'devices', status: 503, times: 2, remaining: 2 });

    const first = await devices(access_token);
    expect(first.status).toBe(503);
    expect(first.body).toEqual({
      error: expect.objectContaining({ code: 503, status: 'UNAVAILABLE', message: expect.any(String) }),
    });
    expect((await getJson(`${t.url}/sandbox/faults`)).body).toEqual([
      expect.objectContaining({ id: armed.body.id, target: 'devices', remaining: 1 }),
    ]);
    expect((await devices(access_token)).status).toBe(503);
    expect((await getJson(`${t.url}/sandbox/faults`)).body).toEqual([]);
    expect((await devices(access_token)).status).toBe(200);
  });

  it('answers 429 RESOURCE_EXHAUSTED with a Retry-After header when retryAfter is given', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'devices', status: 429, retryAfter: 30 });
    const res = await fetch(`${t.url}/v4/users/me/pairedDevices`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('30');
    const body = (await res.json()) as { error: { code: number; status: string } };
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
  });

  it('hits only the named user', async () => {
    const alice = await grant('alice');
    const bob = await grant('bob');
    await arm({ target: 'devices', user: 'bob', status: 500, times: 5 });
    expect((await devices(alice.access_token)).status).toBe(200);
    const res = await devices(bob.access_token);
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 500, status: 'INTERNAL' }) });
    expect((await getJson(`${t.url}/sandbox/faults`)).body).toEqual([
      expect.objectContaining({ user: 'bob', remaining: 4 }),
    ]);
  });

  it('answers 200 with a body that is not JSON, or with an empty body', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'devices', body: 'malformed' });
    await arm({ target: 'devices', body: 'empty' });
    const headers = { authorization: `Bearer ${access_token}` };
    const malformed = await fetch(`${t.url}/v4/users/me/pairedDevices`, { headers });
    expect(malformed.status).toBe(200);
    const raw = await malformed.text();
    expect(raw.length).toBeGreaterThan(0);
    expect(() => JSON.parse(raw)).toThrow();
    const empty = await fetch(`${t.url}/v4/users/me/pairedDevices`, { headers });
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe('');
  });

  it('drops the connection without answering on reset', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'devices', reset: true });
    await expect(devices(access_token)).rejects.toThrow('fetch failed');
    expect((await devices(access_token)).status).toBe(200);
  });

  it('only delays the real answer when given delayMs alone', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'devices', delayMs: 150 });
    const res = await devices(access_token);
    expect(waits()).toEqual(['devices of alice: waiting 150 ms']);
    expect(res.status).toBe(200);
    expect(res.body.pairedDevices).toHaveLength(1);
  });

  it('spends matching faults first in, first out', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'devices', status: 500 });
    await arm({ target: 'any', status: 503 });
    expect((await devices(access_token)).status).toBe(500);
    expect((await devices(access_token)).status).toBe(503);
    expect((await devices(access_token)).status).toBe(200);
  });

  it('aims identity and settings faults at those reads only, on v4 and the legacy profile', async () => {
    const { access_token } = await grant('alice');
    await arm({ target: 'identity', status: 503 });
    await arm({ target: 'settings', status: 429, times: 2 });
    expect((await devices(access_token)).status).toBe(200);
    expect((await getJson(`${t.url}/v4/users/me/identity`, access_token)).status).toBe(503);
    expect((await getJson(`${t.url}/v4/users/me/identity`, access_token)).status).toBe(200);
    expect((await getJson(`${t.url}/v4/users/me/settings`, access_token)).status).toBe(429);
    const fitbit = await fitbitTokens(t.url, 'bob');
    const profile = await getJson(`${t.url}/1/user/-/profile.json`, fitbit.access_token);
    expect(profile.status).toBe(429);
    expect(profile.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'system', message: 'Too Many Requests' })],
      success: false,
    });
    expect((await getJson(`${t.url}/1/user/-/profile.json`, fitbit.access_token)).status).toBe(200);
  });

  it('fails legacy devices.json as a devices fault, in Fitbit error JSON', async () => {
    const fitbit = await fitbitTokens(t.url, 'bob');
    await arm({ target: 'devices', user: 'bob', status: 503 });
    const res = await getJson(`${t.url}/1/user/-/devices.json`, fitbit.access_token);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ errors: [expect.objectContaining({ errorType: 'system' })], success: false });
  });

  it('fails token endpoints for the user the grant belongs to, in each provider OAuth error shape', async () => {
    const alice = await grant('alice');
    const bob = await grant('bob');
    await arm({ target: 'token', user: 'bob', status: 429, retryAfter: 7 });
    expect((await refreshGoogle(alice.refresh_token)).status).toBe(200);
    const res = await fetch(`${t.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: bob.refresh_token,
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
      }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ error: 'rate_limit_exceeded', error_description: expect.any(String) });
    expect((await refreshGoogle(bob.refresh_token)).status).toBe(200);

    const fitbit = await fitbitTokens(t.url, 'carol');
    await arm({ target: 'token', user: 'carol', status: 503 });
    const legacy = await postForm(
      `${t.url}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: fitbit.refresh_token },
      basic(),
    );
    expect(legacy.status).toBe(503);
    expect(legacy.body).toEqual({
      errors: [expect.objectContaining({ errorType: 'system' })],
      success: false,
    });
    // The refresh token was not spent by the failed call.
    const retried = await postForm(
      `${t.url}/oauth2/token`,
      { grant_type: 'refresh_token', refresh_token: fitbit.refresh_token },
      basic(),
    );
    expect(retried.status).toBe(200);
  });

  it('lists active faults with what remains, and clears them all', async () => {
    await arm({ target: 'devices', status: 503, times: 1_000_000 });
    await arm({ target: 'sms', phone: PHONE, status: 429 });
    const listed = await getJson(`${t.url}/sandbox/faults`);
    expect(listed.body).toEqual([
      expect.objectContaining({ target: 'devices', remaining: 1_000_000 }),
      expect.objectContaining({ target: 'sms', phone: PHONE, remaining: 1 }),
    ]);
    const cleared = await fetch(`${t.url}/sandbox/faults`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ cleared: 2 });
    expect((await getJson(`${t.url}/sandbox/faults`)).body).toEqual([]);
    const { access_token } = await grant('alice');
    expect((await devices(access_token)).status).toBe(200);
  });
});

describe('SMS faults', () => {
  it('makes the AWS SDK raise a ThrottlingException for a 429', async () => {
    const sms = smsClient();
    try {
      await arm({ target: 'sms', status: 429 });
      const error = await sms.send(text()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThrottlingException);
      expect((error as ThrottlingException).$metadata.httpStatusCode).toBe(429);
      expect(t.sandbox.phones.messages(PHONE)).toEqual([]);
      await expect(sms.send(text())).resolves.toMatchObject({ MessageId: expect.any(String) });
    } finally {
      sms.destroy();
    }
  });

  it('is retried by the SDK like real throttling, and goes through once the fault is spent', async () => {
    const sms = smsClient(3);
    try {
      await arm({ target: 'sms', status: 429, times: 2 });
      await expect(sms.send(text())).resolves.toMatchObject({ MessageId: expect.any(String) });
      expect(t.sandbox.phones.messages(PHONE)).toHaveLength(1);
    } finally {
      sms.destroy();
    }
  });

  it('raises a ValidationException for a 400, only for the chosen destination', async () => {
    const sms = smsClient();
    const other = '+14255550199';
    try {
      await arm({ target: 'sms', phone: other, status: 400, user: 'ignored' });
      await expect(sms.send(text(PHONE))).resolves.toBeDefined();
      await expect(sms.send(text(other))).rejects.toBeInstanceOf(ValidationException);
    } finally {
      sms.destroy();
    }
  });

  it('is not hit by an "any" fault aimed at a provider user', async () => {
    const sms = smsClient();
    try {
      await arm({ target: 'any', user: 'alice', status: 503 });
      await expect(sms.send(text())).resolves.toBeDefined();
      expect((await getJson(`${t.url}/sandbox/faults`)).body).toHaveLength(1);
    } finally {
      sms.destroy();
    }
  });
});

describe('PUT /sandbox/latency', () => {
  it('delays every provider answer until set back to 0', async () => {
    const { access_token, refresh_token } = await grant('alice');
    expect((await sendJsonTo(`${t.url}/sandbox/latency`, 'PUT', { ms: 120 })).body).toEqual({ ms: 120 });
    expect((await getJson(`${t.url}/sandbox/latency`)).body).toEqual({ ms: 120 });
    expect((await devices(access_token)).status).toBe(200);
    expect((await refreshGoogle(refresh_token)).status).toBe(200);
    expect(waits()).toEqual([
      expect.stringMatching(/^devices.*: waiting 120 ms$/),
      expect.stringMatching(/^token.*: waiting 120 ms$/),
    ]);
    await sendJsonTo(`${t.url}/sandbox/latency`, 'PUT', { ms: 0 });
    expect((await devices(access_token)).status).toBe(200);
    // The answer came back with no wait announced: latency 0 adds nothing.
    expect(waits()).toHaveLength(2);
  });

  it('refuses a latency that is not a whole number of milliseconds', async () => {
    const res = await sendJsonTo(`${t.url}/sandbox/latency`, 'PUT', { ms: 'fast' });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('ms must be an integer');
  });
});

describe('POST /sandbox/users/<id>/grant', () => {
  it('creates the user and answers with a working grant shaped like a /token answer', async () => {
    const body = await grant('dave');
    expect(body).toEqual({
      access_token: expect.stringMatching(/^ya29\./),
      refresh_token: expect.stringMatching(/^1\/\/0/),
      expires_in: 3600,
      scope: GOOGLE_SCOPE,
      token_type: 'Bearer',
    });
    expect((await getJson(`${t.url}/v4/users/me/identity`, body.access_token)).body.healthUserId).toBe(
      'dave',
    );
    expect((await refreshGoogle(body.refresh_token)).status).toBe(200);
    const user = await getJson(`${t.url}/sandbox/users/dave`);
    expect(user.body.grants).toEqual([expect.objectContaining({ provider: 'google', offline: true })]);
  });

  it('grants the scope asked for', async () => {
    const body = await grant('erin', { scope: 'openid  profile' });
    expect(body.scope).toBe('openid profile');
    expect((await devices(body.access_token)).status).toBe(403);
  });

  it.each([
    [{ scope: '' }, 'scope must be a non-empty string'],
    [{ scopes: 'x' }, 'unknown field "scopes"'],
  ])('refuses %j', async (payload, message) => {
    const res = await sendJsonTo(`${t.url}/sandbox/users/frank/grant`, 'POST', payload);
    expect(res.status).toBe(400);
    expect(res.body.error).toContain(message);
  });
});
