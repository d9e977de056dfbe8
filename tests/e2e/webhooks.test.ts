/**
 * Faster alerts on the running local stack: a person opts in at sign-up, the sandbox (playing Google)
 * sends a signed webhook notification when their tracker syncs, and the low battery is texted within
 * seconds with no scheduled round. Forged notifications are refused and change nothing; a replay
 * adds no check within the debounce period.
 */
import {
  Browser,
  daytimeZone,
  messagesOf,
  outboundTexts,
  sandboxJson,
  secretsIn,
  textFromPhone,
  useTestStack,
} from './stack';

const stack = useTestStack();

const USER = 'wh-alice';
const PHONE = '+12015550171';
const DEVICE = `users/${USER}/pairedDevices/5551001`;

const tracker = (level: number, status: string) => ({
  name: DEVICE,
  deviceType: 'TRACKER',
  batteryLevel: level,
  batteryStatus: status,
  deviceVersion: 'Charge 6',
  lastSyncTime: new Date().toISOString(),
});

interface Delivery {
  id: string;
  kind: string;
  userId?: string;
  state: string;
  attempts: Array<{ status?: number; error?: string }>;
}

async function deliveries(): Promise<Delivery[]> {
  const response = await fetch(`${stack.sandbox}/sandbox/webhooks/deliveries?settled=1`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { deliveries: Delivery[] }).deliveries;
}

async function forge(kind: string): Promise<Delivery[]> {
  const response = await fetch(`${stack.sandbox}/sandbox/webhooks/forge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, userId: USER, dataType: 'steps' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { deliveries: Delivery[] }).deliveries;
}

/** What the webhook function did on AWS (the IAM gateway's record), beyond reading its secret. */
const webhookCalls = () =>
  stack
    .iamCalls()
    .filter((c) => c.caller === 'googleHealthWebhook' && c.action !== 'ssm:GetParameter')
    .map((c) => c.action);
const outbound = async () => (await messagesOf(stack.sandbox, PHONE)).filter((m) => m.direction === 'out');

describe('faster alerts (Google Health webhooks)', () => {
  it('texts an opted-in subscriber within seconds of a low sync, with no scheduled round', async () => {
    await sandboxJson(stack, 'PUT', `/sandbox/users/${USER}/settings`, { timeZone: daytimeZone() });
    await sandboxJson(stack, 'PUT', `/sandbox/users/${USER}/devices`, [tracker(34, 'Medium')]);
    const browser = new Browser();
    const signup = await browser.postForm(`${stack.app}/signup`, {
      phone: PHONE,
      consent: 'yes',
      faster: 'yes',
    });
    const authorize = new URL(signup.headers.get('location') ?? '');
    expect(authorize.searchParams.get('scope')).toContain('googlehealth.activity_and_fitness.readonly');
    authorize.searchParams.set('sandbox_user', USER);
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
    const landed = await browser.get(callback);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain('Faster alerts are on');
    await outboundTexts(stack, PHONE, 1);
    await textFromPhone(stack.sandbox, PHONE, 'YES');
    await outboundTexts(stack, PHONE, 2);
    const before = stack.iamCalls().filter((c) => c.caller === 'pollBatteries').length;

    // The tracker syncs at a low level: the sandbox tells the registered endpoint, as Google would.
    await sandboxJson(stack, 'PUT', `/sandbox/users/${USER}/devices`, [tracker(12, 'Low')]);
    const texts = await outboundTexts(stack, PHONE, 3);

    expect(texts).toHaveLength(3);
    expect(texts[2]).toMatch(/Charge 6/);
    expect(texts[2]).toMatch(/12%/);
    // No scheduled round ran: the dispatcher made no call at all.
    expect(stack.iamCalls().filter((c) => c.caller === 'pollBatteries')).toHaveLength(before);
    const notified = (await deliveries()).filter((d) => d.kind === 'notification' && d.userId === USER);
    expect(notified.at(-1)?.attempts.at(-1)?.status).toBe(204);
    expect(webhookCalls()).toContain('lambda:InvokeFunction');
  }, 120_000);

  it.each(['bad-signature', 'tampered', 'no-signature', 'no-secret', 'wrong-secret'])(
    'refuses a forged notification (%s) and changes nothing',
    async (kind) => {
      const textsBefore = (await outbound()).length;
      const callsBefore = webhookCalls().length;

      const [answered] = await forge(kind);
      await stack.settled();

      expect([401, 403]).toContain(answered?.attempts[0]?.status);
      // Not a read, not a write, not a check: the webhook refused before touching anything.
      expect(webhookCalls()).toHaveLength(callsBefore);
      expect((await outbound()).length).toBe(textsBefore);
    },
    60_000,
  );

  it('answers a replayed notification but adds no check within the debounce period', async () => {
    const textsBefore = (await outbound()).length;
    const callsBefore = webhookCalls().length;
    const invokesBefore = webhookCalls().filter((a) => a === 'lambda:InvokeFunction').length;

    const [answered] = await forge('replay');
    await stack.settled();

    expect(answered?.attempts[0]?.status).toBe(204);
    // A genuine notification is looked at (the forged ones above were not)...
    expect(webhookCalls().length).toBeGreaterThan(callsBefore);
    // ...but within the period it queues no second check.
    expect(webhookCalls().filter((a) => a === 'lambda:InvokeFunction')).toHaveLength(invokesBefore);
    expect((await outbound()).length).toBe(textsBefore);
  }, 60_000);

  it('changes nothing without the opt-in, or when the extra permission is unticked at Google', async () => {
    const settingsScope = 'https://www.googleapis.com/auth/googlehealth.settings.readonly';
    const plain = await new Browser().postForm(`${stack.app}/signup`, {
      phone: '+12015550172',
      consent: 'yes',
    });
    expect(new URL(plain.headers.get('location') ?? '').searchParams.get('scope')).toBe(settingsScope);

    const browser = new Browser();
    const signup = await browser.postForm(`${stack.app}/signup`, {
      phone: '+12015550173',
      consent: 'yes',
      faster: 'yes',
    });
    const authorize = new URL(signup.headers.get('location') ?? '');
    authorize.searchParams.set('sandbox_user', 'wh-bob');
    // The person unticks everything but the device settings on Google's page.
    authorize.searchParams.set('sandbox_scope', settingsScope);
    const callback = (await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '';
    const landed = await browser.get(callback);

    expect(landed.status).toBe(200);
    expect(await landed.text()).toContain('Faster alerts are off');
  }, 60_000);

  it('logs neither the webhook secret nor full phone numbers', () => {
    expect(stack.logs.filter((line) => line.includes('local-webhook-secret'))).toEqual([]);
    expect(secretsIn(stack.logs)).toEqual([]);
  });
});
