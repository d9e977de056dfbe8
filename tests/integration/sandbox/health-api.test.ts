/** Google Health API v4 emulation and the control endpoints that shape its data. */
import { getJson, googleTokens, sendJsonTo, useTestSandbox } from './helpers';

const t = useTestSandbox();

function trackers(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    deviceType: 'TRACKER',
    batteryStatus: 'Low',
    batteryLevel: i,
    lastSyncTime: '2026-11-20T14:03:11Z',
    deviceVersion: `Charge ${i}`,
  }));
}

describe('pairedDevices', () => {
  it('pages through devices five at a time by default and omits nextPageToken on the last page', async () => {
    const { access_token } = await googleTokens(t.url);
    expect((await sendJsonTo(`${t.url}/sandbox/users/alice/devices`, 'PUT', trackers(12))).status).toBe(200);
    const levels: number[] = [];
    const pages: number[] = [];
    let pageToken: string | undefined;
    do {
      const query = pageToken ? `?pageToken=${encodeURIComponent(pageToken)}` : '';
      const res = await getJson(`${t.url}/v4/users/me/pairedDevices${query}`, access_token);
      expect(res.status).toBe(200);
      const devices = res.body.pairedDevices as Array<{ batteryLevel: number }>;
      pages.push(devices.length);
      levels.push(...devices.map((d) => d.batteryLevel));
      pageToken = res.body.nextPageToken as string | undefined;
    } while (pageToken);
    expect(pages).toEqual([5, 5, 2]);
    expect(levels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('honours pageSize and caps it at 100', async () => {
    const { access_token } = await googleTokens(t.url);
    await sendJsonTo(`${t.url}/sandbox/users/alice/devices`, 'PUT', trackers(3));
    const two = await getJson(`${t.url}/v4/users/me/pairedDevices?pageSize=2`, access_token);
    expect((two.body.pairedDevices as unknown[]).length).toBe(2);
    expect(two.body.nextPageToken).toEqual(expect.any(String));
    const all = await getJson(`${t.url}/v4/users/me/pairedDevices?pageSize=1000`, access_token);
    expect((all.body.pairedDevices as unknown[]).length).toBe(3);
    expect(all.body.nextPageToken).toBeUndefined();
  });

  it('names devices users/<id>/pairedDevices/<n> when the PUT leaves the name out', async () => {
    const { access_token } = await googleTokens(t.url);
    await sendJsonTo(`${t.url}/sandbox/users/alice/devices`, 'PUT', trackers(1));
    const res = await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token);
    const [device] = res.body.pairedDevices as Array<Record<string, unknown>>;
    expect(device).toEqual({
      name: expect.stringMatching(/^users\/alice\/pairedDevices\/\d+$/),
      deviceType: 'TRACKER',
      batteryStatus: 'Low',
      batteryLevel: 0,
      lastSyncTime: '2026-11-20T14:03:11Z',
      deviceVersion: 'Charge 0',
    });
  });

  it('rejects a garbled page token with INVALID_ARGUMENT', async () => {
    const { access_token } = await googleTokens(t.url);
    const res = await getJson(`${t.url}/v4/users/me/pairedDevices?pageToken=garbage`, access_token);
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 400, status: 'INVALID_ARGUMENT' }));
  });

  it.each([
    ['no token', undefined],
    ['an unknown token', 'ya29.not-a-real-token'],
  ])('answers 401 UNAUTHENTICATED with %s', async (_label, token) => {
    const res = await getJson(`${t.url}/v4/users/me/pairedDevices`, token);
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual(expect.objectContaining({ code: 401, status: 'UNAUTHENTICATED' }));
  });

  it('answers 401 once the token has expired, by time or through expire-tokens', async () => {
    const first = await googleTokens(t.url);
    t.clock.advance(3600 * 1000);
    expect((await getJson(`${t.url}/v4/users/me/pairedDevices`, first.access_token)).status).toBe(401);
    const second = await googleTokens(t.url);
    expect((await getJson(`${t.url}/v4/users/me/pairedDevices`, second.access_token)).status).toBe(200);
    await fetch(`${t.url}/sandbox/users/alice/expire-tokens`, { method: 'POST' });
    expect((await getJson(`${t.url}/v4/users/me/pairedDevices`, second.access_token)).status).toBe(401);
  });

  it('counts API calls per kind on the user', async () => {
    const { access_token } = await googleTokens(t.url);
    await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token);
    await getJson(`${t.url}/v4/users/me/pairedDevices`, access_token);
    await getJson(`${t.url}/v4/users/me/identity`, access_token);
    const user = await getJson(`${t.url}/sandbox/users/alice`);
    expect((user.body.counters as { apiCalls: unknown }).apiCalls).toEqual({ pairedDevices: 2, identity: 1 });
  });
});

