/**
 * The Google account states on the running local stack, played by the sandbox: an account with no
 * Fitbit data or a legacy Fitbit login at sign-up, an account unlinked after sign-up, a grant for a
 * limited time, an app in "testing" status, and a person whose Google settings have no time zone.
 */
import {
  daytimeZone,
  outboundTexts,
  outTexts,
  pollNow,
  secretsIn,
  signUpAndConfirm,
  signUpTo,
  textFromPhone,
  useTestStack,
} from './stack';

const stack = useTestStack();

async function sandbox(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${stack.sandbox}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(response.status).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function signUpAndConfirmWith(user: string, phone: string, extra: Record<string, string>) {
  const landed = await signUpTo(stack, user, phone, extra);
  expect(landed.status).toBe(200);
  await outboundTexts(stack, phone, 1);
  await textFromPhone(stack.sandbox, phone, 'YES');
  return outboundTexts(stack, phone, 2);
}

async function deviceReads(user: string): Promise<number> {
  const found = await sandbox('GET', `/sandbox/users/${user}`);
  return (found.counters as { apiCalls: Record<string, number> }).apiCalls.pairedDevices ?? 0;
}

describe('Google account states on the local stack', () => {
  it.each([
    ['not-linked', 'This Google account has no Fitbit data', 'states-nolink', '+12015550190'],
    ['legacy-login', 'Sign in with the Google account your Fitbit uses', 'states-legacy', '+12015550191'],
  ])(
    'at sign-up, a %s account gets a clear page, its grant revoked, nothing stored or texted',
    async (kind, title, user, phone) => {
      await sandbox('POST', `/sandbox/users/${user}/unlink`, { kind });

      const landed = await signUpTo(stack, user, phone);
      const page = await landed.text();

      expect(landed.status).toBe(200);
      expect(page).toContain(title);
      expect(page).toContain('How to fix it');
      expect(page).toContain('href="/"');
      const grants = (await sandbox('GET', `/sandbox/users/${user}`)).grants as Array<{ revoked: boolean }>;
      expect(grants.length).toBeGreaterThan(0);
      expect(grants.every((g) => g.revoked)).toBe(true);
      expect(await outTexts(stack, phone)).toEqual([]);
      // Once linked, the same person signs up as anyone does: the first text is the usual YES request.
      await sandbox('POST', `/sandbox/users/${user}/link`);
      expect((await signUpTo(stack, user, phone)).status).toBe(200);
      const [first] = await outboundTexts(stack, phone, 1);
      expect(first).toContain('reply YES');
    },
  );

  it('texts an active subscriber once when the account becomes unlinked, then stops checking', async () => {
    const user = 'states-drift';
    const phone = '+12015550192';
    await sandbox('PUT', `/sandbox/users/${user}/settings`, { timeZone: daytimeZone() });
    await signUpAndConfirm(stack, user, phone);
    await sandbox('POST', `/sandbox/users/${user}/unlink`);

    await pollNow(stack);
    const texts = await outboundTexts(stack, phone, 3);
    const readsAfterFirst = await deviceReads(user);
    await pollNow(stack);

    expect(texts).toHaveLength(3);
    expect(texts[2]).toContain('your Google account has no Fitbit data');
    expect(texts[2]).toContain(`${stack.app}/`);
    expect(await deviceReads(user)).toBe(readsAfterFirst);
    expect(await outTexts(stack, phone)).toHaveLength(3);
  });

  it('tells the person once before time-based access lapses, and asks for a new consent when it has', async () => {
    const user = 'states-timed';
    const phone = '+12015550193';
    await sandbox('PUT', `/sandbox/users/${user}/settings`, { timeZone: daytimeZone() });
    await signUpAndConfirmWith(user, phone, { sandbox_grant_seconds: String(2 * 24 * 3600) });

    await pollNow(stack);
    const notice = await outboundTexts(stack, phone, 3);
    await pollNow(stack);
    const afterSecondRound = await outTexts(stack, phone);
    await sandbox('POST', `/sandbox/users/${user}/age-grants`, { days: 3 });
    await sandbox('POST', `/sandbox/users/${user}/expire-tokens`);
    await pollNow(stack);
    const lapsed = await outboundTexts(stack, phone, 4);

    expect(notice[2]).toMatch(/access you gave us ends in 2 days/);
    expect(afterSecondRound).toHaveLength(3);
    expect(lapsed[3]).toContain('lost access to your Fitbit data');
  });

  it('asks for a new consent when an app in "testing" status loses the refresh token after 7 days', async () => {
    const user = 'states-testing';
    const phone = '+12015550194';
    await sandbox('PUT', '/sandbox/app', { publishingStatus: 'testing' });
    try {
      await sandbox('PUT', `/sandbox/users/${user}/settings`, { timeZone: daytimeZone() });
      await signUpAndConfirm(stack, user, phone);
    } finally {
      await sandbox('PUT', '/sandbox/app', { publishingStatus: 'production' });
    }
    await sandbox('POST', `/sandbox/users/${user}/age-grants`, { days: 7 });
    await sandbox('POST', `/sandbox/users/${user}/expire-tokens`);

    await pollNow(stack);
    const texts = await outboundTexts(stack, phone, 3);

    expect(texts[2]).toContain('lost access to your Fitbit data');
  });

  it("says which zone quiet hours use: the deployment's default when Google has none", async () => {
    const user = 'states-nozone';
    const phone = '+12015550195';
    await sandbox('PUT', `/sandbox/users/${user}/settings`, { timeZone: null });
    await signUpAndConfirm(stack, user, phone);

    await textFromPhone(stack.sandbox, phone, 'STATUS');
    const texts = await outboundTexts(stack, phone, 3);

    expect(texts[1]).toContain('Quiet hours: America/New_York time.');
    expect(texts[2]).toContain('Quiet hours: America/New_York time.');
  });

  it("says the person's own zone when Google has one", async () => {
    const user = 'states-zone';
    const phone = '+12015550196';
    await sandbox('PUT', `/sandbox/users/${user}/settings`, { timeZone: 'Asia/Kathmandu' });

    await signUpAndConfirm(stack, user, phone);

    expect((await outTexts(stack, phone))[1]).toContain('Quiet hours: Asia/Kathmandu time.');
  });

  it('never writes a token, secret, verifier, code or full phone number into the logs', () => {
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