describe('identity and settings', () => {
  it('returns the health user id and a numeric legacy id', async () => {
    const { access_token } = await googleTokens(t.url, 'dana-1');
    const res = await getJson(`${t.url}/v4/users/me/identity`, access_token);
    expect(res.body).toEqual({
      name: 'users/me/identity',
      healthUserId: 'dana-1',
      legacyUserId: expect.stringMatching(/^\d+$/),
    });
  });

  it('defaults the time zone to America/New_York and follows a settings PUT', async () => {
    const { access_token } = await googleTokens(t.url);
    const before = await getJson(`${t.url}/v4/users/me/settings`, access_token);
    expect(before.body).toEqual(
      expect.objectContaining({ timeZone: 'America/New_York', utcOffset: '-18000s' }),
    );
    const put = await sendJsonTo(`${t.url}/sandbox/users/alice/settings`, 'PUT', {
      timeZone: 'Asia/Kolkata',
    });
    expect(put.status).toBe(200);
    const after = await getJson(`${t.url}/v4/users/me/settings`, access_token);
    expect(after.body).toEqual(expect.objectContaining({ timeZone: 'Asia/Kolkata', utcOffset: '19800s' }));
  });
});

describe('control endpoints', () => {
  it.each([
    ['a non-array body', { deviceType: 'TRACKER' }, /array/],
    ['an unknown battery status', [{ batteryStatus: 'low' }], /batteryStatus/],
    ['a legacy field name', [{ battery: 'Low' }], /unknown field "battery"/],
    ['a level above 100', [{ batteryLevel: 101 }], /batteryLevel/],
    ['a sync time without zone', [{ lastSyncTime: '2026-11-20T14:03:11' }], /lastSyncTime/],
    ['a name of another user', [{ name: 'users/bob/pairedDevices/1' }], /name/],
  ])('rejects %s in a devices PUT with a clear 400', async (_label, body, message) => {
    const res = await sendJsonTo(`${t.url}/sandbox/users/alice/devices`, 'PUT', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(message);
  });

  it('creates the user on a devices PUT and reads the devices back', async () => {
    await sendJsonTo(`${t.url}/sandbox/users/erin/devices`, 'PUT', [
      { batteryLevel: 3, batteryStatus: 'Empty' },
    ]);
    const res = await getJson(`${t.url}/sandbox/users/erin/devices`);
    expect(res.body).toEqual([expect.objectContaining({ batteryLevel: 3, batteryStatus: 'Empty' })]);
    const list = await getJson(`${t.url}/sandbox/users`);
    expect(list.body).toEqual([expect.objectContaining({ id: 'erin', devices: 1 })]);
  });

  it('rejects an unknown time zone', async () => {
    const res = await sendJsonTo(`${t.url}/sandbox/users/alice/settings`, 'PUT', {
      timeZone: 'Mars/Olympus',
    });
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown user', async () => {
    expect((await getJson(`${t.url}/sandbox/users/nobody`)).status).toBe(404);
  });
});
